// Types of `hudong/elements`: Hudong as custom elements.
import type { Room, RoomOptions, Result, Command, Action, CommandMessage, HudongEvent, HudongErrorEvent, ChannelStateEvent } from './index.js';
import type { Queued } from './loader.js';

/** The attributes `<hudong-room>` reads (a widget element reads them too, for a room of its own). */
export declare const ROOM_ATTRIBUTES: readonly (keyof HudongRoomAttributes)[];

/** Tag → command prefix of the widget elements. */
export declare const WIDGET_ELEMENTS: Readonly<Record<HudongWidgetTag, string>>;

export type HudongWidgetTag =
  | 'hudong-poll' | 'hudong-quiz' | 'hudong-redeem' | 'hudong-flash-sale' | 'hudong-try-on' | 'hudong-lottery'
  | 'hudong-lead' | 'hudong-likes' | 'hudong-products' | 'hudong-coupon' | 'hudong-questions' | 'hudong-tasks';

/**
 * `<hudong-room room-id="…">`: a live room's overlay, in an open shadow root (`light-dom` to
 * render into the element). Attributes: `room-id` (required), `user-id`, `session-id`,
 * `locale`, `theme`, `light-dom`, `commands` (a `wss:` URL, or an SSE URL with
 * `snapshot-url`), `collector` (an HTTP events collector), `time-url`, `video` (a selector:
 * the SDK loads once that video plays), `persist="false"`, `css-url`, `wasm-url`.
 * Events (bubbling, composed): `hudong-ready` ({ room }), `hudong-event` (every event),
 * `hudong-error`, and each event under its own type (`poll.vote`, …).
 */
export declare class HudongRoomElement extends HTMLElement {
  /** Options that attributes cannot carry (functions, objects); applied over the attributes. */
  options: Partial<RoomOptions> | undefined;
  /** The loaded room, or `null`. */
  readonly room: Room | null;
  /** Resolves with the room once loaded. */
  readonly ready: Promise<Room>;
  apply(command: Command | string): Result | Queued;
  receive(message: CommandMessage | string): Result | Queued;
  act(action: Action): Result | Queued;
  vote(widgetId: string, optionIds: string | string[]): Result | Queued;
  flush(): void | Queued;
}

/**
 * A widget element (`<hudong-poll widget-id="p1" spec='{"question": …}'>`): opens its widget
 * in the enclosing `<hudong-room>`, or in a room of its own (same attributes as
 * `<hudong-room>`). Removing the element removes the widget.
 */
export declare class HudongWidgetElement extends HTMLElement {
  /** The widget's open command without `type` and `widget_id` (or the `spec` attribute, JSON). */
  get spec(): Record<string, unknown> | undefined;
  /** An object, or the same as JSON (as the attribute takes it). */
  set spec(value: Record<string, unknown> | string | undefined);
  readonly widgetId: string;
  readonly room: Room | null;
}

/** Registers `<hudong-room>` and the widget elements; safe to call twice. */
export declare function defineElements(registry?: CustomElementRegistry): void;

/**
 * The DOM events the elements dispatch (bubbling, composed), with their `detail` typed:
 * `hudong-ready`, `hudong-event`, `hudong-error`, and every protocol event under its own
 * type (`el.addEventListener('poll.vote', (e) => e.detail.option_ids)`).
 */
export type HudongElementEventMap = {
  'hudong-ready': CustomEvent<{ room: Room }>;
  /** Every event: the protocol's, and the command channel's state changes. */
  'hudong-event': CustomEvent<HudongEvent | ChannelStateEvent>;
  'hudong-error': CustomEvent<HudongErrorEvent>;
} & { [K in HudongEvent['type']]: CustomEvent<Extract<HudongEvent, { type: K }>> };

/** The attributes of `<hudong-room>` (every value a string, as in HTML). */
export interface HudongRoomAttributes {
  /** The room (required). */
  'room-id': string;
  'user-id'?: string;
  'session-id'?: string;
  /** `zh-CN`, `en`, … (default: the page's `lang`). */
  locale?: string;
  /** `light`, `dark` or `auto`. */
  theme?: string;
  /** Present: render into the element itself instead of a shadow root. */
  'light-dom'?: boolean | '';
  /** A `wss:` URL (WebSocket) or an `https:` URL (Server-Sent Events, with `snapshot-url`). */
  commands?: string;
  'snapshot-url'?: string;
  /** An HTTP events collector. */
  collector?: string;
  'time-url'?: string;
  /** A selector of the live video: the SDK loads once it plays. */
  video?: string;
  /** `false`: keep unsent events in memory only. */
  persist?: 'true' | 'false';
  'css-url'?: string;
  'wasm-url'?: string;
}

/** The attributes of a widget element: its id and spec, and a room's when it has one of its own. */
export type HudongWidgetAttributes = Partial<HudongRoomAttributes> & {
  'widget-id': string;
  /** The open command without `type` and `widget_id`, as JSON. */
  spec?: string;
};

declare global {
  interface HTMLElementTagNameMap {
    'hudong-room': HudongRoomElement;
    'hudong-poll': HudongWidgetElement;
    'hudong-quiz': HudongWidgetElement;
    'hudong-redeem': HudongWidgetElement;
    'hudong-flash-sale': HudongWidgetElement;
    'hudong-try-on': HudongWidgetElement;
    'hudong-lottery': HudongWidgetElement;
    'hudong-lead': HudongWidgetElement;
    'hudong-likes': HudongWidgetElement;
    'hudong-products': HudongWidgetElement;
    'hudong-coupon': HudongWidgetElement;
    'hudong-questions': HudongWidgetElement;
    'hudong-tasks': HudongWidgetElement;
  }
  interface HTMLElementEventMap extends HudongElementEventMap {}
}
