// The poll through Hudong's public API, as a host page would use it.
harness.start();
const { createRoom } = await import('/dist/index.js');
const room = await createRoom({ roomId: 'bench', userId: 'viewer-1', mount: '#overlay', locale: 'en', persist: false });
harness.ready({
  root: document.querySelector('#overlay').shadowRoot,
  apply: (cmd) => room.apply(cmd),
  vote: (id, option) => room.vote(id, option),
});
