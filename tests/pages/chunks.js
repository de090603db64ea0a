// A room with nothing open yet, for the tests of what code a page fetches for its widgets.
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const room = await createRoom({
  roomId: 'chunks',
  mount: '#overlay',
  locale: 'en',
  persist: false,
  prefetch: params.getAll('prefetch'),
});
const errors = [];
room.on('error', (e) => errors.push(e));
const now = () => room.serverNow();
const poll = (id) => ({ type: 'poll.open', widget_id: id, question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }], closes_at: now() + 60_000 });
const flash = { type: 'flash.open', widget_id: 'flash', product: { name: 'Velvet tint F1', price: 8900, original_price: 12900, currency: 'CNY' }, stock_total: 10, starts_at: now() - 1_000, ends_at: now() + 60_000 };
window.chunks = { room, errors, poll, flash };
document.body.dataset.ready = 'true';
