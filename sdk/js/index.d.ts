// Type declarations for the `hudong` package. The protocol is documented in docs/protocol.md.

import type {
  Action, Command, HudongError, HudongEvent, RoomSnapshotCommand, WidgetState, PollOptionSpec,
  PollOpenCommand, PollCloseCommand, WidgetRemoveCommand, FlashOpenCommand, FlashEndCommand, QuizOpenCommand,
  QuizQuestionCommand, QuizCloseCommand, RedeemOpenCommand, TryOnOpenCommand, LotteryOpenCommand,
  CouponOpenCommand, LikesOpenCommand, LeadOpenCommand, WidgetKind,
} from './protocol.js';

/** The protocol version of commands and events this build speaks. */
export declare const PROTOCOL_VERSION: 1;

/** Downloads and compiles the wasm module once. `createRoom` calls it for you. */
export declare function load(options?: { wasmUrl?: string | URL }): Promise<void>;

/** Creates a room: the widgets of one live room for one viewer. */
export declare function createRoom(options: RoomOptions): Promise<Room>;

/** The keys of the overlay's texts that `options.strings` may replace (after `load()`). */
export declare function stringKeys(): HudongStringKey[];

/** Decimal places of a currency's minor unit (ISO 4217) as Hudong reads prices (after `load()`). */
export declare function minorDigits(currency: string): number;

/** The key of one of the overlay's texts (the fields of `Strings` in widgets/src/i18n). */
export type HudongStringKey = string; // generated

export interface RoomOptions {
  /** Your live room's id. */
  roomId: string;
  /** Where the overlay renders: an element or a CSS selector. Omit for headless use. */
  mount?: Element | string | null;
  /** The signed-in viewer, if any. Used in idempotency keys and events. */
  userId?: string;
  /** One page load of one viewer. Defaults to a random UUID. */
  sessionId?: string;
  /**
   * BCP 47 tag: `zh-CN` (default) and `en` built in; `zh-TW` (also `zh-HK`, `zh-Hant`),
   * `id`, `th`, `vi` from a language pack fetched for the room (`locale_unavailable` error
   * event and the built-in texts if it cannot load). Numbers, prices and dates are formatted
   * for the tag itself. A malformed tag is a `TypeError`.
   */
  locale?: string;
  /**
   * Your own texts in place of Hudong's, by key, for this room's locale:
   * `{ poll: '人气投票', grab: '马上抢' }`. An unknown key is a `TypeError`.
   */
  strings?: Partial<Record<HudongStringKey, string>>;
  /** `auto` (default) follows the system; `light` or `dark` forces one. */
  theme?: 'auto' | 'light' | 'dark';
  /** Server time minus device time, in ms, if you measured it. */
  serverTimeOffsetMs?: number;
  /** Render into an open shadow root (default) or straight into `mount` (`false`). */
  shadow?: boolean;
  /** Load the default stylesheet (default `true`), or not, to bring your own. */
  css?: boolean;
  /**
   * Kinds of widget this room will likely open (`['poll', 'flash_sale']`). Each kind's view
   * is its own small file, fetched when a widget of that kind is first drawn; the kinds
   * named here are fetched as soon as the page is idle, so their first frame need not wait.
   */
  prefetch?: WidgetKind[];
  /** Where the stylesheet lives, if you host it elsewhere. */
  cssUrl?: string | URL;
  /** Where the language packs (`zh-TW.json`, `id.json`, `th.json`, `vi.json`) live, if not beside the module. */
  localesUrl?: string | URL;
  /** Where the wasm module lives, if you host it elsewhere. */
  wasmUrl?: string | URL;
  /**
   * Where events go, durably and exactly once per `event_id`: an HTTP collector, a
   * WebSocket, your own function, or `'console'`. Without it, events only reach listeners.
   */
  transport?: Transport;
  /** Body format of batches: Hudong's own (default) or the Segment HTTP batch API. */
  format?: 'hudong' | 'segment';
  /** Segment write key, sent in the batch body (beacons cannot carry headers). */
  writeKey?: string;
  /** Batching, retry and bound settings; see docs/delivery.md for the defaults. */
  delivery?: DeliveryOptions;
  /** Whether the viewer agreed to their events being sent. Default `'granted'`. */
  consent?: Consent;
  /** What to do with personal fields before events leave the device. */
  personalData?: { userId?: 'keep' | 'hash' | 'omit'; salt?: string };
  /** Keep the queue in localStorage so reloads and closed tabs lose nothing (default `true`). */
  persist?: boolean;
  /** Where commands come from; without it, feed them with `apply()` or `receive()`. */
  commands?: { type: 'websocket'; url: string | URL } | { type: 'sse'; url: string | URL; snapshotUrl: string | URL };
  /** The backend's time endpoint, answering `{"now": ms}`: countdowns then follow server time. */
  timeUrl?: string | URL;
  /**
   * Where the viewer's video is in stream time, so commands carrying a `pts` wait for it:
   * a fixed delay behind the live edge, a `<video>` with program-date-time, or a function.
   */
  playhead?: { delayMs: number } | { video: HTMLVideoElement } | { get: () => number | null } | (() => number | null);
  /** Gap and hold limits of the command channel. */
  channel?: { gapTimeoutMs?: number; maxHeld?: number; maxHoldMs?: number };
  /** Shorthand for `room.on('*', fn)`. */
  onEvent?: (event: HudongEvent) => void;
  /** Shorthand for `room.on('error', fn)`. */
  onError?: (error: HudongErrorEvent) => void;
  /** Seed for event ids (tests and replays). Defaults to a random one. */
  seed?: number;
  /** AR try-on hooks: the tracker, the snapshot receiver, the tracker's frame cap. */
  tryOn?: { tracker?: Tracker | null; onSnapshot?: (jpeg: Blob) => void; maxFps?: number };
}

