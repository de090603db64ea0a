// Type-checked against the installed package's declarations (tsc --noEmit).
import { createRoom, load, type Command, type EventBatch, type HudongEvent, type PollVoteEvent, type Result, type Room } from 'hudong';
import { scriptedTracker } from 'hudong/testing';

await load();
const room = await createRoom({
  roomId: 'room-1',
  mount: '#overlay',
  userId: 'u-1',
  locale: 'en',
  theme: 'dark',
  transport: { type: 'http', url: '/collect' },
  consent: 'pending',
  personalData: { userId: 'hash', salt: 'room-salt' },
  delivery: { maxBatchEvents: 10, flushIntervalMs: 2_000 },
});
room.setConsent('granted');
const stats = room.delivery;
if (stats) console.log(stats.queued, stats.delivered, stats.dropped);
for (const d of room.deadLetters) console.log(d.status, d.events.length);

const custom = await createRoom({
  roomId: 'room-2',
  format: 'segment',
  transport: async (batch: EventBatch) => {
    const ids: string[] = batch.events.map((e: HudongEvent) => e.event_id);
    await fetch('/ingest', { method: 'POST', body: JSON.stringify(ids) });
  },
});
custom.flush();
custom.destroy();

const open: Command = {
  type: 'poll.open',
  widget_id: 'p1',
  question: 'Which shade?',
  options: [
    { id: 'a', label: 'Ruby' },
    { id: 'b', label: 'Rose', image: 'https://cdn.example.com/rose.webp' },
  ],
  closes_at: Date.now() + 60_000,
};
const result: Result = room.apply(open);
if (!result.ok) console.warn(result.error.code, result.error.message);

const off = room.on('poll.vote', (e: PollVoteEvent) => {
  const key: string = e.idempotency_key;
  const ids: string[] = e.option_ids;
  console.log(key, ids);
});
room.on('poll.revealed', (e) => console.log(e.winners, e.counts['a']));
room.on('error', (e) => console.log(e.code));
// Buy and add-to-cart from a product card open the host's own checkout.
room.on('product.buy', (e) => console.log(e.sku, e.price, e.currency, e.idempotency_key));
off();

room.vote('p1', 'a');
room.apply('{"type":"poll.close","widget_id":"p1"}');
for (const w of room.widgets) {
  if (w.kind === 'poll') console.log(w.phase, w.counts);
  else if (w.kind === 'flash_sale') console.log(w.stock_left, w.orders);
  else if (w.kind === 'quiz') console.log(w.question?.phase, w.standing?.score);
  else if (w.kind === 'redeem') console.log(w.account?.balance, w.pending?.cost, w.history.length);
  else if (w.kind === 'lottery') console.log(w.entries, w.winners?.length, w.mine.state, w.won);
  else if (w.kind === 'try_on') console.log(w.phase.phase, w.pose.x, w.tracker);
  else if (w.kind === 'lead') console.log(w.state.state, w.consent, w.folded);
  else if (w.kind === 'likes') console.log(w.shown, w.total, w.goal_reached);
  else if (w.kind === 'products') console.log(w.current?.sku, w.pinned.length);
  else if (w.kind === 'coupon') console.log(w.left, w.mine.state, w.wallet.map((c) => c.expires_at));
  else if (w.kind === 'questions') console.log(w.items.map((q) => q.votes), w.mine.length);
  else if (w.kind === 'tasks') console.log(w.spec.tasks.map((t) => w.progress[t.task_id] ?? 0));
  else if (w.kind === 'leaderboard') console.log(w.phase, w.ranks?.rows.map((r) => r.rank), w.standing?.reward);
  else {
    const never: never = w;
    console.log(never);
  }
}

// Point-redeem: the server decides.
room.apply({
  type: 'redeem.open',
  widget_id: 'shop',
  tiers: [{ id: 'new', name: '新手' }, { id: 'pro', name: '达人' }],
  items: [{ item_id: 'coupon', name: '满100减20券', cost: 100, stock: 50, per_viewer_limit: 2 }],
});
room.apply({ type: 'redeem.account', widget_id: 'shop', user_id: 'u-1', balance: 260, tier: 'new' });
room.on('redeem.request', (e) => {
  const answer: Command = { type: 'redeem.result', widget_id: 'shop', request_id: e.request_id, outcome: 'success', voucher_ref: 'V-1', balance: 160 };
  room.apply(answer);
});
room.act({ type: 'redeem.request', widget_id: 'shop', item_id: 'coupon' });
// @ts-expect-error: not an outcome
room.apply({ type: 'redeem.result', widget_id: 'shop', request_id: 'x', outcome: 'maybe' });

