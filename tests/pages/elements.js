// Plain HTML with Hudong's custom elements: the page only registers them and listens.
import { defineElements } from '/dist/elements.js';

const seen = { events: [], votes: [], errors: [], ready: [] };
document.addEventListener('hudong-event', (e) => seen.events.push(e.detail.type));
document.addEventListener('poll.vote', (e) => seen.votes.push(e.detail.option_ids));
document.addEventListener('hudong-error', (e) => seen.errors.push({ from: e.target.id, code: e.detail.code, message: e.detail.message }));
document.addEventListener('hudong-ready', (e) => seen.ready.push(e.target.id || e.target.parentElement.id));
defineElements();
defineElements(); // a second call changes nothing
window.seen = seen;
document.body.dataset.ready = 'true';
