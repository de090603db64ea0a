// Types of `hudong/analytics`: Hudong events in Google Analytics 4.
import type { ChannelStateEvent, HudongEvent } from './index.js';

export interface Ga4Event {
  /** A GA4 recommended event (`add_to_cart`, `generate_lead`, …) or `hudong_<type>`. */
  name: string;
  /** Parameters within GA4's limits; always `hudong_event_id` and `room_id`. */
  params: Record<string, unknown>;
  /** Whether it is a GA4 ecommerce event (`items`, `currency`, `value`). */
  ecommerce: boolean;
}

/** The GA4 event for a Hudong event, or `null` for errors and events GA4 should not see. */
export declare function ga4Event(event: HudongEvent | ChannelStateEvent): Ga4Event | null;

/** Decimal places of a currency's minor unit (ISO 4217), as Hudong reads prices. */
export declare function minorDigits(currency: string): number;

export interface ConnectGa4Options {
  /** Where to push (default `window.dataLayer`, created if missing). */
  dataLayer?: unknown[];
  /** Call `gtag('event', name, params)` instead of pushing to the data layer. */
  gtag?: (command: 'event', name: string, params: Record<string, unknown>) => void;
  /** Return `false` to keep an event from GA4. */
  filter?: (event: HudongEvent | ChannelStateEvent) => boolean;
  /** Rename or reshape an event; `null` drops it. */
  map?: (event: HudongEvent | ChannelStateEvent, ga4: Ga4Event) => Ga4Event | null;
}

/** Sends a room's events to GA4 as they happen; returns a function that disconnects. */
export declare function connectGa4(
  room: { on(type: '*', fn: (event: HudongEvent | ChannelStateEvent) => void): () => void },
  options?: ConnectGa4Options,
): () => void;
