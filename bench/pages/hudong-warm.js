// The poll through Hudong, on a page that loaded the SDK and the poll's view while the
// viewer watched (the loader's idle-time load, and `prefetch`), before the first command.
// `?warmup`: also a throwaway poll drawn off-screen, so the code a poll runs is compiled
// (V8 compiles wasm functions lazily, on their first call) before the real one arrives.
const { createRoom } = await import('/dist/index.js');
const room = await createRoom({ roomId: 'bench', userId: 'viewer-1', mount: '#overlay', locale: 'en', persist: false, prefetch: [] });
await room.prefetch(['poll']);
if (new URLSearchParams(location.search).has('warmup')) {
  const off = document.createElement('div');
  const scratch = await createRoom({ roomId: 'warmup', mount: off, locale: 'en', persist: false, consent: 'denied' });
  scratch.apply({ type: 'poll.open', widget_id: 'w', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
  scratch.apply({ type: 'poll.tally', widget_id: 'w', counts: { a: 1, b: 2 } });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  scratch.destroy();
}
await new Promise((r) => (globalThis.requestIdleCallback ?? setTimeout)(r));
harness.start();
harness.ready({
  root: document.querySelector('#overlay').shadowRoot,
  apply: (cmd) => room.apply(cmd),
  vote: (id, option) => room.vote(id, option),
});
