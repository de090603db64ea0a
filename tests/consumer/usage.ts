// Type-checked against the installed package's declarations (tsc --noEmit).
import { createRoom, load, type Command, type EventBatch, type HudongEvent, type PollVoteEvent, type Result } from 'hudong';

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
off();

room.vote('p1', 'a');
room.apply('{"type":"poll.close","widget_id":"p1"}');
for (const w of room.widgets) {
  if (w.kind === 'poll') console.log(w.phase, w.counts);
  else if (w.kind === 'flash_sale') console.log(w.stock_left, w.orders);
  else console.log(w.question?.phase, w.standing?.score);
}
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
