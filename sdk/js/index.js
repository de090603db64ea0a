// Hudong: interactive overlay widgets for live-commerce pages.
// The thin JavaScript face of the wasm module: loading, mounting, listeners, options.
import * as shipped from './hudong_wasm.js';

/**
 * The module in use: the shipped one, until a failure has to restore a room from a
 * checkpoint of its journal, which only the recovery build (`./recover/`, readied when the
 * page is idle once a journal has a checkpoint, see `prepareRecovery`) can read.
 */
let M = shipped;

/** The recovery build, made ready ahead (see `prepareRecovery`), if it was. */
let recoveryReady;

/**
 * Once a room's journal has its first checkpoint, the recovery build is fetched, compiled
 * and warmed up when the page is idle: a throwaway room, with no transport, source or
 * storage, is restored from that journal into a detached element, so the code a recovery
 * runs is compiled before it is needed, and a failure later restores the rooms in tens of
 * milliseconds instead of waiting for a download and a cold start. Skipped when the viewer
 * asked to save data; a failure then fetches it.
 */
function prepareRecovery(journal, options) {
  if (recoveryReady || M.canRestore() || globalThis.navigator?.connection?.saveData) return;
  const idle = globalThis.requestIdleCallback ?? ((fn) => setTimeout(fn, 1_000));
  recoveryReady = new Promise((ready) => idle(ready, { timeout: 10_000 }))
    .then(startRecovery)
    .then((recovery) => {
      const quiet = { ...options, transport: undefined, commands: undefined, time_url: undefined, persist: false, consent: 'denied' };
      const room = new recovery.RoomCore(document.createElement('div'), quiet, { emit: () => {}, replay: [...journal] });
      room.destroy();
      room.free();
      return recovery;
    })
    .catch(() => {
      recoveryReady = undefined; // fetched again when a failure needs it
    });
}

/** Fetches, compiles and instantiates the recovery build. */
async function startRecovery() {
  const recovery = await import('./recover/hudong_wasm.js');
  await recovery.default({ module_or_path: new URL('./recover/hudong_wasm_bg.wasm', import.meta.url) });
  return recovery;
}

/** The recovery build for the rooms: a fresh instance of the warmed-up one, or started now. */
async function recoveryModule() {
  const ready = await recoveryReady;
  if (!ready) return startRecovery();
  ready.__wbg_reset_state();
  return ready;
}

const DEFAULT_CSS_URL = new URL('./hudong.css', import.meta.url);
// One literal `new URL` per pack, so bundlers (Vite, webpack) see and emit each file.
const PACK_URLS = {
  'zh-TW': () => new URL('./locales/zh-TW.json', import.meta.url),
  id: () => new URL('./locales/id.json', import.meta.url),
  th: () => new URL('./locales/th.json', import.meta.url),
  vi: () => new URL('./locales/vi.json', import.meta.url),
};

const REPORT = Symbol('report');
const RESTORE = Symbol('restore');
const PROBE = Symbol('probe');
const CHECKPOINTED = Symbol('checkpointed');

// Failure isolation. A panic inside the module (a bug in one widget's code) leaves it
// unusable: wasm cannot unwind. The module tells us which widget's code was running; we
// let go of what its rooms hold in the page, start a fresh instance of the module, and
// rebuild every room by replaying its journal (the steps it took: a room is a pure function
// of them), then take that widget down. The room reports an `internal` error with the
// widget's id; the other widgets go on where they were, and the event queue (from storage,
// or handed over when there is none) is taken over by the rebuilt room.
const liveRooms = new Set();
/** `{message, widgetId}` between a panic and the restart that follows it. */
let failure = null;
const restarts = [];
/** More restarts than this within the window and the rooms stop instead (a failure that
 * no widget can be blamed for, and that comes back). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

function onPanic(message, widgetId) {
  if (failure) return; // a second failure while letting go of the first
  failure = { message: String(message), widgetId: widgetId ?? null };
  // After the failed call has unwound.
  setTimeout(restart, 0);
}

/**
 * A failure no widget can be blamed for: an exception that came out of the module where
 * none ever should (its stack exhausted, its memory corrupt). The module may be left
 * unusable for every room, so it is restarted and the rooms rebuilt, as after a widget's
 * failure, with no widget taken down.
 */
