// A show of `seconds` seconds in compressed time: six polls, each with a countdown to its
// close and a tally a second, drawn in the overlay, events going through a transport. Then
// the memory it holds (garbage collected by the caller), and how long a room with that
// history takes to come back after a widget fails.
import init from '/dist/hudong_wasm.js';
import { createRoom } from '/dist/index.js';

const WIDGETS = 6;
let room;
let delivered = 0;

window.show = async (seconds) => {
  room = await createRoom({
    roomId: 'long-show',
    sessionId: `long-${seconds}-${Math.random()}`,
    mount: '#overlay',
    locale: 'en',
    persist: false,
    transport: (batch) => {
      delivered += batch.events.length;
    },
  });
  const start = Date.now();
  for (let w = 0; w < WIDGETS; w++) {
    const r = room.apply({ type: 'poll.open', widget_id: `p${w}`, question: `Question ${w}?`, options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], closes_at: start + seconds * 1000 + 60_000 });
    if (!r.ok) throw new Error(r.error.message);
  }
  room.vote('p0', 'a');
  for (let s = 1; s <= seconds; s++) {
    window.advanceClock(1000);
    for (let w = 0; w < WIDGETS; w++) {
      const r = room.apply({ type: 'poll.tally', widget_id: `p${w}`, counts: { a: s * (w + 1), b: s } });
      if (!r.ok) throw new Error(r.error.message);
    }
    // A frame every five minutes of the show: the overlay is drawn, timers run.
    if (s % 300 === 0) await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  room.flush();
  const polls = room.widgets.filter((w) => w.kind === 'poll');
  return { steps: seconds * WIDGETS, last: polls.at(-1).counts, widgets: polls.length };
};

/** Bytes of wasm memory (it only grows: the high-water mark): the shipped module's, and
 * the recovery build's once the page has made it ready (`recovery`: 0 before). */
window.wasmBytes = async (recoveryLoaded) => ({
  shipped: (await init()).memory.buffer.byteLength,
  recovery: recoveryLoaded ? (await (await import('/dist/recover/hudong_wasm.js')).default()).memory.buffer.byteLength : 0,
});

/** The page idle for a while, as it is between a show's moments. */
window.idle = (ms) => new Promise((r) => setTimeout(r, ms));

/** A widget fails: ms until the room is rebuilt and drawn, and whether it came back as it was. */
window.recover = async () => {
  room.apply({ type: 'fault.open', widget_id: 'fault', title: 'Fails', fail_on: 'command' });
  const before = JSON.stringify(room.widgets.filter((w) => w.kind === 'poll'));
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
  const done = new Promise((resolve) => room.on('error', (e) => e.code === 'internal' && resolve(performance.now())));
  const t0 = performance.now();
  room.apply({ type: 'fault.poke', widget_id: 'fault' });
  const t1 = await done;
  const after = JSON.stringify(room.widgets.filter((w) => w.kind === 'poll'));
  return { ms: t1 - t0, same: before === after && !room.widgets.some((w) => w.kind === 'fault') };
};
document.body.dataset.ready = 'true';
