// Type-checked against the installed package's declarations (tsc --noEmit).
import { createRoom, load, type Command, type HudongEvent, type PollVoteEvent, type Result } from 'hudong';

await load();
const room = await createRoom({
  roomId: 'room-1',
  mount: '#overlay',
  userId: 'u-1',
  locale: 'en',
  theme: 'dark',
  sink: async (event: HudongEvent) => {
    await fetch('/collect', { method: 'POST', body: JSON.stringify(event), keepalive: true });
  },
});

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
for (const w of room.widgets) console.log(w.kind, w.phase, w.counts);

// @ts-expect-error: not a command type
room.apply({ type: 'poll.nope', widget_id: 'p1' });
// @ts-expect-error: roomId is required
void createRoom({ mount: '#overlay' });

room.destroy();
