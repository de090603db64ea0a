// The room's options as the page writes them (camelCase, relative URLs, functions, a
// video element) turned into what the wasm core takes (snake_case, absolute URLs) and the
// hooks it calls back. Only what needs the page is done here: the core checks the values
// (a transport or command type it does not know, a missing URL) once, with typed errors.

/** A random session id. */
export function randomId() {
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
  if (type !== 'websocket') return { type, url: url == null ? url : absolute(url), snapshot_url: snapshotUrl == null ? undefined : absolute(snapshotUrl) };
  const u = new URL(url, document.baseURI);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  return { type, url: String(u) };
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
    // The host function gets the batch as an object; the core hands over its JSON text.
    return { spec: { type }, send: typeof send === 'function' ? (body) => send(JSON.parse(body)) : undefined };
  }
  const resolved = url == null ? undefined : String(new URL(url, document.baseURI));
  const beacon = beaconUrl == null ? undefined : String(new URL(beaconUrl, document.baseURI));
  return { spec: { type, url: resolved, beacon_url: beacon, headers: headers ?? {} }, send: undefined };
}

/**
 * The core's options for a room (`ids`: its room, session and user), the transport's send
 * function and the playhead's function, which go to the core as hooks.
 */
export function coreOptions(options, ids) {
  const transport = transportOptions(options.transport);
  const playhead = playheadOptions(options.playhead);
  const core = {
    room_id: ids.roomId,
    session_id: ids.sessionId,
    user_id: ids.userId ?? undefined,
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
  return { core, send: transport.send, playhead: playhead.fn };
}
