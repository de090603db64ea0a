// Type declarations for the `hudong` package. The protocol is documented in docs/protocol.md.

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

export type Result = { ok: true } | { ok: false; error: HudongError };

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
  /** Server time now, from the synced clock. */
  serverNow(): number;
  readonly channelState: ChannelState;
  /** Drops and re-establishes the command connection. */
  reconnect(): void;
  /** The room as a server sends it to a late joiner. */
  snapshot(): RoomSnapshot;
  /** Performs a viewer action, as a tap on the overlay would. */
  act(action: Action): Result;
  /** Votes in a poll. */
  vote(widgetId: string, optionIds: string | string[]): Result;
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

// ---- Commands -------------------------------------------------------------------------

export interface PollOption {
  id: string;
  label: string;
  /** `https:` or relative URL, or a small `data:image/...` URL. */
  image?: string;
}

export interface PollOpen {
  type: 'poll.open';
  v?: 1;
  widget_id: string;
  question: string;
  /** 2–10 options. */
  options: PollOption[];
  /** 1 (default) for single choice. */
  max_choices?: number;
  /** Allow changing the vote while open. Default false. */
  revote?: boolean;
  /** Server time (ms since epoch) at which voting closes. */
  closes_at?: number;
}

export interface PollTally {
  type: 'poll.tally';
  v?: 1;
  widget_id: string;
  counts: Record<string, number>;
  /** Replace the counts instead of raising them. */
  reset?: boolean;
}

export interface PollClose {
  type: 'poll.close';
  v?: 1;
  widget_id: string;
}

export interface PollReveal {
  type: 'poll.reveal';
  v?: 1;
  widget_id: string;
  counts?: Record<string, number>;
}

export interface WidgetRemove {
  type: 'widget.remove';
  v?: 1;
  widget_id: string;
}

export interface RoomSnapshot {
  type: 'room.snapshot';
  v?: 1;
  widgets: (PollSnapshot | FlashSnapshot | { kind: 'quiz'; spec: Omit<QuizOpen, 'type' | 'v'>; question?: Omit<QuizQuestion, 'type' | 'v'>; reveal?: Omit<QuizRevealCommand, 'type' | 'v'>; closed?: boolean; leaderboard?: Omit<QuizLeaderboard, 'type' | 'v'> } | RedeemSnapshot | { kind: 'try_on'; spec: Omit<TryOnOpen, 'type' | 'v'> })[];
}

export interface RedeemSnapshot {
  kind: 'redeem';
  spec: Omit<RedeemOpen, 'type' | 'v'>;
  stock: Record<string, number>;
  /** Filled in when the server knows the viewer. */
  account?: { balance: number; tier?: string };
  history?: Redemption[];
}

export interface FlashSnapshot {
  kind: 'flash_sale';
  spec: Omit<FlashOpen, 'type' | 'v'>;
  stock_left: number;
  waiting?: number;
  ends_at: number;
  ended?: boolean;
  my_orders?: string[];
}

export interface PollSnapshot {
  kind: 'poll';
  spec: Omit<PollOpen, 'type' | 'v'>;
  phase: 'open' | 'closed' | 'revealed';
  close_reason?: 'deadline' | 'host';
  counts: Record<string, number>;
  my_choice?: string[];
}

export interface Product {
  name: string;
  image?: string;
  /** Sale price in minor units (分 for CNY). */
  price: number;
  original_price?: number;
  /** ISO 4217; CNY by default. */
  currency?: string;
}

export interface FlashOpen {
  type: 'flash.open';
  v?: 1;
  widget_id: string;
  product: Product;
  stock_total: number;
  /** Server time the grab button becomes active. */
  starts_at: number;
  ends_at: number;
  per_viewer_limit?: number;
  /** A condition the server checks at grab time, shown to viewers. */
  gate?: string;
}

export interface FlashStock {
  type: 'flash.stock';
  v?: 1;
  widget_id: string;
  stock_left: number;
  waiting?: number;
  reset?: boolean;
}

export interface FlashExtend {
  type: 'flash.extend';
  v?: 1;
  widget_id: string;
  ends_at: number;
}

export type GrabOutcome = 'success' | 'sold_out' | 'limit_reached' | 'not_eligible' | 'ended';

