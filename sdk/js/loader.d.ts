// Types of `hudong/loader`: a room handed back at once, loaded once the video plays.
import type { Room, RoomOptions, Result, Command, Action, CommandMessage } from './index.js';

export interface LoaderOptions {
  /**
   * The live video. The SDK is fetched once it fires `playing` (or at once when it already
   * plays). Defaults to the page's first `<video>`; `null` waits for `maxWaitMs` only.
   */
  video?: HTMLVideoElement | null;
  /** Load anyway after this long, in case the video never starts (default 4000 ms). */
  maxWaitMs?: number;
  /** Where the SDK's `index.js` is (default: beside the loader). */
  sdkUrl?: string | URL;
}

/** A queued call's answer, before the SDK has loaded: checked when it runs. */
export type Queued = { ok: true; queued: true };

export interface LazyRoom {
  /** The room, once loaded (`null` before). */
  readonly room: Room | null;
  readonly loaded: boolean;
  /** Resolves with the room once loaded; rejects when the SDK could not be fetched. */
  readonly ready: Promise<Room>;
  /** Starts loading now, whatever the video does (for instance on the viewer's first tap). */
  load(): Promise<Room>;
  apply(command: Command | string): Result | Queued;
  receive(message: CommandMessage | string): Result | Queued;
  act(action: Action): Result | Queued;
  vote(widgetId: string, optionIds: string | string[]): Result | Queued;
  /** Typed exactly like `Room.on`: `'poll.vote'` gives a `PollVoteEvent`. */
  on: Room['on'];
  off: Room['off'];
  setTracker(tracker: Parameters<Room['setTracker']>[0]): void | Queued;
  setConsent(consent: Parameters<Room['setConsent']>[0]): void | Queued;
  setLocale(...args: Parameters<Room['setLocale']>): ReturnType<Room['setLocale']> | Queued;
  flush(): void | Queued;
  reconnect(): void | Queued;
  attachTextTrack(track: TextTrack): (() => void) | Queued;
  attachHls(hls: Parameters<Room['attachHls']>[0]): (() => void) | Queued;
  attachVideo(video: HTMLVideoElement): (() => void) | Queued;
  destroy(): void;
}

/**
 * Hands back a room at once and fetches the SDK only once the video plays (or after
 * `maxWaitMs`), so Hudong never delays the video's first frames. Commands, actions and
 * listeners given before then are kept in order and carried out when the room loads.
 */
export function lazyRoom(options: RoomOptions, load?: LoaderOptions): LazyRoom;
