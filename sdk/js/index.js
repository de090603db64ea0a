// Hudong: interactive overlay widgets for live-commerce pages.
// The thin JavaScript face of the wasm module: loading, mounting, listeners. The room's
// options are turned into the core's in ./options.js; what happens after the module fails
// is in ./recovery.js.
import { DEFAULT_CSS_URL, PACK_URLS } from './assets.js';
import { coreOptions, randomId } from './options.js';
import { hudongFrames, inbandMessage } from './inband.js';
import { CHECKPOINTED, M, PROBE, RESTORE, failure, moduleFault, onPanic, prepareRecovery, unwatch, watch } from './recovery.js';

const REPORT = Symbol('report');
const GUARD = Symbol('guard');

/**
 * The room's calls into the core (same names as the core's), each guarded one way, so no
 * call ever throws into the page, during a restart after a failure or after `destroy()`:
 * - `call`: a command or an action. Bad input is `{ok: false, error}` and an `error` event;
 *   while the module restarts it is carried out once the room is back.
 * - `read`: the core's answer, or the fallback while the module restarts (or when the read
 *   finds it unusable, which restarts it) and after `destroy()`. `get`: the same, as a
 *   property.
 * - `defer`: a setting carried out once the room is back when the module is restarting.
 * Their documentation is in index.d.ts.
 */
const GUARDED = {
  apply: ['call'],
  receive: ['call'],
  act: ['call'],
  serverNow: ['read', () => Date.now()],
  reconnect: ['read'],
  snapshot: ['read', () => ({ type: 'room.snapshot', widgets: [] })],
  flush: ['read'],
  retryDeadLetters: ['read', () => 0],
  channelState: ['get', (room) => (room.destroyed ? 'closed' : 'reconnecting')],
  delivery: ['get', () => null],
  deadLetters: ['get', () => []],
  widgets: ['get', () => []],
  setConsent: ['defer'],
};

/** Language packs by URL: each fetched once per page, and again after a failure. */
const packs = new Map();

/** The texts of a language pack, or an error event saying why it could not be had. */
function fetchPack(pack, options) {
  const url = options.localesUrl != null
    ? String(new URL(`${pack}.json`, new URL(String(options.localesUrl), document.baseURI)))
    : String(PACK_URLS[pack]());
  if (!packs.has(url)) {
    const got = fetch(url)
      .then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.json();
      })
      .then((texts) => ({ texts }))
      .catch((err) => {
        packs.delete(url);
        return { error: errorEvent('locale_unavailable', `the ${pack} language pack (${url}) could not be loaded: ${err?.message ?? err}; showing the built-in texts`) };
      });
    packs.set(url, got);
  }
  return packs.get(url);
}

let loading;
let loaded = false;

/**
 * Downloads and compiles the wasm module (once). `createRoom` calls it for you; call it
 * early yourself to overlap the download with other work.
 * @param {{ wasmUrl?: string | URL }} [options]
 * @returns {Promise<void>}
 */
export function load(options = {}) {
  if (!loading) {
    loading = wasmSource(options.wasmUrl)
      .then((source) => M.default(source === undefined ? undefined : { module_or_path: source }))
      .then(
        () => {
          loaded = true;
          M.setPanicHandler(onPanic);
        },
        (err) => {
          loading = undefined; // allow a retry after a failed download
          throw err;
        },
      );
  }
  return loading;
}

/**
 * Where the module comes from: the page's choice; else, in Node (whose `fetch` cannot read
 * a `file:` URL), the bytes of the module shipped next to this file; else the glue's own
 * URL, which bundlers rewrite.
 */