export interface FlashResultCommand {
  type: 'flash.result';
  v?: 1;
  widget_id: string;
  request_id: string;
  outcome: GrabOutcome;
  order_ref?: string;
}

export interface FlashEnd {
  type: 'flash.end';
  v?: 1;
  widget_id: string;
}

export interface QuizOpen {
  type: 'quiz.open';
  v?: 1;
  widget_id: string;
  title?: string;
  mode?: 'score' | 'elimination' | 'team';
}

export interface QuizQuestion {
  type: 'quiz.question';
  v?: 1;
  widget_id: string;
  question_id: string;
  text: string;
  /** 2–4 options. The correct one is not sent until `quiz.reveal`. */
  options: { id: string; label: string }[];
  closes_at: number;
  points?: number;
}

export interface QuizClose {
  type: 'quiz.close';
  v?: 1;
  widget_id: string;
  question_id: string;
}

export interface QuizRevealCommand {
  type: 'quiz.reveal';
  v?: 1;
  widget_id: string;
  question_id: string;
  correct: string[];
  counts?: Record<string, number>;
}

export interface QuizStanding {
  type: 'quiz.standing';
  v?: 1;
  widget_id: string;
  /** Only this viewer takes it; without it, every viewer does. */
  user_id?: string;
  score: number;
  streak?: number;
  eliminated?: boolean;
  rank?: number;
  team_id?: string;
}

export interface QuizLeaderboard {
  type: 'quiz.leaderboard';
  v?: 1;
  widget_id: string;
  top: { name: string; score: number }[];
}

export interface RedeemItem {
  item_id: string;
  name: string;
  /** `https:`, relative, or a small `data:image/...` URL. */
  image?: string;
  /** Price in points. */
  cost: number;
  stock: number;
  /** Default 1. */
  per_viewer_limit?: number;
  /** The lowest tier id that may redeem it. */
  tier?: string;
}

export interface Redemption {
  request_id: string;
  item_id: string;
  cost: number;
  voucher_ref: string;
}

export interface RedeemOpen {
  type: 'redeem.open';
  v?: 1;
  widget_id: string;
  title?: string;
  /** Lowest first. */
  tiers?: { id: string; name: string }[];
  items: RedeemItem[];
}

/** One viewer's balance, tier and history; with `user_id` only that viewer takes it. */
export interface RedeemAccountCommand {
  type: 'redeem.account';
  v?: 1;
  widget_id: string;
  user_id?: string;
  balance: number;
  tier?: string;
  history?: Redemption[];
}

/** Points given (positive) or taken; idempotent by `gain_id`. */
export interface RedeemPointsCommand {
  type: 'redeem.points';
  v?: 1;
  widget_id: string;
  user_id?: string;
  gain_id: string;
  delta: number;
  reason: string;
}

export interface RedeemStockCommand {
  type: 'redeem.stock';
  v?: 1;
  widget_id: string;
  stock: Record<string, number>;
  reset?: boolean;
}

export type RedeemOutcome = 'success' | 'insufficient_points' | 'out_of_stock' | 'limit_reached' | 'tier_too_low';

export interface RedeemResultCommand {
  type: 'redeem.result';
  v?: 1;
  widget_id: string;
  request_id: string;
  outcome: RedeemOutcome;
  voucher_ref?: string;
  /** The server's balance after deciding. */
  balance?: number;
}

export interface TryOnOpen {
  type: 'tryon.open';
  v?: 1;
  widget_id: string;
  product: {
    name: string;
    /** Passed back in `tryon.add_to_cart`. */
    sku: string;
    /** The overlay image (a transparent PNG/WebP). Same origin or CORS-enabled for snapshots. */
    image: string;
    /** The point of the image placed on the anchor; default the centre. */
    anchor?: { x: number; y: number };
    /** Width as a fraction of the picture's width; default 0.4. */
    width?: number;
    price?: number;
    currency?: string;
  };
}

