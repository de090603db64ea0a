// A viewer as a host page on the reference backend sets one up: join the room for a signed
// session token, then send events with it and take the room's commands with it.
import { createRoom } from '/dist/index.js';

const roomId = new URLSearchParams(location.search).get('room');
const session = await (await fetch(`/rooms/${roomId}/join`, { method: 'POST', body: '{}' })).json();
const events = [];
const room = await createRoom({
  roomId,
  userId: session.user_id,
  sessionId: session.session_id,
  mount: '#overlay',
  commands: { type: 'websocket', url: `/rooms/${roomId}/ws?token=${encodeURIComponent(session.token)}` },
  timeUrl: '/time',
  transport: { type: 'http', url: '/collect', headers: { authorization: `Bearer ${session.token}` } },
  delivery: { flushIntervalMs: 100 },
});
room.on('*', (e) => events.push(e));
window.h = { room, session, events };
document.body.dataset.ready = 'true';
