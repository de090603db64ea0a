// The sandbox's live video: the reference backend's HLS test stream (`npm start` makes it
// with ffmpeg), played by hls.js, or the gradient when the backend has no stream. Its
// `streamTime()` is the program-date-time of the frame on screen: the clock a command's `pts`
// is in, so a room given `playhead: { get: streamTime }` shows each command when the
// viewer's video gets to the moment the host sent it.

/**
 * @param {{ stream?: { url: string } | null } | null} backend  what `/backend` says
 * @param {HTMLElement} container  where the `<video>` goes (over the gradient)
 * @param {{ behind?: number }} [options]  hold the video this many seconds behind the live
 *   edge (hls.js; by default its own, three segments)
 * @returns {Promise<{ streamTime: () => number | null, video: HTMLVideoElement, hls: object | null } | null>}
 *   `hls`: the hls.js player (for `room.attachHls`), or null where the browser plays HLS itself
 *   (`room.attachVideo`)
 */
export async function startVideo(backend, container, { behind } = {}) {
  if (!backend?.stream?.url) return null;
  const video = document.createElement('video');
  Object.assign(video, { muted: true, autoplay: true, playsInline: true, className: 'video-live' });
  const bg = container.querySelector('.video-bg');
  if (bg) bg.after(video);
  else container.prepend(video);
  let streamTime;
  let hls = null;
  if (video.canPlayType('application/vnd.apple.mpegurl') && !globalThis.MediaSource) {
    // Safari and iOS WebViews play HLS themselves: the date of the playhead is theirs.
    video.src = backend.stream.url;
    streamTime = () => {
      const start = video.getStartDate?.().getTime();
      return Number.isFinite(start) && video.readyState > 0 ? start + video.currentTime * 1000 : null;
    };
  } else {
    const { default: Hls } = await import('/dist/vendor/hls.js/hls.min.mjs');
    // No worker: the sandbox's Content-Security-Policy allows no blob: scripts.
    hls = new Hls({
      enableWorker: false,
      // Held where asked, without catching up by playing faster.
      ...(behind ? { liveSyncDuration: behind, liveMaxLatencyDuration: behind + 20, maxLiveSyncPlaybackRate: 1 } : {}),
    });
    hls.attachMedia(video);
    hls.loadSource(backend.stream.url);
    // hls.js's recovery: a playlist not written yet (the stream starting with the backend)
    // or a network drop is loaded again; a decoding error is recovered in place.
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else setTimeout(() => hls.loadSource(backend.stream.url), 1000);
    });
    // Read only from a frame at a settled position: while the video starts or seeks,
    // hls.js's date is from a position the picture is not at.
    streamTime = () => (video.seeking || video.readyState < 2 ? null : hls.playingDate?.getTime() ?? null);
    if (!behind) window.hudongHls = hls; // for the devtools console and the tests
  }
  video.addEventListener('playing', () => { document.body.dataset.video = 'playing'; });
  return { streamTime, video, hls };
}
