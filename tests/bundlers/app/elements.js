// The custom elements as a bundler builds them: the SDK is a chunk of its own, fetched by the
// loader; the room's events come out as DOM events.
import { defineElements } from 'hudong/elements';

const votes = [];
document.addEventListener('poll.vote', (e) => votes.push(e.detail.option_ids));
document.addEventListener('hudong-error', (e) => { document.body.dataset.error = `${e.detail.code}: ${e.detail.message}`; });
document.addEventListener('hudong-ready', () => { document.body.dataset.ready = 'true'; });
window.app = { votes };
defineElements();