async function wasmSource(given) {
  if (given) return given;
  const node = typeof process === 'object' && typeof process?.versions?.node === 'string' && typeof document === 'undefined';
  if (!node || !import.meta.url.startsWith('file:')) return undefined;
  // Neither an import nor a `new URL(…, import.meta.url)`: what only Node runs is nothing a
  // bundler looks into or warns about (Node ≥ 20.16 has getBuiltinModule).
  const { readFile } = process.getBuiltinModule('node:fs/promises');
  const here = import.meta.url;
  const url = new URL('hudong_wasm_bg.wasm', here);
  // A server bundle (Turbopack's) may hand back the wasm's public web path instead of a file.
  if (url.protocol !== 'file:') {
    throw new TypeError(`load(): this server cannot read the wasm at ${url.href}: pass load({ wasmUrl: <the module's bytes> }), or leave hudong unbundled on the server (Next: serverExternalPackages: ['hudong'])`);
  }
  return readFile(url);
}

/**
 * The keys of the overlay's texts that `options.strings` may replace (`[]` in the headless
 * build). Available once `load()` has resolved.
 * @returns {string[]}
 */
export function stringKeys() {
  if (!loaded) throw new Error('stringKeys(): call `await load()` first');
  return M.stringKeys();
}

/**
 * Decimal places of a currency's minor unit (ISO 4217), as Hudong reads prices: 2 for CNY
 * (分), 0 for JPY and VND. `price / 10 ** minorDigits(currency)` is the amount. After `load()`.
 * @param {string} currency
 * @returns {number}
 */
export function minorDigits(currency) {
  if (!loaded) throw new Error('minorDigits(): call `await load()` first');
  return M.minorDigits(String(currency));
}

/** The protocol version of commands and events this build speaks. */
export const PROTOCOL_VERSION = 1;

function errorEvent(code, message, extra) {
  return { type: 'error', code, message, ...extra };
}

/**
 * Creates a room: the widgets of one live room for one viewer, mounted over the video.
 * @param {import('./index').RoomOptions} options
 * @returns {Promise<Room>}
 */
export async function createRoom(options) {
  if (!options || typeof options !== 'object') throw new TypeError('createRoom(options): options must be an object');
  if (typeof options.roomId !== 'string' || !options.roomId) {
    throw new TypeError('createRoom(options): options.roomId must be a non-empty string');
  }
  let mount = options.mount ?? null;
  if (typeof mount === 'string') {
    const found = document.querySelector(mount);
    if (!found) throw new TypeError(`createRoom(options): no element matches mount "${mount}"`);
    mount = found;
  }
  const kinds = options.prefetch ?? [];
  if (!Array.isArray(kinds) || kinds.some((k) => typeof k !== 'string')) {
    throw new TypeError('createRoom(options): prefetch must be an array of widget kinds, e.g. ["poll", "flash_sale"]');
  }
  await load(options);
  if (mount && !M.hasViews()) {
    throw new TypeError('createRoom(options): this is the headless build (hudong/headless), which draws nothing: leave out options.mount and render the widgets from room.widgets, or import "hudong" for the overlay');
  }
  // Languages other than Simplified Chinese and English come as packs, fetched for the rooms
  // that need them; a pack that cannot load leaves the built-in texts and says so.
  const pack = mount ? M.localePack(String(options.locale ?? 'zh-CN')) : undefined;
  const got = pack ? await fetchPack(pack, options) : {};
  const room = new Room({ ...options, strings: got.texts ? { ...got.texts, ...options.strings } : options.strings }, mount, options.strings);
  // Each kind of widget's view is fetched when one is first drawn; the kinds the page
  // expects can be fetched before, while the page is idle.
  if (mount && kinds.length) {
    const idle = globalThis.requestIdleCallback ?? ((fn) => setTimeout(fn, 1));
    idle(() => room.prefetch(kinds), { timeout: 2_000 });
  }
  // After the caller's `await createRoom(…)` has had the chance to add listeners.
  if (got.error) setTimeout(() => room[REPORT](got.error), 0);
  return room;
}