/** Where a tracker puts the product: fractions of the source's width and height
 * (unmirrored camera coordinates), a scale of the product's width, radians clockwise. */
export interface TrackerPose {
  x: number;
  y: number;
  scale?: number;
  rotation?: number;
}

/** Any AR engine (a face-landmark model, a hand tracker…) wrapped in three calls. */
export interface Tracker {
  /** Once per session, with the camera's `<video>` or the photo's `<img>`. */
  init?(source: HTMLVideoElement | HTMLImageElement): void | Promise<void>;
  /** For each new frame (capped at `maxFps`): the pose, or `null` when the target is lost. */
  track(source: HTMLVideoElement | HTMLImageElement, now: number): TrackerPose | null;
  /** When the session ends (close, page hidden, widget removed, room destroyed). */
  dispose?(): void;
}

/** What `apply`, `act`, `setLocale`, … return; `error` is there only when `ok` is false. */
export type Result = { ok: true; error?: undefined } | { ok: false; error: HudongError };

export type Consent = 'granted' | 'pending' | 'denied';

export type Transport =
  | 'console'
  | ((batch: EventBatch) => Promise<unknown>)
  | { type: 'http'; url: string | URL; beaconUrl?: string | URL; headers?: Record<string, string> }
  | { type: 'websocket'; url: string | URL }
  | { type: 'function'; send: (batch: EventBatch) => Promise<unknown> }
  | { type: 'console' };

/** What a function transport receives (with `format: 'hudong'`). Resolve when stored. */
export interface EventBatch {
  v: 1;
  batch_id: number;
  sent_at: number;
  /** Events dropped from a full queue since the last delivered batch. */
  dropped: number;
  events: HudongEvent[];
}

export interface DeliveryOptions {
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  flushIntervalMs?: number;
  maxQueueEvents?: number;
  maxQueueBytes?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  beaconMaxBytes?: number;
}

export interface DeliveryStats {
  queued: number;
  in_flight: number;
  delivered: number;
  dropped: number;
  dead_lettered: number;
  discarded_no_consent: number;
  retries: number;
}

export interface DeadLetter {
  status: number;
  reason: string;
  at: number;
  events: { id: string; body: string; at: number }[];
}

/** What `room.attachHls` needs of an hls.js player (`new Hls()` has it). */
export interface HlsLike {
  readonly playingDate: Date | null;
  on(event: any, listener: any): unknown;
  off(event: any, listener: any): unknown;
}

