// A viewer page for the command-channel tests: a room fed by the hub.
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const roomId = params.get('room');
const delay = Number(params.get('delay') ?? 0);
const events = [];
const room = await createRoom({
  roomId,
  mount: '#overlay',
  locale: 'en',
  commands:
    params.get('source') === 'sse'
      ? { type: 'sse', url: `/rooms/${roomId}/events`, snapshotUrl: `/rooms/${roomId}/snapshot?tail` }
      : { type: 'websocket', url: `/rooms/${roomId}/ws` },
  timeUrl: '/time',
  playhead: delay > 0 ? { delayMs: delay } : undefined,
  persist: false,
});
room.on('*', (e) => events.push(e));
/** Real time, whatever the page's Date says. */
const trueNow = () => performance.timeOrigin + performance.now();
window.h = { room, events, trueNow };
document.body.dataset.ready = 'true';
