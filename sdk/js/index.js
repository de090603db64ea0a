// Hudong: interactive overlay widgets for live-commerce pages.
// The thin JavaScript face of the wasm module: loading, mounting, listeners, options.
import init, { RoomCore, hasViews, localePack, minorDigits as wasmMinorDigits, stringKeys as wasmStringKeys } from './hudong_wasm.js';

const DEFAULT_CSS_URL = new URL('./hudong.css', import.meta.url);
// One literal `new URL` per pack, so bundlers (Vite, webpack) see and emit each file.
const PACK_URLS = {
  'zh-TW': () => new URL('./locales/zh-TW.json', import.meta.url),
  id: () => new URL('./locales/id.json', import.meta.url),
  th: () => new URL('./locales/th.json', import.meta.url),
  vi: () => new URL('./locales/vi.json', import.meta.url),
};

const REPORT = Symbol('report');

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
    loading = init(arg).then(
      () => {
        loaded = true;
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
  return wasmStringKeys();
}

/**
 * Decimal places of a currency's minor unit (ISO 4217), as Hudong reads prices: 2 for CNY
 * (分), 0 for JPY and VND. `price / 10 ** minorDigits(currency)` is the amount. After `load()`.
 * @param {string} currency
 * @returns {number}
 */
export function minorDigits(currency) {
  if (!loaded) throw new Error('minorDigits(): call `await load()` first');
  return wasmMinorDigits(String(currency));
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
  if (mount && !hasViews()) {
    throw new TypeError('createRoom(options): this is the headless build (hudong/headless), which draws nothing: leave out options.mount and render the widgets from room.widgets, or import "hudong" for the overlay');
  }
  // Languages other than Simplified Chinese and English come as packs, fetched for the rooms
  // that need them; a pack that cannot load leaves the built-in texts and says so.
  const pack = mount ? localePack(String(options.locale ?? 'zh-CN')) : undefined;
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
      root = document.createElement('div');
      root.className = 'hd-root';
      container.append(root);
      this.#nodes.push(root);
    }

    const transport = transportOptions(options.transport);
    const playhead = playheadOptions(options.playhead);
    try {
      this.#core = new RoomCore(
        root,
        {
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
        },
        (event) => this.#dispatch(event),
        transport.send,
        playhead.fn,
      );
    } catch (err) {
      for (const node of this.#nodes) node.remove();
      throw err;
    }
    this.#tryOn = { ...options.tryOn };
    if (options.tryOn) this.#applyTryOn();
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
    this.#applyTryOn();
  }

  /**
   * Applies a command from your room backend (an object or a JSON string).
   * Never throws for bad input: returns `{ ok: false, error }` and emits an `error` event.
   */
  apply(command) {
    if (typeof command === 'string') {
      try {
        command = JSON.parse(command);
      } catch (err) {
        return this.#fail(errorEvent('malformed_command', `not JSON: ${err.message}`));
      }
    }
    return this.#call(() => this.#core.apply(command));
  }

  /**
   * Takes one message from any command source you run yourself (a player's metadata
   * callback, your own socket): `{seq?, pts?, ...command}`. With `seq`, messages are put in
   * room order; with `pts`, they wait until the viewer's video reaches that moment.
   */
  receive(message) {
    if (typeof message === 'string') {
      try {
        message = JSON.parse(message);
      } catch (err) {
        return this.#fail(errorEvent('malformed_command', `not JSON: ${err.message}`));
      }
    }
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

  /** Server time now (ms since the epoch), from the synced clock. */
  serverNow() {
    return this.#destroyed ? Date.now() : this.#core.serverNow();
  }

  /** The command connection: `'none'`, `'connecting'`, `'live'`, `'reconnecting'` or `'closed'`. */
  get channelState() {
    return this.#destroyed ? 'closed' : this.#core.channelState();
  }

  /** Drops and re-establishes the command connection (it resyncs on the way). */
  reconnect() {
    if (!this.#destroyed) this.#core.reconnect();
  }

  /** The room as a server sends it to a late joiner. */
  snapshot() {
    return this.#destroyed ? { type: 'room.snapshot', widgets: [] } : this.#core.snapshot();
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
    if (!this.#destroyed) this.#core.flush();
  }

  /**
   * Records the viewer's consent to sending events: `'granted'` sends what was held,
   * `'denied'` purges it and discards later events, `'pending'` holds them.
   */
  setConsent(consent) {
    if (!this.#destroyed) this.#core.setConsent(consent);
  }

  /** Delivery counters, or `null` without a transport. */
  get delivery() {
    return this.#destroyed ? null : this.#core.delivery();
  }

  /** Batches the collector refused for good, with their events. */
  get deadLetters() {
    return this.#destroyed ? [] : this.#core.deadLetters();
  }

  /** Puts dead-lettered events back in the queue. Returns how many. */
  retryDeadLetters() {
    return this.#destroyed ? 0 : this.#core.retryDeadLetters();
  }

  /** The live widgets and their state. */
  get widgets() {
    return this.#destroyed ? [] : this.#core.widgets();
  }

  get destroyed() {
    return this.#destroyed;
  }

  /** Unmounts every widget and releases every listener and timer. Idempotent. */
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    try {
      for (const detach of this.#detachers) detach();
      this.#core.destroy();
      this.#core.free();
    } finally {
      for (const node of this.#nodes) node.remove();
      this.#nodes = [];
      this.#listeners.clear();
    }
  }

  #call(fn) {
    if (this.#destroyed) return this.#fail(errorEvent('not_open', 'this room was destroyed'));
    try {
      return fn();
    } catch (err) {
      // Only a fault inside the module gets here; bad input never throws.
      return this.#fail(errorEvent('internal', `Hudong failed: ${err?.message ?? err}`));
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