export declare class Room {
  private constructor();
  readonly roomId: string;
  readonly sessionId: string;
  readonly userId: string | null;
  readonly destroyed: boolean;
  /** The live widgets and their state. */
  readonly widgets: WidgetState[];
  /** Applies a command (object or JSON text). Never throws for bad input. */
  apply(command: Command | string): Result;
  /** Takes one message from a command source you run: `{seq?, pts?, ...command}`. */
  receive(message: CommandMessage | string): Result;
  /** Applies commands carried by a metadata text track's cues. Returns a detach function. */
  attachTextTrack(track: TextTrack): () => void;
  /**
   * Follows an hls.js player: its `playingDate` becomes the room's playhead, and the
   * commands in the stream's timed metadata (ID3 `TXXX` frames described `hudong`, each a
   * message `{pts, ...command}` of at most 1 KB) show when the video reaches them. Throws a
   * `TypeError` for anything but an hls.js player. Returns a detach function.
   */
  attachHls(hls: HlsLike): () => void;
  /**
   * Follows a `<video>` playing HLS itself (Safari, iOS WebViews): `getStartDate()` plus
   * `currentTime` becomes the room's playhead, and the commands in its metadata text
   * tracks show when the video reaches them. Returns a detach function.
   */
  attachVideo(video: HTMLVideoElement): () => void;
  /**
   * Fetches the code of these kinds of widget now (left out: every kind), so that their
   * first frame need not wait for it (each kind's view is its own small file, otherwise
   * fetched when a widget of that kind is first drawn). Resolves to whether all of it
   * arrived; what did not is fetched again when drawn.
   */
  prefetch(kinds?: WidgetKind[]): Promise<boolean>;
  /** Server time now, from the synced clock. */
  serverNow(): number;
  readonly channelState: ChannelState;
  /** Drops and re-establishes the command connection. */
  reconnect(): void;
  /** The room as a server sends it to a late joiner. */
  snapshot(): RoomSnapshotCommand;
  /** Performs a viewer action, as a tap on the overlay would. */
  act(action: Action): Result;
  /** Votes in a poll. */
  vote(widgetId: string, optionIds: string | string[]): Result;
  /**
   * Switches the overlay's language live (`'en'`, `'th'`, …), fetching its language pack when
   * it needs one; `strings` replaces texts as in `createRoom`. Widgets keep their state.
   * A malformed tag or an unknown key resolves `{ok: false, error}` and changes nothing.
   */
  setLocale(locale: string, options?: { strings?: Partial<Record<HudongStringKey, string>> }): Promise<Result>;
  /** Sends queued events now rather than at the next batch. */
  flush(): void;
  /** Records the viewer's consent to sending events. */
  setConsent(consent: Consent): void;
  /** Delivery counters, or `null` without a transport. */
  readonly delivery: DeliveryStats | null;
  /** Batches the collector refused for good. */
  readonly deadLetters: DeadLetter[];
  /** Puts dead-lettered events back in the queue; returns how many. */
  retryDeadLetters(): number;
  on<T extends HudongEvent['type']>(type: T, listener: (event: Extract<HudongEvent, { type: T }>) => void): () => void;
  on(type: 'poll.*' | 'flash.*' | 'quiz.*' | 'redeem.*' | 'tryon.*' | 'lottery.*' | 'lead.*' | 'like.*' | 'likes.*' | 'product.*' | 'coupon.*' | 'question.*' | 'task.*' | 'tasks.*' | 'widget.*', listener: (event: HudongEvent) => void): () => void;
  /** Every event: the protocol's (`HudongEvent`), and the command channel's state changes. */
  on(type: '*', listener: (event: HudongEvent | ChannelStateEvent) => void): () => void;
  on(type: 'error', listener: (event: HudongErrorEvent) => void): () => void;
  on(type: 'channel.state', listener: (event: ChannelStateEvent) => void): () => void;
  off(type: string, listener: (event: never) => void): void;
  /** Plugs an AR engine into try-on widgets (`null`: the viewer places the product). */
  setTracker(tracker: Tracker | null): void;
  /** Unmounts every widget and releases every listener and timer. */
  destroy(): void;
}

// ---- Protocol ------------------------------------------------------------------------
// Commands, actions, events, errors and widget states are generated from the Rust types of
// the core (dist/protocol.d.ts), so they always match what the SDK reads and writes.

export type * from './protocol.js';

/** The fields every event carries, whatever its type. */
export type EventBase = Pick<HudongEvent, 'v' | 'event_id' | 'seq' | 'at' | 'client_at' | 'room_id' | 'session_id' | 'user_id' | 'widget_id' | 'kind'>;

// Short names for the commands that open a widget.
export type PollOpen = PollOpenCommand;
export type PollOption = PollOptionSpec;
export type PollClose = PollCloseCommand;
export type WidgetRemove = WidgetRemoveCommand;
export type FlashOpen = FlashOpenCommand;
export type FlashEnd = FlashEndCommand;
export type QuizOpen = QuizOpenCommand;
export type QuizQuestion = QuizQuestionCommand;
export type QuizClose = QuizCloseCommand;
export type RedeemOpen = RedeemOpenCommand;
export type TryOnOpen = TryOnOpenCommand;
export type LotteryOpen = LotteryOpenCommand;
export type CouponOpen = CouponOpenCommand;
export type LikesOpen = LikesOpenCommand;
export type LeadOpen = LeadOpenCommand;

/** A command as a channel carries it: the room's sequence number and the stream position. */
export type CommandMessage = Command & { seq?: number; pts?: number };

export type ChannelState = 'none' | 'connecting' | 'live' | 'reconnecting' | 'closed';

/**
 * The command channel changed state. Local to the page: not a protocol event (no
 * `event_id`), never sent through the transport.
 */
export interface ChannelStateEvent {
  type: 'channel.state';
  state: ChannelState;
}

/** What `room.on('error', …)` receives. */
export interface HudongErrorEvent extends HudongError {
  type: 'error';
}
