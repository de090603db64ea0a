// Hudong events in Google Analytics 4, through Google Tag Manager's `dataLayer` or `gtag()`,
// so marketing teams see votes, add-to-carts and leads in the reports they already have.
//
//   import { connectGa4 } from 'hudong/analytics';
//   const stop = connectGa4(room);             // pushes to window.dataLayer (GTM)
//   const stop = connectGa4(room, { gtag });   // or calls gtag('event', …)
//
// Events with a GA4 recommended counterpart become it (add_to_cart, begin_checkout,
// view_item, generate_lead, share, select_promotion, spend/earn_virtual_currency); the rest
// become `hudong_<type>` (hudong_poll_vote). Each keeps `hudong_event_id`, so a report or a
// BigQuery export can count an event once. Personal fields (user ids) never go to GA4.

// Decimal places of a currency's minor unit (ISO 4217), as the SDK reads prices; a test
// holds this table to the SDK's for every currency the browser knows.
const ZERO = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
export const minorDigits = (currency) => (ZERO.has(currency) ? 0 : THREE.has(currency) ? 3 : 2);

// GA4's limits: names of 40 characters, text values of 100, 25 parameters an event.
const MAX_NAME = 40;
const MAX_TEXT = 100;
const MAX_PARAMS = 25;
// Envelope fields that say nothing to a marketer, or are personal.
const SKIP = new Set(['type', 'v', 'seq', 'at', 'client_at', 'session_id', 'user_id', 'idempotency_key', 'request_id', 'event_id', 'kind']);

const amount = (minor, currency) => minor / 10 ** minorDigits(currency);
const text = (v) => (typeof v === 'string' && v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v);
const paramName = (k) => k.replace(/[^A-Za-z0-9_]/g, '_').slice(0, MAX_NAME);

/** The event's own simple fields, as GA4 parameters (lists of text joined by commas). */
function ownParams(event) {
  const out = {};
  for (const [k, v] of Object.entries(event)) {
    if (SKIP.has(k) || v == null) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[paramName(k)] = text(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) out[paramName(k)] = text(v.join(','));
  }
  return out;
}

const item = (e, extra) => ({ item_id: e.sku, ...extra });

/** GA4 recommended events for the Hudong events that have one. */
const RECOMMENDED = {
  'product.presented': (e) => ['view_item', { items: [item(e)] }, true],
  'product.add_to_cart': (e) => ['add_to_cart', { currency: e.currency, value: amount(e.price, e.currency), items: [item(e, { price: amount(e.price, e.currency), quantity: 1 })] }, true],
  'product.buy': (e) => ['begin_checkout', { currency: e.currency, value: amount(e.price, e.currency), items: [item(e, { price: amount(e.price, e.currency), quantity: 1 })] }, true],
  'tryon.add_to_cart': (e) => ['add_to_cart', { items: [item(e, { quantity: 1, item_variant: 'ar_try_on' })] }, true],
  'lead.confirm': (e) => ['generate_lead', { lead_source: e.target }],
  'coupon.shared': (e) => ['share', { method: e.channel, content_type: 'live_room', item_id: e.room_id }],
  'task.shared': (e) => ['share', { method: e.channel ?? 'unknown', content_type: 'live_room', item_id: e.room_id }],
  'coupon.claim': (e) => ['select_promotion', { promotion_id: e.widget_id, creative_slot: 'live_coupon' }, true],
  'redeem.request': (e) => ['spend_virtual_currency', { virtual_currency_name: 'points', value: e.cost, item_name: e.item_id }],
  'redeem.points': (e) => (e.delta > 0 ? ['earn_virtual_currency', { virtual_currency_name: 'points', value: e.delta }] : null),
};

/**
 * The GA4 event for one Hudong event: `{name, params, ecommerce}` (ecommerce events carry
 * `items`), or `null` for errors and for events GA4 should not see.
 * @param {import('./index').HudongEvent} event
 */
export function ga4Event(event) {
  // Protocol events only: errors and the channel's state changes are not events of the show.
  if (!event || typeof event.type !== 'string' || event.type === 'error' || !event.event_id) return null;
  const common = { hudong_event_id: event.event_id, room_id: text(event.room_id) };
  if (event.widget_id) common.widget_id = text(event.widget_id);
  if (event.kind) common.widget_kind = event.kind;
  const mapped = RECOMMENDED[event.type]?.(event);
  if (mapped === null) return null;
  const [name, params, ecommerce = false] = mapped ?? [`hudong_${event.type.replace(/\./g, '_')}`.slice(0, MAX_NAME), ownParams(event)];
  const all = { ...common, ...params };
  for (const key of Object.keys(all).slice(MAX_PARAMS)) delete all[key];
  return { name, params: all, ecommerce };
}

/**
 * Sends a room's events to GA4 as they happen. With `gtag`, calls `gtag('event', name,
 * params)`; otherwise pushes `{event: name, …params}` to `dataLayer` (default
 * `window.dataLayer`, created if missing), ecommerce events in GTM's `ecommerce` object
 * after clearing the previous one. `filter(event)` drops events; `map(event, ga4)` may
 * rename or reshape one (return `null` to drop it). Returns a function that disconnects.
 * @param {{ on(type: string, fn: (e: any) => void): () => void }} room
 * @param {{ dataLayer?: unknown[], gtag?: (...args: unknown[]) => void, filter?: (e: any) => boolean, map?: (e: any, ga4: any) => any }} [options]
 */
export function connectGa4(room, options = {}) {
  if (!room || typeof room.on !== 'function') throw new TypeError('connectGa4(room): room must be a Hudong room');
  const { gtag, filter, map } = options;
  if (gtag != null && typeof gtag !== 'function') throw new TypeError('connectGa4(room, options): gtag must be a function');
  const layer = gtag ? null : (options.dataLayer ?? (globalThis.dataLayer ??= []));
  if (layer && typeof layer.push !== 'function') throw new TypeError('connectGa4(room, options): dataLayer must be an array');
  return room.on('*', (event) => {
    if (filter && !filter(event)) return;
    let ga4 = ga4Event(event);
    if (ga4 && map) ga4 = map(event, ga4);
    if (!ga4) return;
    if (gtag) {
      gtag('event', ga4.name, ga4.params);
    } else if (ga4.ecommerce) {
      const { items, currency, value, promotion_id, creative_slot, ...rest } = ga4.params;
      layer.push({ ecommerce: null });
      const ecommerce = Object.fromEntries(Object.entries({ items, currency, value, promotion_id, creative_slot }).filter(([, v]) => v !== undefined));
      layer.push({ event: ga4.name, ...rest, ecommerce });
    } else {
      layer.push({ event: ga4.name, ...ga4.params });
    }
  });
}