/**
 * Where an hls.js player's picture is on the stream's clock, or `null` while it does not
 * know. `playingDate` is the playing fragment's date plus `currentTime`'s distance from it:
 * while the video starts (its `currentTime` still 0, before hls.js seeks to the live
 * position) or seeks, that distance is from a position the picture is not at, and the date
 * can be a minute off either way. Only a video with a frame at a settled position is read.
 */
function hlsPlayhead(hls) {
  const video = hls.media;
  if (video && (video.seeking || video.readyState < 2)) return null;
  return hls.playingDate?.getTime() ?? null;
}

export class Room {
  #core;
  #listeners = new Map();
  #nodes = [];
  #detachers = [];
  #destroyed = false;
  /** Where the overlay's root goes (the shadow root or the mount), and the root itself. */
  #container = null;
  #root = null;
  /** What the core was created with, to create it again after a failure. */
  #coreOptions;
  /** What the core calls back (`emit`, `transport`, `playhead`, `journal`), to create it again after a failure. */
  #hooks;
  /** The steps the room took (`[kind, input, now, clockOffset]`) since its last checkpoint
   * (`["k", room, now, clockOffset]`), to replay after a failure. */
  #journal = [];
  /** Widgets taken down after failures, kept down in every rebuild. */
  #failed = [];
  /** Calls made while the module was restarting, carried out once it is back. */
  #deferred = [];

  /** The options the room was created with (where language packs are), and the host's own texts. */
  #options;
  #ownStrings;

