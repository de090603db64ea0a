// A viewer watching the backend's live HLS stream with hls.js `?behind=` seconds behind the
// live edge, its room following the video (`playhead: {get}`). Records, for every poll
// question the overlay shows, the stream time on screen at that moment (`window.onsets`).
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const behind = Number(params.get('behind') ?? 6);
const roomId = params.get('room') ?? 'stream';
const { default: Hls } = await import('/dist/vendor/hls.js/hls.min.mjs');
const video = document.querySelector('video');
// Held at `behind` seconds: no catching up by playing faster.
const hls = new Hls({ enableWorker: false, liveSyncDuration: behind, liveMaxLatencyDuration: behind + 20, maxLiveSyncPlaybackRate: 1 });
hls.on(Hls.Events.ERROR, (_e, data) => {
  if (data.fatal) setTimeout(() => hls.loadSource('/stream/live.m3u8'), 1000);
});
hls.attachMedia(video);
hls.loadSource('/stream/live.m3u8');
window.hls = hls;

const room = await createRoom({
  roomId,
  mount: '#overlay',
  persist: false,
  timeUrl: '/time',
  commands: { type: 'websocket', url: `/rooms/${encodeURIComponent(roomId)}/ws` },
  playhead: { get: () => hls.playingDate?.getTime() ?? null },
});
window.room = room;

window.onsets = {};
const root = document.querySelector('#overlay').shadowRoot;
new MutationObserver(() => {
  const question = root.querySelector('.hd-poll .hd-q')?.textContent;
  if (question && !(question in window.onsets)) window.onsets[question] = { stream: hls.playingDate?.getTime() ?? null, wall: Date.now() };
}).observe(root, { childList: true, subtree: true, characterData: true });
video.addEventListener('playing', () => { document.body.dataset.playing = 'true'; });
document.body.dataset.ready = 'true';
