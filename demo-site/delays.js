// Three viewers of one room whose videos are 3, 10 and 30 s behind the live edge, each room
// following its own video (`playhead: {get}`). Each caption says how far behind the video is
// and when (in stream time) the newest card appeared; `window.viewers` has the same, for the
// tests. Public `hudong` API only.
import { createRoom } from '/dist/index.js';
import { startVideo } from './live-video.js';

const roomId = new URLSearchParams(location.search).get('room') ?? 'demo';
const backend = await fetch('/backend').then((r) => (r.ok ? r.json() : null)).catch(() => null);
if (!backend?.stream) document.querySelector('#no-stream').hidden = false;

const clock = (ms) => new Date(ms).toISOString().slice(11, 23);
window.viewers = {};

for (const section of document.querySelectorAll('.delay')) {
  const behind = Number(section.dataset.behind);
  section.innerHTML = `<div class="phone small"><div class="video" aria-hidden="true"><div class="video-bg"></div></div><div class="overlay-mount"></div></div>
    <p class="phone-note"><strong>${behind} s</strong> behind · <output>waiting for the video</output></p>`;
  const caption = section.querySelector('output');
  const live = await startVideo(backend, section.querySelector('.video'), { behind });
  if (!live) continue;
  // Marked once the video plays (it may already, by the time the room is ready).
  const playing = () => { section.dataset.playing = 'true'; };
  if (!live.video.paused && live.video.readyState >= 3) playing();
  else live.video.addEventListener('playing', playing, { once: true });
  const room = await createRoom({
    roomId,
    mount: section.querySelector('.overlay-mount'),
    persist: false,
    timeUrl: '/time',
    // The room's commands as any viewer gets them; this page sends no events.
    commands: { type: 'websocket', url: `/rooms/${encodeURIComponent(roomId)}/ws` },
    playhead: { get: live.streamTime },
  });
  const viewer = { behind, room, streamTime: live.streamTime, shown: {} };
  window.viewers[behind] = viewer;
  // The stream time on screen when each card (by its heading) first appeared.
  const root = section.querySelector('.overlay-mount').shadowRoot;
  new MutationObserver(() => {
    for (const heading of root.querySelectorAll('[data-widget-id] h2')) {
      const key = `${heading.closest('[data-widget-id]').dataset.widgetId} ${heading.textContent}`;
      if (key in viewer.shown) continue;
      const at = live.streamTime();
      viewer.shown[key] = { stream: at, wall: Date.now() };
      caption.textContent = `“${heading.textContent}” appeared at ${at ? clock(at) : '?'} on its video`;
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
  // Until a card appears, the caption says how far behind the room the video is.
  live.video.addEventListener('timeupdate', () => {
    const t = live.streamTime();
    if (t && !Object.keys(viewer.shown).length) caption.textContent = `video ${((room.serverNow() - t) / 1000).toFixed(1)} s behind the room`;
  });
}
document.body.dataset.ready = 'true';
