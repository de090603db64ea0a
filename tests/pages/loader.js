// A host page that starts Hudong through the loader: the room exists at once, commands
// and listeners given now are kept until the video plays and the SDK has loaded.
import { lazyRoom } from '/dist/loader.js';

const params = new URLSearchParams(location.search);
const video = document.querySelector('video');
const events = [];
const room = lazyRoom(
  { roomId: 'lazy-1', userId: 'u-1', mount: '#overlay', locale: 'en', persist: false },
  { video: params.has('novideo') ? null : video, maxWaitMs: Number(params.get('wait') ?? 60_000) },
);
room.on('*', (e) => events.push(e.type));
const queued = [
  room.apply({ type: 'poll.open', widget_id: 'p1', question: 'Which one?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] }),
  room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { a: 3, b: 4 } }),
];

/** Starts the "live video": a canvas stream, so no media file or network is involved. */
function play() {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const ctx = canvas.getContext('2d');
  setInterval(() => { ctx.fillStyle = `hsl(${Date.now() % 360} 60% 50%)`; ctx.fillRect(0, 0, 64, 48); }, 30);
  video.srcObject = canvas.captureStream(30);
  return video.play();
}
window.loaderTest = { room, events, queued, play };
document.body.dataset.ready = 'true';