export interface LotteryOpen {
  type: 'lottery.open';
  v?: 1;
  widget_id: string;
  prize: { name: string; image?: string; count: number };
  /** `keyword` needs `keyword`; `watch` needs `watch_ms`. Default `none`. */
  condition?: 'none' | 'keyword' | 'follow' | 'watch' | 'like';
  keyword?: string;
  watch_ms?: number;
  /** Server time of the draw; entries close then. */
  draw_at: number;
}
export type EntryOutcome = 'entered' | 'not_eligible' | 'closed' | 'limit_reached';

export interface TaskSpec {
  task_id: string;
  kind: 'watch' | 'like' | 'share' | 'answer';
  /** Minutes to watch, likes, shares or answers. */
  target: number;
  reward: string;
}
export type TaskOutcome = 'success' | 'not_done' | 'claimed';

export type QuestionState = 'queued' | 'answering' | 'answered';
export interface QueueItem {
  question_id: string;
  text: string;
  votes: number;
  state: QuestionState;
}

export interface CouponOpen {
  type: 'coupon.open';
  v?: 1;
  widget_id: string;
  /** `red_packet`: the server draws each amount, up to `value`. */
  kind: 'coupon' | 'red_packet';
  name: string;
  /** Minor units. */
  value: number;
  /** Spend at least this much to use it (满减); must be above `value`. */
  threshold?: number;
  currency?: string;
  quantity: number;
  starts_at?: number;
  ends_at: number;
  /** How long a claimed coupon stays usable. */
  valid_ms: number;
  /** `share`: the viewer shares first (`coupon.share`); `follow`: the server checks the follow. */
  gate?: 'none' | 'share' | 'follow';
}
export interface WalletCoupon {
  coupon_ref: string;
  name: string;
  value: number;
  threshold?: number;
  currency?: string;
  expires_at: number;
}
export type CouponOutcome = 'success' | 'sold_out' | 'limit_reached' | 'not_eligible' | 'ended';

export interface ShowcaseProduct {
  sku: string;
  name: string;
  image?: string;
  /** Minor units (fen for CNY). */
  price: number;
  original_price?: number;
  /** ISO 4217; default CNY. */
  currency?: string;
  /** Units left; at 20 or fewer the card hints "only N left", at 0 it is sold out. */
  stock_left?: number;
}

export interface LikesOpen {
  type: 'likes.open';
  v?: 1;
  widget_id: string;
  /** When the room's total reaches `target`, `reward` is unlocked for everyone. */
  goal?: { target: number; reward: string };
}

export type LeadTarget = 'follow' | 'wecom_contact' | 'wecom_group' | 'official_account';
export type LeadVia = 'link' | 'copy' | 'qr';
export interface LeadOpen {
  type: 'lead.open';
  v?: 1;
  widget_id: string;
  target: LeadTarget;
  title: string;
  /** The perk for confirming; the server decides who gets it. */
  perk?: string;
  /** Server time the perk offer ends (needs `perk`). */
  perk_until?: number;
  /** `https:` only: drawn as a QR code on the device and offered as a link. */
  url?: string;
  /** Text to copy (a WeChat ID, a group code). */
  code?: string;
  /** Why the brand asks; required for every target but `follow`. */
  purpose?: string;
}
export interface LeadResultCommand {
  type: 'lead.result';
  v?: 1;
  widget_id: string;
  request_id: string;
  outcome: 'confirmed' | 'declined';
  perk_ref?: string;
}

