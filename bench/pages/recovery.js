// A room whose journal holds `steps` steps; then one widget fails: how long until the room
// is rebuilt and working again (the `internal` error is emitted at the end of the rebuild).
import { createRoom } from '/dist/index.js';
window.measure = async (steps) => {
  const mount = document.createElement('div');
  document.body.append(mount);
  const room = await createRoom({ roomId: 'bench', sessionId: `b-${steps}-${Math.random()}`, mount, locale: 'en', persist: false });
  const now = Date.now();
  room.apply({ type: 'poll.open', widget_id: 'poll', question: 'Which?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], closes_at: now + 600_000 });
  room.apply({ type: 'likes.open', widget_id: 'likes' });
  room.apply({ type: 'fault.open', widget_id: 'fault', title: 'Fails', fail_on: 'command' });
  for (let i = 1; i <= steps; i++) room.apply({ type: 'poll.tally', widget_id: 'poll', counts: { a: i, b: 2 * i } });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
  const done = new Promise((resolve) => room.on('error', (e) => e.code === 'internal' && resolve(performance.now())));
  const t0 = performance.now();
  room.apply({ type: 'fault.poke', widget_id: 'fault' });
  const t1 = await done;
  const room_widgets = room.widgets;
  const ok = room_widgets.find((w) => w.kind === 'poll')?.counts?.[1] === 2 * steps && !room_widgets.some((w) => w.kind === 'fault');
  room.destroy();
  mount.remove();
  return { ms: t1 - t0, ok, got: ok ? null : JSON.stringify(room_widgets) };
};
document.body.dataset.ready = 'true';
