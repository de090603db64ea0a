// A viewer's page only: the fake live room with the Hudong overlay, for other tabs and for
// phones on the LAN (`npm start -- --host 0.0.0.0`). Uses the public `hudong` API only.
import { createRoom } from '/dist/index.js';
import { join } from './session.js';
import { startVideo } from './live-video.js';

const params = new URLSearchParams(location.search);
const roomId = params.get('room') ?? 'demo';
const key = 'hudong-demo-viewer';
// One id per browser, kept across reloads, so a reload is the same viewer.
const userId = localStorage.getItem(key) ?? `viewer-${Math.random().toString(36).slice(2, 7)}`;
localStorage.setItem(key, userId);

// The backend's live test stream, when it makes one: the overlay follows that video.
const backend = await fetch('/backend').then((r) => (r.ok ? r.json() : null)).catch(() => null);
// `?behind=20`: the video held 20 s behind the live edge (as a slow CDN or player would).
const live = await startVideo(backend, document.querySelector('.phone .video'), { behind: Number(params.get('behind')) || undefined });
const session = await join(roomId, userId);
const room = await createRoom({
  roomId,
  mount: '#overlay',
  userId,
  locale: params.get('lang') ?? (navigator.language.startsWith('zh') ? 'zh-CN' : 'en'),
  timeUrl: '/time',
  playhead: live ? { get: live.streamTime } : undefined,
  delivery: { flushIntervalMs: 1000 },
  // The session token (commands socket, event transport), from the backend.
  ...session,
});
window.hudongRoom = room;
window.streamTime = live?.streamTime; // the stream time on screen, for the tests
document.body.dataset.user = room.userId;
document.body.dataset.ready = 'true';