export type Command =
  | {
      type: 'room.layout';
      v?: 1;
      /** Cards shown at once (1 to 6; default 3); the rest wait as chips in the tray. */
      max_cards?: number;
      /** Widgets to show first, in order. */
      focus?: string[];
      /** Percent of the video's height, from the top, that widgets never cover (0 to 80). */
      keep_clear?: number;
    }
  | { type: 'tasks.open'; v?: 1; widget_id: string; tasks: TaskSpec[] }
  | { type: 'tasks.progress'; v?: 1; widget_id: string; user_id?: string; progress: Record<string, number> }
  | { type: 'task.result'; v?: 1; widget_id: string; request_id: string; outcome: TaskOutcome; reward_ref?: string }
  | { type: 'questions.open'; v?: 1; widget_id: string; prompt?: string; /** Default 100, at most 300. */ max_len?: number }
  | { type: 'question.queue'; v?: 1; widget_id: string; items: QueueItem[]; waiting?: number }
  | { type: 'question.ack'; v?: 1; widget_id: string; request_id: string; question_id: string; position: number; merged?: boolean }
  | { type: 'question.mark'; v?: 1; widget_id: string; question_id: string; state: QuestionState }
  | CouponOpen
  | { type: 'coupon.stock'; v?: 1; widget_id: string; left: number; reset?: boolean }
  | { type: 'coupon.result'; v?: 1; widget_id: string; request_id: string; outcome: CouponOutcome; coupon?: WalletCoupon }
  | { type: 'coupon.wallet'; v?: 1; widget_id: string; user_id?: string; coupons: WalletCoupon[] }
  | { type: 'products.open'; v?: 1; widget_id: string; /** Offer "add to cart"; default true. */ cart?: boolean }
  | { type: 'product.present' | 'product.pin'; v?: 1; widget_id: string; product: ShowcaseProduct }
  | { type: 'product.unpin'; v?: 1; widget_id: string; sku: string }
  | { type: 'product.stock'; v?: 1; widget_id: string; sku: string; stock_left: number }
  | LikesOpen
  | { type: 'likes.total'; v?: 1; widget_id: string; total: number }
  | LeadOpen
  | LeadResultCommand
  | LotteryOpen
  | { type: 'lottery.entries'; v?: 1; widget_id: string; count: number }
  | { type: 'lottery.entry'; v?: 1; widget_id: string; request_id: string; outcome: EntryOutcome }
  | { type: 'lottery.draw'; v?: 1; widget_id: string; winners: string[]; entries: number }
  | { type: 'lottery.result'; v?: 1; widget_id: string; user_id?: string; won: boolean }
  | { type: 'lottery.claimed'; v?: 1; widget_id: string; request_id: string; outcome: 'success' | 'expired'; claim_ref?: string }
  | RedeemOpen
  | RedeemAccountCommand
  | RedeemPointsCommand
  | RedeemStockCommand
  | RedeemResultCommand
  | TryOnOpen
  | QuizOpen
  | QuizQuestion
  | QuizClose
  | QuizRevealCommand
  | QuizStanding
  | QuizLeaderboard
  | PollOpen
  | PollTally
  | PollClose
  | PollReveal
  | FlashOpen
  | FlashStock
  | FlashExtend
  | FlashResultCommand
  | FlashEnd
  | WidgetRemove
  | RoomSnapshot;

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

export interface PollVoteAction {
  type: 'poll.vote';
  widget_id: string;
  option_ids: string[];
}

export type Action =
  | PollVoteAction
  | { type: 'flash.grab'; widget_id: string }
  | { type: 'flash.remind'; widget_id: string }
  | { type: 'quiz.answer'; widget_id: string; question_id: string; option_id: string }
  | { type: 'redeem.request'; widget_id: string; item_id: string }
  | { type: 'lottery.enter' | 'lottery.claim'; widget_id: string }
  | { type: 'lead.click'; widget_id: string; via: LeadVia }
  | { type: 'lead.consent'; widget_id: string; given: boolean }
  | { type: 'lead.confirm'; widget_id: string }
  | { type: 'lead.fold'; widget_id: string; folded: boolean }
  | { type: 'like.tap'; widget_id: string }
  | { type: 'product.buy' | 'product.add_to_cart'; widget_id: string; sku: string }
  | { type: 'coupon.claim'; widget_id: string }
  | { type: 'question.ask'; widget_id: string; text: string }
  | { type: 'task.claim'; widget_id: string; task_id: string }
  | { type: 'task.share'; widget_id: string; channel: string }
  | { type: 'question.upvote'; widget_id: string; question_id: string }
  | { type: 'coupon.share'; widget_id: string; channel: string }
  | { type: 'tryon.start' | 'tryon.allow_camera' | 'tryon.photo' | 'tryon.pause' | 'tryon.snapshot' | 'tryon.add_to_cart' | 'tryon.close'; widget_id: string }
  | { type: 'tryon.camera'; widget_id: string; result: CameraResult }
  | { type: 'tryon.tracker'; widget_id: string; state: TrackerState }
  | { type: 'tryon.place'; widget_id: string; pose: TrackerPose };

