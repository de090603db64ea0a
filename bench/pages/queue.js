// Measures how many events per second the wasm module accepts into its delivery queue
// (emit → encode → queue → persist), and the bytes each event costs on the wire.
import { createRoom } from '/dist/index.js';

async function run({ persist, rounds }) {
  let wireBytes = 0;
  let wireEvents = 0;
  const room = await createRoom({
    roomId: `bench-${persist}-${Date.now()}`,
    userId: 'viewer-1',
    persist,
    delivery: { maxQueueEvents: 100_000, maxQueueBytes: 4_000_000, flushIntervalMs: 60_000, maxBatchEvents: 20 },
    transport: async (batch) => {
      wireBytes += JSON.stringify(batch).length;
      wireEvents += batch.events.length;
    },
  });
  let events = 0;
  room.on('*', () => events++);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const id = `p${i}`;
    room.apply({ type: 'poll.open', widget_id: id, question: 'Which one?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    room.vote(id, 'a');
    room.apply({ type: 'poll.close', widget_id: id });
    room.apply({ type: 'widget.remove', widget_id: id });
  }
  const ms = performance.now() - t0;
  room.flush();
  await new Promise((r) => {
    const check = () => (room.delivery.queued === 0 ? r() : setTimeout(check, 10));
    check();
  });
  room.destroy();
  localStorage.clear();
  return { events, ms, perSec: (events / ms) * 1000, bytesPerEvent: wireBytes / wireEvents };
}

window.bench = run;
document.body.dataset.ready = 'true';
