// A room with a poll, a flash sale, likes, and the test build's widget that fails on
// purpose (`?fail=command|action|tick|render`). The events go to the real collector, held
// back until the test flushes them.
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const failOn = params.get('fail') ?? 'command';
const errors = [];
const events = [];
let hostClicks = 0;
document.getElementById('host-button').addEventListener('click', () => {
  hostClicks += 1;
  document.getElementById('host-count').textContent = String(hostClicks);
});

// What the page holds from here on is the SDK's (tests/pages/hygiene-probe.js).
const mark = window.probe.mark();
const room = await createRoom({
  roomId: 'iso',
  sessionId: `iso-${failOn}-${Date.now()}`,
  userId: 'viewer-1',
  mount: '#overlay',
  locale: 'en',
  transport: { type: 'http', url: '/collect' },
  // Nothing goes out until the test flushes: every event is still queued when the widget fails.
  delivery: { maxBatchEvents: 100, flushIntervalMs: 600_000 },
  // `?storage=none`: the queue lives in memory only, as in a browser without storage.
  persist: params.get('storage') !== 'none',
});
room.on('error', (e) => errors.push(e));
room.on('*', (e) => events.push(e));
const now = Date.now();
for (const c of [
  { type: 'room.layout', max_cards: 3 }, // every card open: the test taps them all
  { type: 'poll.open', widget_id: 'poll', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }], closes_at: now + 120_000 },
  { type: 'flash.open', widget_id: 'flash', product: { name: 'Tint', price: 8900 }, stock_total: 10, starts_at: now - 1_000, ends_at: now + 120_000 },
  { type: 'likes.open', widget_id: 'likes' },
  { type: 'fault.open', widget_id: 'fault', title: 'Fails on purpose', fail_on: failOn, fail_after_ms: 2_500 },
]) {
  const r = room.apply(c);
  if (!r.ok) throw new Error(`${c.type}: ${r.error.message}`);
}

// Commands also come as a channel's messages: a tally, then the room's own snapshot with
// a later tally in its tail. The journal keeps each message as it came; a rebuild replays them.
for (const message of [
  { type: 'poll.tally', widget_id: 'poll', counts: { a: 3, b: 2 } },
  { ...room.snapshot(), tail: [{ seq: 1, type: 'poll.tally', widget_id: 'poll', counts: { a: 5, b: 4 } }] },
]) {
  const r = room.receive(message);
  if (!r.ok) throw new Error(`${message.type}: ${r.error.message}`);
}

window.t = { room, errors, events, hostClicks: () => hostClicks, failOn, mark };
document.body.dataset.ready = 'true';