export type CameraResult = 'granted' | 'denied' | 'no_camera' | 'in_use' | 'unsupported' | 'error';
export type TrackerState = 'attached' | 'lost' | 'found';

// ---- Events ---------------------------------------------------------------------------

export type WidgetKind = 'poll' | 'flash_sale' | 'quiz' | 'redeem' | 'try_on' | 'lottery' | 'lead' | 'likes' | 'products' | 'coupon' | 'questions' | 'tasks';

export interface EventBase {
  v: 1;
  /** UUIDv7: deduplicate on it. */
  event_id: string;
  /** 1, 2, 3… within the session. */
  seq: number;
  /** Server time of the event (ms since epoch). */
  at: number;
  /** The device clock at the event. */
  client_at: number;
  room_id: string;
  session_id: string;
  user_id?: string;
  widget_id?: string;
  kind?: WidgetKind;
}

export interface WidgetShownEvent extends EventBase {
  type: 'widget.shown';
}
export interface WidgetHiddenEvent extends EventBase {
  type: 'widget.hidden';
}
export interface PollVoteEvent extends EventBase {
  type: 'poll.vote';
  option_ids: string[];
  idempotency_key: string;
  revote: boolean;
}
export interface PollClosedEvent extends EventBase {
  type: 'poll.closed';
  reason: 'deadline' | 'host';
}
export interface PollRevealedEvent extends EventBase {
  type: 'poll.revealed';
  counts: Record<string, number>;
  total: number;
  winners: string[];
  my_choice: string[];
}

export interface FlashRemindEvent extends EventBase {
  type: 'flash.remind';
}
export interface FlashStartedEvent extends EventBase {
  type: 'flash.started';
}
export interface FlashGrabEvent extends EventBase {
  type: 'flash.grab';
  /** Answer it with a `flash.result` command; also an idempotency key. */
  request_id: string;
}
export interface FlashResultEvent extends EventBase {
  type: 'flash.result';
  request_id: string;
  outcome: GrabOutcome;
  order_ref?: string;
}
export interface FlashEndedEvent extends EventBase {
  type: 'flash.ended';
  sold: number;
}

export interface QuizQuestionEvent extends EventBase {
  type: 'quiz.question';
  question_id: string;
}
export interface QuizAnswerEvent extends EventBase {
  type: 'quiz.answer';
  question_id: string;
  option_id: string;
  /** From when the question became visible to this viewer. */
  time_to_answer_ms: number;
  idempotency_key: string;
  team_id?: string;
}
export interface QuizRevealedEvent extends EventBase {
  type: 'quiz.revealed';
  question_id: string;
  correct: string[];
  my_answer?: string;
  right?: boolean;
}
export interface QuizEliminatedEvent extends EventBase {
  type: 'quiz.eliminated';
}
export interface QuizRevivedEvent extends EventBase {
  type: 'quiz.revived';
}

export interface RedeemRequestEvent extends EventBase {
  type: 'redeem.request';
  /** Answer it with a `redeem.result` command; also the idempotency key. */
  request_id: string;
  item_id: string;
  cost: number;
}
export interface RedeemResultEvent extends EventBase {
  type: 'redeem.result';
  request_id: string;
  item_id: string;
  outcome: RedeemOutcome;
  voucher_ref?: string;
}
export interface RedeemPointsEvent extends EventBase {
  type: 'redeem.points';
  gain_id: string;
  delta: number;
  reason: string;
}
export interface TryOnOpenedEvent extends EventBase {
  type: 'tryon.opened';
}
export interface TryOnPermissionEvent extends EventBase {
  type: 'tryon.permission';
  result: CameraResult;
}
export interface TryOnPhotoEvent extends EventBase {
  type: 'tryon.photo';
}
export interface TryOnTrackerEvent extends EventBase {
  type: 'tryon.tracker';
  state: TrackerState;
}
export interface TryOnSnapshotEvent extends EventBase {
  type: 'tryon.snapshot';
  source: 'camera' | 'photo';
}
export interface TryOnAddToCartEvent extends EventBase {
  type: 'tryon.add_to_cart';
  sku: string;
  idempotency_key: string;
}
export interface TryOnClosedEvent extends EventBase {
  type: 'tryon.closed';
  /** Time the live picture was shown. */
  duration_ms: number;
  source?: 'camera' | 'photo';
  snapshots: number;
}