// AR try-on with a tracker from the testing entry point.
room.apply({ type: 'tryon.open', widget_id: 'ar', product: { name: '太阳镜', sku: 'SUN-1', image: '/sun.png', anchor: { x: 0.5, y: 0.3 } } });
const tracker = scriptedTracker({ path: (ms) => ({ x: 0.5, y: 0.4 + ms / 1e6 }) });
room.setTracker(tracker);
tracker.lost = true;
room.setTracker({ track: (_source, _now) => null });
room.setTracker(null);
room.on('tryon.add_to_cart', (e) => console.log(e.sku, e.idempotency_key));
room.on('tryon.closed', (e) => console.log(e.duration_ms, e.snapshots));
void createRoom({ roomId: 'r', tryOn: { onSnapshot: (jpeg: Blob) => console.log(jpeg.size), maxFps: 24 } });
// @ts-expect-error: a tracker needs track()
room.setTracker({ init() {} });
room.apply({
  type: 'flash.open',
  widget_id: 'f1',
  product: { name: '丝绒唇釉', price: 8900, original_price: 15900 },
  stock_total: 100,
  starts_at: room.serverNow() + 10_000,
  ends_at: room.serverNow() + 70_000,
});
room.on('flash.grab', (e) => {
  const answer: Command = { type: 'flash.result', widget_id: 'f1', request_id: e.request_id, outcome: 'success', order_ref: 'ORD-1' };
  room.apply(answer);
});
room.act({ type: 'flash.grab', widget_id: 'f1' });
room.on('quiz.answer', (e) => console.log(e.question_id, e.option_id, e.time_to_answer_ms));
room.act({ type: 'quiz.answer', widget_id: 'q', question_id: 'q1', option_id: 'a' });

// @ts-expect-error: not a command type
room.apply({ type: 'poll.nope', widget_id: 'p1' });
// @ts-expect-error: roomId is required
void createRoom({ mount: '#overlay' });

room.destroy();

// A lucky bag: the server decides entries and draws.
room.apply({ type: 'lottery.open', widget_id: 'bag', prize: { name: '福袋', count: 3 }, condition: 'keyword', keyword: '想要', draw_at: Date.now() + 60_000 });
room.on('lottery.enter', (e) => {
  const answer: Command = { type: 'lottery.entry', widget_id: 'bag', request_id: e.request_id, outcome: 'entered' };
  room.apply(answer);
});
room.act({ type: 'lottery.enter', widget_id: 'bag' });

// The loader: a room at once, the SDK once the video plays.
import { lazyRoom } from 'hudong/loader';
const lazy = lazyRoom({ roomId: 'r', mount: '#overlay' }, { video: document.querySelector('video'), maxWaitMs: 5000 });
const queuedResult = lazy.apply(open);
if ('queued' in queuedResult) console.log('runs once loaded');
lazy.on('poll.vote', (e) => console.log(e.type));
void lazy.ready.then((r: Room) => r.widgets.length);

// The headless build: the same API, no overlay.
import { createRoom as createHeadless } from 'hudong/headless';
void createHeadless({ roomId: 'r' }).then((r) => r.apply(open));

// Custom elements: typed through the DOM's own maps.
import { defineElements, type HudongRoomElement } from 'hudong/elements';
defineElements();
const roomEl: HudongRoomElement = document.createElement('hudong-room');
roomEl.setAttribute('room-id', 'r');
roomEl.options = { transport: async (batch: EventBatch) => console.log(batch.events.length) };
roomEl.addEventListener('hudong-event', (e) => console.log(e.detail.type === 'channel.state' ? e.detail.state : e.detail.event_id));
roomEl.addEventListener('hudong-error', (e) => console.log(e.detail.code));
roomEl.addEventListener('hudong-ready', (e) => e.detail.room.widgets.length);
const pollEl = document.createElement('hudong-poll');
pollEl.spec = { question: 'Which?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] };
roomEl.append(pollEl);
document.body.append(roomEl);
void roomEl.ready.then((r: Room) => r.flush());
// @ts-expect-error: the element's events carry typed details
roomEl.addEventListener('hudong-error', (e) => e.detail.nope);

// GA4 through Tag Manager's data layer, or gtag.
import { connectGa4, ga4Event } from 'hudong/analytics';
const stopGa4 = connectGa4(room, { dataLayer: [], filter: (e) => e.type !== 'like.sent' });
stopGa4();
declare const gtag: (command: 'event', name: string, params: Record<string, unknown>) => void;
connectGa4(room, { gtag, map: (_e, ga4) => ({ ...ga4, name: `live_${ga4.name}` }) });
const mapped = ga4Event({} as HudongEvent);
if (mapped) console.log(mapped.name, mapped.params.hudong_event_id, mapped.ecommerce);

// The protocol's types are generated from the SDK's Rust types: one name per command,
// action, event and widget state, narrowing on `type` / `kind`.
import type { FlashGrabEvent, LikeTapAction, PollOpenCommand, PollState, WidgetState, HudongError } from 'hudong';
const pollOpen: PollOpenCommand = { type: 'poll.open', widget_id: 'p2', question: 'Q', options: [{ id: 'a', label: 'A' }], max_choices: 1 };
room.apply(pollOpen);
// @ts-expect-error: max_choices is a number
room.apply({ type: 'poll.open', widget_id: 'p3', question: 'Q', options: [], max_choices: 'two' });
// @ts-expect-error: poll.close carries no question
room.apply({ type: 'poll.close', widget_id: 'p2', question: 'Q' });
const tap: LikeTapAction = { type: 'like.tap', widget_id: 'likes' };
room.act(tap);
const polls = room.widgets.filter((w: WidgetState): w is WidgetState & PollState & { kind: 'poll' } => w.kind === 'poll');
for (const p of polls) console.log(p.spec.question, p.phase satisfies 'open' | 'closed' | 'revealed');
room.on('flash.grab', (e: FlashGrabEvent) => console.log(e.request_id, e.seq));
const err: HudongError = { code: 'invalid_field', message: 'x' };
// @ts-expect-error: not an error code
const bad: HudongError = { code: 'oops', message: 'x' };
console.log(err, bad);