function moduleFault(err) {
  onPanic(`Hudong failed: ${err?.message ?? err}`, undefined);
}

/** A live room, watched for failures (the page's error events only while there is one). */
function watch(room) {
  if (liveRooms.size === 0) {
    globalThis.addEventListener?.('error', checkModule);
    globalThis.addEventListener?.('unhandledrejection', checkModule);
  }
  liveRooms.add(room);
}

function unwatch(room) {
  if (!liveRooms.delete(room) || liveRooms.size > 0) return;
  globalThis.removeEventListener?.('error', checkModule);
  globalThis.removeEventListener?.('unhandledrejection', checkModule);
}

/**
 * An uncaught error in the page that may have come out of the module (from one of its
 * timers, sockets or frames, where no call of ours can catch it): each live room is asked
 * something cheap, and if the module cannot answer, it is restarted. Errors of the page's
 * own, or of another module, find it answering and change nothing.
 */
function checkModule(event) {
  const err = event?.error ?? event?.reason;
  const fromWasm = err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /wasm/.test(String(err.stack)));
  if (!fromWasm || failure) return;
  for (const room of liveRooms) {
    try {
      room[PROBE]();
    } catch {
      moduleFault(err);
      return;
    }
  }
}

function restart() {
  try {
    failure.queues = M.releaseAll();
  } catch {
    // The failed module could not release everything; what it could not is dropped below.
  }
  // What the release set in motion inside the failed module runs there before it is
  // replaced: unmounting the overlays (microtasks), and the last turn of the views' frame
  // loops, which end instead of scheduling another (one frame; a hidden tab has none).
  let done = false;
  const next = () => {
    if (done) return;
    done = true;
    setTimeout(rebuild, 0);
  };
  requestAnimationFrame(next);
  setTimeout(next, 100);
}