export interface LotteryEnterEvent extends EventBase {
  type: 'lottery.enter';
  /** Answer it with `lottery.entry`; also the idempotency key. */
  request_id: string;
  condition: 'none' | 'keyword' | 'follow' | 'watch' | 'like';
  keyword?: string;
}
export interface LotteryEntryEvent extends EventBase {
  type: 'lottery.entry';
  request_id: string;
  outcome: EntryOutcome;
}
export interface LotteryDrawnEvent extends EventBase {
  type: 'lottery.drawn';
  winners: number;
  entries: number;
}
export interface LotteryResultEvent extends EventBase {
  type: 'lottery.result';
  won: boolean;
}
export interface LotteryClaimEvent extends EventBase {
  type: 'lottery.claim';
  request_id: string;
}
export interface LotteryClaimedEvent extends EventBase {
  type: 'lottery.claimed';
  request_id: string;
  outcome: 'success' | 'expired';
}

export interface LeadClickedEvent extends EventBase {
  type: 'lead.clicked';
  via: LeadVia;
}
export interface LeadConsentEvent extends EventBase {
  type: 'lead.consent';
  given: boolean;
}
export interface LeadConfirmEvent extends EventBase {
  type: 'lead.confirm';
  /** Answer it with `lead.result`; also the idempotency key. */
  request_id: string;
  target: LeadTarget;
  consent: boolean;
  /** The purpose the consent was given for. */
  purpose?: string;
  /** Whether the perk was still on offer on the device. */
  perk_open: boolean;
}
export interface LeadResultEvent extends EventBase {
  type: 'lead.result';
  request_id: string;
  outcome: 'confirmed' | 'declined';
  perk: boolean;
}
export interface LeadFoldedEvent extends EventBase {
  type: 'lead.folded';
  folded: boolean;
}

export interface LikeSentEvent extends EventBase {
  type: 'like.sent';
  /** Taps since the previous batch (at most one event a second, at most 15 taps a second). */
  count: number;
  /** 1, 2, 3… per widget and session. */
  batch: number;
}
export interface LikesGoalReachedEvent extends EventBase {
  type: 'likes.goal_reached';
  target: number;
  total: number;
}

export interface ProductPresentedEvent extends EventBase {
  type: 'product.presented';
  sku: string;
}
/** "Buy now": open your checkout (listen with `room.on('product.buy', …)`). */
export interface ProductBuyEvent extends EventBase {
  type: 'product.buy';
  sku: string;
  price: number;
  currency: string;
  idempotency_key: string;
}
/** "Add to cart": add `sku` to your cart. */
export interface ProductAddToCartEvent extends EventBase {
  type: 'product.add_to_cart';
  sku: string;
  price: number;
  currency: string;
  idempotency_key: string;
}

export interface CouponSharedEvent extends EventBase {
  type: 'coupon.shared';
  channel: string;
}
export interface CouponClaimEvent extends EventBase {
  type: 'coupon.claim';
  /** Answer it with `coupon.result`; also the idempotency key. */
  request_id: string;
  gate: 'none' | 'share' | 'follow';
}
export interface CouponResultEvent extends EventBase {
  type: 'coupon.result';
  request_id: string;
  outcome: CouponOutcome;
  value?: number;
}

export interface QuestionAskEvent extends EventBase {
  type: 'question.ask';
  /** Answer it with `question.ack`. */
  request_id: string;
  text: string;
}
export interface QuestionUpvoteEvent extends EventBase {
  type: 'question.upvote';
  question_id: string;
  idempotency_key: string;
}
export interface QuestionAckedEvent extends EventBase {
  type: 'question.acked';
  request_id: string;
  question_id: string;
  position: number;
  merged: boolean;
}
export interface QuestionStateEvent extends EventBase {
  type: 'question.state';
  question_id: string;
  state: QuestionState;
}

