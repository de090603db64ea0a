// Hudong's loader: a few hundred bytes the page can ship in its first script. It hands back a
// room at once, keeps what the page does with it (commands, actions, listeners) in order, and
// only fetches the SDK once the live video is playing, or the page has gone idle after a
// grace period, so the wasm never competes with the video's first frames for the network or
// the CPU.

const METHODS = ['apply', 'receive', 'act', 'vote', 'setTracker', 'setConsent', 'setLocale', 'flush', 'reconnect', 'attachTextTrack', 'attachHls', 'attachVideo'];

/**
 * Starts a room without delaying the video.
 * @param {import('./index').RoomOptions} options  as for `createRoom`
 * @param {import('./loader').LoaderOptions} [load]
 * @returns {import('./loader').LazyRoom}
 */
export function lazyRoom(options, load = {}) {
  const queue = [];
  let room;
  let failed;
  let destroyed = false;
  const video = load.video === undefined ? document.querySelector('video') : load.video;
  // A literal import, so bundlers split the SDK into a chunk of its own; a URL only where
  // the page says where the SDK is (the script-tag build).
  const importSdk = () => (load.sdkUrl == null
    ? import('./index.js')
    : import(/* @vite-ignore */ /* webpackIgnore: true */ String(load.sdkUrl)));
  const lazy = { room: null, loaded: false };
  let started = false;

  const start = () => {
    if (started) return;
    started = true;
    video?.removeEventListener('playing', start);
    clearTimeout(timer);
    const idle = globalThis.requestIdleCallback ?? ((f) => setTimeout(f, 1));
    idle(() => {
      const loading = importSdk()
        .then((m) => m.createRoom(options).catch((e) => {
          // The SDK loaded and refused the options: a TypeError saying which.
          throw Object.assign(e, { hudongCode: 'invalid_options' });
        }))
        .then((r) => {
          if (destroyed) return r.destroy();
          room = lazy.room = r;
          lazy.loaded = true;
          for (const [name, args] of queue.splice(0)) r[name](...args);
          return r;
        });
      loading.catch((e) => {
        failed = e;
        const error = { type: 'error', code: e?.hudongCode ?? 'load_failed', message: String(e?.message ?? e) };
        for (const [name, [type, fn]] of queue) if (name === 'on' && (type === 'error' || type === '*')) fn(error);
      });
      settle(loading);
    }, { timeout: 1000 });
  };
  let settle;
  /** Resolves with the loaded room (rejects when the SDK could not load). */
  lazy.ready = new Promise((r) => { settle = r; });
  lazy.ready.catch(() => {}); // reported to 'error' listeners; awaiting it is optional

  const call = (name) => (...args) => {
    if (room) return room[name](...args);
    if (destroyed) return { ok: false, error: { code: 'destroyed', message: 'this room was destroyed' } };
    if (failed) return { ok: false, error: { code: failed?.hudongCode ?? 'load_failed', message: String(failed?.message ?? failed) } };
    queue.push([name, args]);
    return { ok: true, queued: true };
  };
  for (const name of METHODS) lazy[name] = call(name);
  lazy.on = (type, fn) => {
    if (room) return room.on(type, fn);
    queue.push(['on', [type, fn]]);
    return () => lazy.off(type, fn);
  };
  lazy.off = (type, fn) => {
    if (room) return room.off(type, fn);
    const at = queue.findIndex(([n, a]) => n === 'on' && a[0] === type && a[1] === fn);
    if (at >= 0) queue.splice(at, 1);
  };
  lazy.destroy = () => {
    destroyed = true;
    queue.length = 0;
    video?.removeEventListener('playing', start);
    clearTimeout(timer);
    room?.destroy();
  };
  /** Loads now (for instance on the viewer's first tap), whatever the video does. */
  lazy.load = () => (start(), lazy.ready);

  const playing = video && !video.paused && video.readyState > 2;
  const timer = playing ? 0 : setTimeout(start, load.maxWaitMs ?? 4000);
  if (playing) start();
  else video?.addEventListener('playing', start);
  return lazy;
}