async function rebuild() {
  const { message, widgetId, queues } = failure;
  const now = Date.now();
  while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
  restarts.push(now);
  let giveUp = restarts.length > MAX_RESTARTS;
  try {
    // A room whose journal starts from a checkpoint is restored by the recovery build;
    // otherwise the module starts again as it was loaded.
    const checkpointed = [...liveRooms].some((room) => room[CHECKPOINTED]());
    if (!giveUp && checkpointed && !M.canRestore()) M = await recoveryModule();
    else M.__wbg_reset_state();
    M.setPanicHandler(onPanic);
  } catch (err) {
    console.error('[hudong] the module could not be restarted', err);
    giveUp = true;
  }
  failure = null;
  for (const room of [...liveRooms]) room[RESTORE]({ message, widgetId, giveUp, queue: queues?.[room.sessionId] });
}

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
    const arg = options.wasmUrl ? { module_or_path: options.wasmUrl } : undefined;
    loading = M.default(arg).then(
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

function randomId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function randomSeed() {
  if (globalThis.crypto?.getRandomValues) {
    const [a, b] = crypto.getRandomValues(new Uint32Array(2));
    return (a & 0x1fffff) * 2 ** 32 + b; // 53 random bits
  }
  return Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
}

function errorEvent(code, message, extra) {
  return { type: 'error', code, message, ...extra };
}

const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function snakeKeys(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[snake(k)] = v;
  return out;
}

const absolute = (url) => String(new URL(url, document.baseURI));

/** Normalizes the `commands` option: where commands come from. */
function commandOptions(commands) {
  if (commands == null) return undefined;
  const { type, url, snapshotUrl } = commands;
  if (type === 'websocket') {
    const u = new URL(url, document.baseURI);
    if (u.protocol === 'http:') u.protocol = 'ws:';
    if (u.protocol === 'https:') u.protocol = 'wss:';
    return { type, url: String(u) };
  }
  if (type === 'sse') {
    if (snapshotUrl == null) throw new TypeError('createRoom(options): commands of type "sse" need a snapshotUrl');
    return { type, url: absolute(url), snapshot_url: absolute(snapshotUrl) };
  }
  throw new TypeError('createRoom(options): commands.type must be "websocket" or "sse"');
}

/** Normalizes the `playhead` option into a fixed delay or a function returning stream time. */
function playheadOptions(playhead) {
  if (playhead == null) return { delay: undefined, fn: undefined };
  if (typeof playhead === 'function') return { delay: undefined, fn: playhead };
  if (typeof playhead.delayMs === 'number') return { delay: playhead.delayMs, fn: undefined };
  if (typeof playhead.get === 'function') return { delay: undefined, fn: playhead.get };
  if (playhead.video) {
    const video = playhead.video;
    // HLS in Safari and iOS WebViews exposes the program-date-time of the stream start.
    return {
      delay: undefined,
      fn: () => {
        const start = video.getStartDate?.()?.getTime?.();
        return Number.isFinite(start) && start > 0 ? start + video.currentTime * 1000 : null;
      },
    };
  }
  throw new TypeError('createRoom(options): playhead must be {delayMs}, {video}, {get} or a function');
}

/** Normalizes the `transport` option into what the wasm core takes, plus a send function. */
function transportOptions(transport) {
  if (transport == null || transport === 'none') return { spec: undefined, send: undefined };
  if (transport === 'console') return { spec: { type: 'console' }, send: undefined };
  if (typeof transport === 'function') transport = { type: 'function', send: transport };
  if (typeof transport !== 'object') throw new TypeError('createRoom(options): transport must be an object, a function or "console"');
  const { type, url, beaconUrl, headers, send } = transport;
  if (type === 'function') {
    if (typeof send !== 'function') throw new TypeError('createRoom(options): transport.send must be a function');
    // The host function gets the batch as an object; the core hands over its JSON text.
    return { spec: { type }, send: (body) => send(JSON.parse(body)) };
  }
  const resolved = url == null ? undefined : String(new URL(url, document.baseURI));
  const beacon = beaconUrl == null ? undefined : String(new URL(beaconUrl, document.baseURI));
  return { spec: { type, url: resolved, beacon_url: beacon, headers: headers ?? {} }, send: undefined };
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
  await load(options);
  if (mount && !M.hasViews()) {
    throw new TypeError('createRoom(options): this is the headless build (hudong/headless), which draws nothing: leave out options.mount and render the widgets from room.widgets, or import "hudong" for the overlay');
  }
  // Languages other than Simplified Chinese and English come as packs, fetched for the rooms
  // that need them; a pack that cannot load leaves the built-in texts and says so.
  const pack = mount ? M.localePack(String(options.locale ?? 'zh-CN')) : undefined;
  const got = pack ? await fetchPack(pack, options) : {};
  const room = new Room({ ...options, strings: got.texts ? { ...got.texts, ...options.strings } : options.strings }, mount);
  // After the caller's `await createRoom(…)` has had the chance to add listeners.
  if (got.error) setTimeout(() => room[REPORT](got.error), 0);
  return room;
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

  /** @internal Use `createRoom`. */
  constructor(options, mount) {
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

    const transport = transportOptions(options.transport);
    const playhead = playheadOptions(options.playhead);
    try {
      this.#coreOptions = {
          room_id: this.roomId,
          session_id: this.sessionId,
          user_id: this.userId ?? undefined,
          seed: options.seed ?? randomSeed(),
          server_time_offset_ms: Number(options.serverTimeOffsetMs ?? 0),
          locale: options.locale ?? 'zh-CN',
          theme: options.theme ?? 'auto',
          strings: options.strings ?? undefined,
          transport: transport.spec,
          format: options.format ?? 'hudong',
          write_key: options.writeKey,
          delivery: snakeKeys(options.delivery),
          consent: options.consent ?? 'granted',
          personal: { user_id: options.personalData?.userId ?? 'keep', salt: options.personalData?.salt ?? '' },
          persist: options.persist !== false,
          commands: commandOptions(options.commands),
          time_url: options.timeUrl == null ? undefined : absolute(options.timeUrl),
          playhead_delay_ms: playhead.delay,
          channel: snakeKeys(options.channel),
      };
      // The journal starts again from each checkpoint the core takes ("k": the whole room).
      const record = (step) => {
        if (step[0] !== 'k') return this.#journal.push(step);
        this.#journal = [step];
        prepareRecovery(this.#journal, this.#coreOptions);
      };
      this.#hooks = { emit: (event) => this.#dispatch(event), transport: transport.send, playhead: playhead.fn, journal: record };
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
   * Applies a command from your room backend (an object or a JSON string).
   * Never throws for bad input: returns `{ ok: false, error }` and emits an `error` event.
   */
  apply(command) {
    return this.#call(() => this.#core.apply(command));
  }

  /**
   * Takes one message from any command source you run yourself (a player's metadata
   * callback, your own socket): `{seq?, pts?, ...command}`. With `seq`, messages are put in
   * room order; with `pts`, they wait until the viewer's video reaches that moment.
   */
  receive(message) {
    return this.#call(() => this.#core.receive(message));
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

  /** Whether the core can be called now (not destroyed, not restarting after a failure). */
  get #ready() {
    return !this.#destroyed && !failure && this.#core != null;
  }

  /**
   * A read of the core that never throws: while the module restarts, or if the read finds
   * it unusable (which then restarts it), the fallback.
   */
  #read(fn, fallback) {
    if (!this.#ready) return fallback;
    try {
      return fn();
    } catch (err) {
      moduleFault(err);
      return fallback;
    }
  }

  /** @internal Whether this room's journal starts from a checkpoint. */
  [CHECKPOINTED]() {
    return this.#journal[0]?.[0] === 'k';
  }

  /** @internal Throws if the module cannot serve this room. */
  [PROBE]() {
    if (this.#ready) this.#core.serverNow();
  }

  /** Server time now (ms since the epoch), from the synced clock. */
  serverNow() {
    return this.#read(() => this.#core.serverNow(), Date.now());
  }

  /** The command connection: `'none'`, `'connecting'`, `'live'`, `'reconnecting'` or `'closed'`. */
  get channelState() {
    if (this.#destroyed) return 'closed';
    return this.#read(() => this.#core.channelState(), 'reconnecting');
  }

  /** Drops and re-establishes the command connection (it resyncs on the way). */
  reconnect() {
    this.#read(() => this.#core.reconnect());
  }

  /** The room as a server sends it to a late joiner. */
  snapshot() {
    return this.#read(() => this.#core.snapshot(), { type: 'room.snapshot', widgets: [] });
  }

  /** Performs a viewer action, as a tap on the overlay would (for custom UIs). */
  act(action) {
    return this.#call(() => this.#core.act(action));
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

  /** Sends queued events now rather than at the next batch. */
  flush() {
    this.#read(() => this.#core.flush());
  }

  /**
   * Records the viewer's consent to sending events: `'granted'` sends what was held,
   * `'denied'` purges it and discards later events, `'pending'` holds them.
   */
  setConsent(consent) {
    if (this.#destroyed) return;
    if (!this.#ready) {
      this.#deferred.push(() => this.setConsent(consent));
      return;
    }
    this.#core.setConsent(consent);
  }

  /** Delivery counters, or `null` without a transport. */
  get delivery() {
    return this.#read(() => this.#core.delivery(), null);
  }

  /** Batches the collector refused for good, with their events. */
  get deadLetters() {
    return this.#read(() => this.#core.deadLetters(), []);
  }

  /** Puts dead-lettered events back in the queue. Returns how many. */
  retryDeadLetters() {
    return this.#read(() => this.#core.retryDeadLetters(), 0);
  }

  /** The live widgets and their state. */
  get widgets() {
    return this.#read(() => this.#core.widgets(), []);
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
      this.#journal = [];
      this.#coreOptions = null;
      this.#hooks = null;
      this.#tryOn = {};
      for (const node of this.#nodes) node.remove();
      this.#nodes = [];
      this.#listeners.clear();
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