export interface TaskSharedEvent extends EventBase {
  type: 'task.shared';
  channel: string;
}
export interface TaskClaimEvent extends EventBase {
  type: 'task.claim';
  /** Answer it with `task.result`. */
  request_id: string;
  task_id: string;
}
export interface TaskResultEvent extends EventBase {
  type: 'task.result';
  request_id: string;
  task_id: string;
  outcome: TaskOutcome;
}

export type HudongEvent =
  | TaskSharedEvent
  | TaskClaimEvent
  | TaskResultEvent
  | QuestionAskEvent
  | QuestionUpvoteEvent
  | QuestionAckedEvent
  | QuestionStateEvent
  | CouponSharedEvent
  | CouponClaimEvent
  | CouponResultEvent
  | ProductPresentedEvent
  | ProductBuyEvent
  | ProductAddToCartEvent
  | LikeSentEvent
  | LikesGoalReachedEvent
  | LeadClickedEvent
  | LeadConsentEvent
  | LeadConfirmEvent
  | LeadResultEvent
  | LeadFoldedEvent
  | LotteryEnterEvent
  | LotteryEntryEvent
  | LotteryDrawnEvent
  | LotteryResultEvent
  | LotteryClaimEvent
  | LotteryClaimedEvent
  | RedeemRequestEvent
  | RedeemResultEvent
  | RedeemPointsEvent
  | TryOnOpenedEvent
  | TryOnPermissionEvent
  | TryOnPhotoEvent
  | TryOnTrackerEvent
  | TryOnSnapshotEvent
  | TryOnAddToCartEvent
  | TryOnClosedEvent
  | QuizQuestionEvent
  | QuizAnswerEvent
  | QuizRevealedEvent
  | QuizEliminatedEvent
  | QuizRevivedEvent
  | WidgetShownEvent
  | WidgetHiddenEvent
  | PollVoteEvent
  | PollClosedEvent
  | PollRevealedEvent
  | FlashRemindEvent
  | FlashStartedEvent
  | FlashGrabEvent
  | FlashResultEvent
  | FlashEndedEvent;

// ---- Errors ---------------------------------------------------------------------------

export type ErrorCode =
  | 'malformed_command'
  | 'unknown_command'
  | 'unsupported_version'
  | 'invalid_field'
  | 'unknown_widget'
  | 'wrong_widget_kind'
  | 'widget_conflict'
  | 'not_open'
  | 'already_voted'
  | 'invalid_choice'
  | 'limit_reached'
  | 'insufficient_points'
  | 'out_of_stock'
  | 'tier_too_low'
  | 'consent_required'
  | 'condition_not_met'
  | 'transport_failed'
  | 'events_rejected'
  | 'events_dropped'
  | 'storage_failed'
  | 'internal';

export interface HudongError {
  code: ErrorCode;
  message: string;
  widget_id?: string;
  command_type?: string;
}

export interface HudongErrorEvent extends HudongError {
  type: 'error';
}

// ---- State ----------------------------------------------------------------------------

export interface PollState {
  kind: 'poll';
  spec: Omit<PollOpen, 'type' | 'v'> & { max_choices: number; revote: boolean };
  phase: 'open' | 'closed' | 'revealed';
  close_reason: 'deadline' | 'host' | null;
  /** Server counts, in option order. */
  counts: number[];
  /** Indices of the viewer's chosen options. */
  my_choice: number[];
  votes_cast: number;
}

export interface FlashState {
  kind: 'flash_sale';
  spec: Omit<FlashOpen, 'type' | 'v'>;
  stock_left: number;
  waiting: number | null;
  ends_at: number;
  ended_by_host: boolean;
  reminded: boolean;
  /** The `request_id` of the grab awaiting the server's answer. */
  pending: string | null;
  attempts: number;
  orders: string[];
  last_outcome: GrabOutcome | null;
  announced: 'preview' | 'live' | 'sold_out' | 'ended';
}

export interface QuizState {
  kind: 'quiz';
  spec: Omit<QuizOpen, 'type' | 'v'>;
  question: {
    spec: Omit<QuizQuestion, 'type' | 'v'>;
    phase: 'open' | 'closed' | 'revealed';
    shown_at: number;
    my_answer: number | null;
    correct: number[];
    counts: number[];
  } | null;
  standing: Omit<QuizStanding, 'type' | 'v'> | null;
  leaderboard: Omit<QuizLeaderboard, 'type' | 'v'> | null;
  answered: number;
}

