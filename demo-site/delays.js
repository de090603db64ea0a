// Three viewers of one room whose videos are 3, 10 and 30 s behind the live edge, each room
// following its own video (`playhead: {get}`). Each caption says how far behind the video is
// and when (in stream time) the newest card appeared; `window.viewers` has the same, for the
// tests. Public `hudong` API only.
import { createRoom } from '/dist/index.js';
import { startVideo } from './live-video.js';
import { hostHeaders } from './session.js';

const params = new URLSearchParams(location.search);
const roomId = params.get('room') ?? 'demo';
// `?behind=5,20`: other delays than the page's three.
if (params.get('behind')) {
  const main = document.querySelector('.delays');
  main.innerHTML = '';
  for (const b of params.get('behind').split(',').map(Number).filter((n) => n > 0 && n <= 60)) {
    main.insertAdjacentHTML('beforeend', `<section class="delay" data-behind="${b}" aria-label="${b} seconds behind"></section>`);
  }
}
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
    // `?player=video`: the room reads the <video> (as where HLS plays natively), its own
    // playhead standing in for the start date MSE players do not give.
    ...(params.get('player') === 'video' ? { playhead: { get: live.streamTime } } : {}),
  });
  // The room follows its player: its playhead, and the commands the stream itself carries.
  if (live.hls && params.get('player') !== 'video') room.attachHls(live.hls);
  else room.attachVideo(live.video);
  // `shown`: each card (widget id and heading) and each phase a card took (widget id and
  // phase), with the stream time on screen when it first appeared. While the player cannot
  // say where its picture is (starting, seeking), the reading waits for the next one it can.
  const viewer = { behind, room, streamTime: live.streamTime, shown: {}, phases: {} };
  window.viewers[behind] = viewer;
  const unread = [];
  const stamp = (into, key, onRead) => {
    if (key in into || unread.some((u) => u.into === into && u.key === key)) return;
    unread.push({ into, key, wall: Date.now(), onRead });
    readUnread();
  };
  const readUnread = () => {
    const at = live.streamTime();
    if (at == null) return;
    for (const { into, key, wall, onRead } of unread.splice(0)) {
      into[key] = { stream: at, wall };
      onRead?.(at);
    }
  };
  const root = section.querySelector('.overlay-mount').shadowRoot;
  new MutationObserver(() => {
    for (const card of root.querySelectorAll('[data-widget-id][data-phase]')) {
      stamp(viewer.phases, `${card.dataset.widgetId} ${card.dataset.phase}`);
    }
    for (const heading of root.querySelectorAll('[data-widget-id] h2')) {
      const text = heading.textContent;
      stamp(viewer.shown, `${heading.closest('[data-widget-id]').dataset.widgetId} ${text}`, (at) => {
        caption.textContent = `“${text}” appeared at ${clock(at)} on its video`;
      });
    }
  }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-phase'] });
  live.video.addEventListener('timeupdate', readUnread);
  // Until a card appears, the caption says how far behind the room the video is.
  live.video.addEventListener('timeupdate', () => {
    const t = live.streamTime();
    if (t && !Object.keys(viewer.shown).length) caption.textContent = `video ${((room.serverNow() - t) / 1000).toFixed(1)} s behind the room`;
  });
}
document.body.dataset.ready = 'true';

// The host's command carried by the video itself (`POST /stream/metadata`): each phone reads
// it from its player's metadata and shows it when its video reaches it.
let cues = 0;
document.querySelector('#inband').addEventListener('click', async () => {
  cues += 1;
  const command = { type: 'poll.open', widget_id: `video-${cues}`, question: `视频里的第 ${cues} 题`, options: [{ id: 'a', label: '丝绒唇釉' }, { id: 'b', label: '精华液' }] };
  const out = await fetch('/stream/metadata', { method: 'POST', headers: hostHeaders(), body: JSON.stringify(command) }).then((r) => r.json()).catch(() => null);
  document.querySelector('#inband-note').textContent = out?.ok
    ? `put in the video at ${clock(out.message.pts)}`
    : `not sent: ${out?.error?.message ?? 'the backend is not reachable'}`;
});
