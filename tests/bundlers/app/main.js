// A host app as a bundler builds it: `hudong` from node_modules, the wasm, stylesheet and
// language pack emitted by the bundler from the package's `new URL(…, import.meta.url)`.
import { createRoom } from 'hudong';
import { connectGa4 } from 'hudong/analytics';

async function main() {
  const events = [];
  const room = await createRoom({ roomId: 'bundled', userId: 'u-1', mount: '#overlay', locale: 'th', persist: false });
  room.on('*', (e) => events.push(e.type));
  const dataLayer = [];
  connectGa4(room, { dataLayer });
  const opened = room.apply({ type: 'poll.open', widget_id: 'p1', question: 'สีไหนดี?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] });
  window.app = { room, events, opened, dataLayer };
  document.body.dataset.ready = 'true';
}
main().catch((err) => {
  document.body.dataset.error = String(err?.stack ?? err);
});