export interface RedeemState {
  kind: 'redeem';
  spec: Omit<RedeemOpen, 'type' | 'v'>;
  /** Units left, in item order. */
  stock: number[];
  /** As the server last said (the view shows `balance` minus a pending cost). */
  account: { balance: number; tier?: string } | null;
  pending: { request_id: string; item_id: string; cost: number } | null;
  history: Redemption[];
  attempts: number;
  last_result: [string, RedeemOutcome] | null;
  last_gain: { gain_id: string; delta: number; reason: string } | null;
  seen_gains: string[];
}

export interface TryOnState {
  kind: 'try_on';
  spec: Omit<TryOnOpen, 'type' | 'v'>;
  phase:
    | { phase: 'idle' | 'explain' | 'requesting' | 'paused' }
    | { phase: 'live'; detail: 'camera' | 'photo' }
    | { phase: 'failed'; detail: CameraResult };
  pose: Required<TrackerPose>;
  tracker: TrackerState | null;
  live_since: number | null;
  live_ms: number;
  source: 'camera' | 'photo' | null;
  snapshots: number;
  carts: number;
}

export interface LotteryState {
  kind: 'lottery';
  spec: Omit<LotteryOpen, 'type' | 'v'>;
  entries: number;
  winners: string[] | null;
  mine: { state: 'none' | 'entered' } | { state: 'pending'; request_id: string } | { state: 'refused'; outcome: EntryOutcome };
  won: boolean | null;
  claim_pending: string | null;
  claimed: { Ok: string } | { Err: 'success' | 'expired' } | null;
  attempts: number;
  closed_seen: boolean;
}

export interface LeadState {
  kind: 'lead';
  spec: Omit<LeadOpen, 'type' | 'v'>;
  consent: boolean;
  state: { state: 'none' | 'declined' } | { state: 'pending'; request_id: string } | { state: 'confirmed'; perk_ref?: string };
  clicked: LeadVia[];
  folded: boolean;
  attempts: number;
  perk_over_seen: boolean;
}

export interface LikesState {
  kind: 'likes';
  spec: Omit<LikesOpen, 'type' | 'v'>;
  total: number;
  pending: number;
  in_flight: number;
  shown: number;
  mine: number;
  batches: number;
  last_sent_at: number | null;
  window_start: number;
  window_taps: number;
  goal_reached: boolean;
}

export interface ProductsState {
  kind: 'products';
  spec: { widget_id: string; cart: boolean };
  current: ShowcaseProduct | null;
  pinned: ShowcaseProduct[];
  taps: number;
  recent: [string, 'buy' | 'add_to_cart', number][];
}

export interface CouponState {
  kind: 'coupon';
  spec: Omit<CouponOpen, 'type' | 'v'>;
  left: number;
  shared: boolean;
  mine: { state: 'none' } | { state: 'pending'; request_id: string } | { state: 'claimed'; coupon_ref: string } | { state: 'refused'; outcome: CouponOutcome };
  wallet: WalletCoupon[];
  attempts: number;
  phase_seen: 'upcoming' | 'open' | 'sold_out' | 'ended';
}

export interface QuestionsState {
  kind: 'questions';
  spec: { widget_id: string; prompt?: string; max_len: number };
  items: QueueItem[];
  waiting: number;
  mine: { request_id: string; text: string; question_id?: string; position?: number; merged: boolean }[];
  voted: string[];
  asks: number;
  last_ask_at: number | null;
}

export interface TasksState {
  kind: 'tasks';
  spec: { widget_id: string; tasks: TaskSpec[] };
  progress: Record<string, number>;
  claims: Record<string, { state: 'pending'; request_id: string } | { state: 'claimed'; reward_ref: string } | { state: 'refused'; outcome: TaskOutcome }>;
  seen_at: number;
  attempts: number;
  shared: boolean;
  minutes_seen: number;
}

export type WidgetState = TasksState | QuestionsState | CouponState | PollState | FlashState | QuizState | RedeemState | TryOnState | LotteryState | LeadState | LikesState | ProductsState;