  /** @internal Use `createRoom`. */
  constructor(options, mount, ownStrings = options.strings) {
    this.#options = options;
    this.#ownStrings = ownStrings;
    this.roomId = options.roomId;
    this.sessionId = options.sessionId ?? randomId();
    this.userId = options.userId ?? null;
    if (typeof options.onEvent === 'function') this.on('*', options.onEvent);
    if (typeof options.onError === 'function') this.on('error', options.onError);

    let root = null;
    if (mount) {
      const useShadow = options.shadow !== false;
      const container = useShadow ? (mount.shadowRoot ?? mount.attachShadow({ mode: 'open' })) : mount;
      if (options.css !== false) {
        const href = String(options.cssUrl ?? DEFAULT_CSS_URL);
        const target = useShadow ? container : document.head;
        if (!target.querySelector(`link[data-hudong-css][href="${CSS.escape(href)}"]`)) {
          const link = document.createElement('link');
          link.rel = 'stylesheet';
          link.href = href;
          link.dataset.hudongCss = '';
          target.append(link);
          this.#nodes.push(link);
        }
      }
      this.#container = container;
      root = this.#newRoot();
    }

    try {
      const { core, send, playhead } = coreOptions(options, this);
      this.#coreOptions = core;
      // The journal starts again from each checkpoint the core takes ("k": the whole room).
      const record = (step) => {
        if (step[0] !== 'k') return this.#journal.push(step);
        this.#journal = [step];
        prepareRecovery(this.#journal, this.#coreOptions);
      };
      this.#hooks = { emit: (event) => this.#dispatch(event), transport: send, playhead, journal: record };
      this.#core = new M.RoomCore(root, this.#coreOptions, this.#hooks);
    } catch (err) {
      for (const node of this.#nodes) node.remove();
      throw err;
    }
    this.#tryOn = { ...options.tryOn };
    if (options.tryOn) this.#applyTryOn();
    watch(this);
  }

  #newRoot() {
    const root = document.createElement('div');
    root.className = 'hd-root';
    this.#container.append(root);
    this.#nodes.push(root);
    this.#root = root;
    return root;
  }

  /** @internal After a failure: the room again, from its last state, without the widget. */
  [RESTORE]({ message, widgetId, giveUp, queue }) {
    if (this.#destroyed) return;
    // The failed module's overlay is dropped whole (its handlers go with the element).
    if (this.#root) {
      this.#root.remove();
      this.#nodes = this.#nodes.filter((n) => n !== this.#root);
    }
    const root = this.#container ? this.#newRoot() : null;
    const stop = (why) => {
      this.#core = null;
      this.#dispatch(errorEvent('internal', `${message}; ${why}`, widgetId ? { widget_id: widgetId } : undefined));
      this.destroy();
    };
    if (giveUp) return stop('Hudong failed again and again, and stopped this room');
    if (widgetId && !this.#failed.includes(widgetId)) this.#failed.push(widgetId);
    try {
      // The replayed steps stay in the journal; the rebuilt room adds its own after them.
      // The event queue comes back from storage, or is handed over when storage had none.
      const options = { ...this.#coreOptions, fail_widgets: this.#failed, adopt_queue: queue };
      this.#core = new M.RoomCore(root, options, { ...this.#hooks, replay: this.#journal });
    } catch (err) {
      return stop(`the room could not be restored (${err?.message ?? err}) and stopped`);
    }
    try {
      if (this.#tryOn.tracker || this.#tryOn.onSnapshot) this.#applyTryOn();
    } catch {
      // Checked when it was first set.
    }
    const tookDown = this.#core.tookDown ?? null;
    if (widgetId == null || tookDown != null) {
      const what = tookDown ? `the widget "${tookDown}" was taken down; the room goes on without it` : 'the room was restored';
      this.#dispatch(errorEvent('internal', `${message}; ${what}`, tookDown ? { widget_id: tookDown } : undefined));
    }
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const call of deferred) call();
  }

  #tryOn = {};

  #applyTryOn() {
    const { tracker = null, onSnapshot, maxFps = 0 } = this.#tryOn;
    if (onSnapshot != null && typeof onSnapshot !== 'function') throw new TypeError('tryOn.onSnapshot must be a function');
    this.#core.setTryOn(tracker, onSnapshot ?? undefined, Math.max(0, Math.floor(Number(maxFps) || 0)));
  }

  /**
   * Plugs an AR engine into try-on widgets: an object with `track(source, now)` returning
   * `{x, y, scale?, rotation?}` (fractions of the source, radians) or `null` when lost,
   * and optional `init(source)` and `dispose()`. `null` goes back to hand placement.
   * Throws a TypeError when the object has no `track` function.
   */
  setTracker(tracker) {
    if (this.#destroyed) return;
    this.#tryOn = { ...this.#tryOn, tracker: tracker ?? null };
    // While the module restarts, the restored room takes it.
    if (this.#ready) this.#applyTryOn();
  }

  /**
   * Applies commands carried by a video's metadata text track (WebVTT cues or DataCues
   * whose text is a command message). Returns a function that detaches it.
   */
  attachTextTrack(track) {
    if (track.mode === 'disabled') track.mode = 'hidden';
    const seen = new WeakSet();
    const onCueChange = () => {
      for (const cue of Array.from(track.activeCues ?? [])) {
        if (seen.has(cue)) continue;
        seen.add(cue);
        const text = cue.text ?? (typeof cue.value?.data === 'string' ? cue.value.data : null);
        if (text != null) this.receive(text);
      }
    };
    track.addEventListener('cuechange', onCueChange);
    const detach = () => track.removeEventListener('cuechange', onCueChange);
    this.#detachers.push(detach);
    return detach;
  }

  /**
   * Follows an hls.js player: the room's playhead becomes the player's program-date-time
   * (`hls.playingDate`), and the Hudong commands the stream carries in its timed metadata
   * (ID3 `TXXX` frames described `hudong`, each a message `{pts, ...command}` of at most
   * 1 KB) are held until the video reaches them, like the channel's. Returns a function
   * that detaches it (the room goes back to the playhead function it had, or to none).
   */
  attachHls(hls) {
    if (typeof hls?.on !== 'function' || typeof hls?.off !== 'function' || !('playingDate' in hls)) {
      throw new TypeError('attachHls(hls): hls must be an hls.js player (new Hls())');
    }
    if (this.#destroyed) return () => {};
    const event = hls.constructor?.Events?.FRAG_PARSING_METADATA ?? 'hlsFragParsingMetadata';
    const restore = this.#followPlayhead(() => hlsPlayhead(hls));
    const seen = new Set();
    const onMetadata = (_event, data) => {
      try {
        const frag = data?.frag;
        for (const sample of data?.samples ?? []) {
          // A message without a position takes its sample's: the fragment's date plus the
          // sample's offset in it.
          const at = Number.isFinite(frag?.programDateTime) && Number.isFinite(sample?.pts) && Number.isFinite(frag?.start)
            ? frag.programDateTime + (sample.pts - frag.start) * 1000 : undefined;
          for (const text of hudongFrames(sample?.data)) this.#receiveInband(text, at, seen);
        }
      } catch (err) {
        // A player's object that throws while it is read: said, and nothing else changes.
        this.#dispatch(errorEvent('malformed_command', `the player's metadata could not be read: ${err?.message ?? err}`));
      }
    };
    hls.on(event, onMetadata);
    return this.#detacher(() => {
      hls.off(event, onMetadata);
      restore();
    });
  }

  /**
   * Follows a `<video>` that plays HLS itself (Safari, iOS WebViews): the room's playhead
   * becomes the stream's program-date-time (`video.getStartDate()` plus `currentTime`;
   * while the video does not know it, the room's own playhead stands in), and the Hudong
   * commands in its metadata text tracks (`DataCue`s whose value is an ID3 `TXXX` frame
   * described `hudong`, as WebKit and hls.js make them) are held until the video reaches
   * them. Returns a function that detaches it.
   */
  attachVideo(video) {
    if (!video?.textTracks || typeof video.addEventListener !== 'function') {
      throw new TypeError('attachVideo(video): video must be a <video> element');
    }
    if (this.#destroyed) return () => {};
    const startDate = () => {
      const start = video.getStartDate?.()?.getTime?.();
      return Number.isFinite(start) && start > 0 ? start : null;
    };
    const before = this.#hooks?.playhead;
    const playhead = () => {
      const start = startDate();
      if (start != null && video.readyState > 0) return start + video.currentTime * 1000;
      return typeof before === 'function' ? before() : null;
    };
    const restore = this.#followPlayhead(playhead);
    const seen = new Set();
    const cues = new WeakSet();
    const scan = () => {
      if (this.#destroyed) return;
      for (const track of Array.from(video.textTracks)) {
        if (track.kind !== 'metadata') continue;
        if (track.mode === 'disabled') track.mode = 'hidden';
        for (const cue of Array.from(track.cues ?? [])) {
          if (cues.has(cue)) continue;
          cues.add(cue);
          const value = cue.value;
          if (value?.key !== 'TXXX' || value.info !== 'hudong' || typeof value.data !== 'string') continue;
          // Without a position of its own: where the cue sits on the stream's clock.
          const now = playhead();
          const at = now == null ? undefined : now + (cue.startTime - video.currentTime) * 1000;
          this.#receiveInband(value.data, at, seen);
        }
      }
    };
    const events = ['timeupdate', 'progress', 'loadeddata', 'seeked'];
    for (const e of events) video.addEventListener(e, scan);
    video.textTracks.addEventListener?.('addtrack', scan);
    video.textTracks.addEventListener?.('change', scan);
    scan();
    return this.#detacher(() => {
      for (const e of events) video.removeEventListener(e, scan);
      video.textTracks.removeEventListener?.('addtrack', scan);
      video.textTracks.removeEventListener?.('change', scan);
      restore();
    });
  }

  /** Follows `playhead` from now on; returns what goes back to the one before. */
  #followPlayhead(playhead) {
    const before = this.#hooks.playhead;
    const set = (fn) => {
      // A restart after a failure creates the core with it.
      this.#hooks = { ...this.#hooks, playhead: fn ?? undefined };
      if (fn) delete this.#coreOptions.playhead_delay_ms;
      if (this.#ready) this.#core.setPlayhead(fn ?? null);
      else this.#deferred.push(() => this.#core?.setPlayhead(this.#hooks.playhead ?? null));
    };
    set(playhead);
    return () => {
      if (this.#hooks?.playhead === playhead) set(before);
    };
  }

  #detacher(fn) {
    let done = false;
    const detach = () => {
      if (done) return;
      done = true;
      fn();
    };
    this.#detachers.push(detach);
    return detach;
  }

  /** One message from a stream's metadata: at most 1 KB, once (a fragment parsed again, after a seek, carries it again). */
  #receiveInband(text, at, seen) {
    if (this.#destroyed || seen.has(text)) return;
    seen.add(text);
    if (seen.size > 512) seen.delete(seen.values().next().value);
    let message;
    try {
      message = inbandMessage(text, at);
    } catch (err) {
      this.#dispatch(errorEvent('malformed_command', err.message));
      return;
    }
    this.receive(message);
  }

  /** Whether the core can be called now (not destroyed, not restarting after a failure). */
  get #ready() {
    return !this.#destroyed && !failure && this.#core != null;
  }

  /** @internal Whether this room's journal starts from a checkpoint. */
  [CHECKPOINTED]() {
    return this.#journal[0]?.[0] === 'k';
  }

  /** @internal Throws if the module cannot serve this room. */
  [PROBE]() {
    if (this.#ready) this.#core.serverNow();
  }

  /**
   * Switches the overlay's language live (`'en'`, `'th'`, …), fetching its language pack
   * when it needs one; `options.strings` replaces texts as in `createRoom`. Widgets keep
   * their state. Resolves to `{ok: true}`, or `{ok: false, error}` (a malformed tag or an
   * unknown key: nothing changes). A pack that cannot load leaves that language's built-in
   * texts and reports `locale_unavailable`, as `createRoom` does.
   */
  async setLocale(locale, options = {}) {
    if (this.#destroyed) return this.#fail(errorEvent('not_open', 'this room was destroyed'));
    if (typeof locale !== 'string' || !locale) return this.#fail(errorEvent('invalid_field', 'setLocale(locale): locale must be a language tag like "en" or "th"'));
    const own = options.strings ?? this.#ownStrings;
    let strings = own;
    let error = null;
    if (this.#container) {
      const pack = M.localePack(locale);
      const got = pack ? await fetchPack(pack, this.#options) : {};
      if (this.#destroyed) return this.#fail(errorEvent('not_open', 'this room was destroyed'));
      error = got.error ?? null;
      if (got.texts) strings = { ...got.texts, ...own };
    }
    const result = this.#call(() => this.#core.setLocale(locale, strings ?? null));
    if (result.ok) {
      // A restart after a failure comes back in this language.
      this.#coreOptions.locale = locale;
      this.#coreOptions.strings = strings;
      this.#ownStrings = own;
      if (error) this.#dispatch(error);
    }
    return result;
  }

  /** Votes in a poll: `room.vote('p1', 'a')` or `room.vote('p1', ['a', 'c'])`. */
  vote(widgetId, optionIds) {
    return this.act({ type: 'poll.vote', widget_id: widgetId, option_ids: [].concat(optionIds) });
  }

  /**
   * Listens to events: an exact type (`'poll.vote'`), a family (`'poll.*'`), every
   * event (`'*'`), or errors (`'error'`). Returns a function that removes the listener.
   */
  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError('on(type, listener): listener must be a function');
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  get destroyed() {
    return this.#destroyed;
  }

  /** Unmounts every widget and releases every listener and timer. Idempotent. */
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    unwatch(this);
    this.#deferred = [];
    try {
      for (const detach of this.#detachers) detach();
      // During a restart the old core belongs to the failed module: it is let go of there.
      if (this.#core && !failure) {
        this.#core.destroy();
        this.#core.free();
      }
    } catch (err) {
      // The module could not let go of the room: it is unusable, and is restarted for the
      // other rooms. destroy() itself never throws.
      moduleFault(err);
    } finally {
      // Nothing of the room stays behind in a Room object the page keeps.
      this.#core = null;
      this.#options = null;
      this.#journal = [];
      this.#coreOptions = null;
      this.#hooks = null;
      this.#tryOn = {};
      for (const node of this.#nodes) node.remove();
      this.#nodes = [];
      this.#listeners.clear();
    }
  }

  /**
   * Fetches the code of these kinds of widget now (`['poll', 'flash_sale']`; left out: every
   * kind), so that their first frame need not wait for it: each kind's view is its own small file, otherwise
   * fetched when a widget of that kind is first drawn. Resolves to whether all of it
   * arrived (what did not is fetched again when drawn); `true` at once in the headless build.
   */
  async prefetch(kinds) {
    if (kinds !== undefined && (!Array.isArray(kinds) || kinds.some((k) => typeof k !== 'string'))) {
      throw new TypeError('room.prefetch(kinds): kinds must be an array of widget kinds, e.g. ["poll", "flash_sale"], or left out for every kind');
    }
    if (this.#destroyed || !M.hasViews()) return !this.#destroyed;
    try {
      return await M.prefetch(kinds);
    } catch {
      return false;
    }
  }

  /** @internal A call into the core, guarded as `GUARDED` says for `name`. */
  [GUARD](name, args, [kind, fallback]) {
    if (kind === 'call') return this.#call(() => this.#core[name](...args));
    if (this.#destroyed) return fallback?.(this);
    if (!this.#ready) {
      if (kind === 'defer') this.#deferred.push(() => this[name](...args));
      return fallback?.(this);
    }
    if (kind === 'defer') return this.#core[name](...args);
    try {
      return this.#core[name](...args);
    } catch (err) {
      // The read found the module unusable: it restarts, and the room answers the fallback.
      moduleFault(err);
      return fallback?.(this);
    }
  }

  #call(fn) {
    if (this.#destroyed) return this.#fail(errorEvent('not_open', 'this room was destroyed'));
    if (failure) {
      // The module is restarting after a failure: this is carried out once it is back.
      this.#deferred.push(() => this.#call(fn));
      return { ok: true, deferred: true };
    }
    try {
      return fn();
    } catch (err) {
      // Only a fault inside the module gets here; bad input never throws. After a panic
      // the restart reports it, with the widget that failed; anything else is a failure
      // no widget is blamed for, and restarts the module all the same.
      if (!failure) moduleFault(err);
      const { message, widgetId } = failure;
      return { ok: false, error: { code: 'internal', message, ...(widgetId ? { widget_id: widgetId } : {}) } };
    }
  }

  #fail(error) {
    this.#dispatch(error);
    const { type: _type, ...rest } = error;
    return { ok: false, error: rest };
  }

  /** @internal an error found while creating the room. */
  [REPORT](error) {
    if (!this.#destroyed) this.#dispatch(error);
  }

  #dispatch(event) {
    const type = event.type;
    const dot = type.indexOf('.');
    const keys = [type, dot > 0 ? `${type.slice(0, dot)}.*` : null, type === 'error' ? null : '*'];
    for (const key of keys) {
      const set = key && this.#listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (err) {
          console.error('[hudong] an event listener threw', err);
        }
      }
    }
  }
}

for (const [name, guard] of Object.entries(GUARDED)) {
  // As a class would define them: methods writable (a page may wrap one), none enumerable.
  const call = guard[0] === 'get'
    ? { get() { return this[GUARD](name, [], guard); } }
    : { value(...args) { return this[GUARD](name, args, guard); }, writable: true };
  Object.defineProperty(Room.prototype, name, { ...call, configurable: true });
}
