// The event inspector: the reference backend's /collect/stream (Server-Sent Events of each
// newly stored event), filtered by room and type. Works with the reference backend only.
import { hostHeaders, hostKey } from './session.js';

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const form = $('#filter');
form.room.value = params.get('room') ?? '';
form.type.value = params.get('type') ?? '';

let source;
let paused = false;
let count = 0;
const MAX_ROWS = 500;
const HISTORY = 200;
let seen = null; // event ids shown while the stream and the history overlap (both loading)

function connect() {
  source?.close();
  $('#rows').replaceChildren();
  count = 0;
  seen = new Set();
  const q = new URLSearchParams();
  if (form.room.value) q.set('room', form.room.value);
  if (form.type.value) q.set('type', form.type.value);
  history.replaceState(null, '', `?${q}`);
  // Reading the stored events takes the host key (an EventSource sends no headers: `key=`);
  // it stays out of the address bar.
  const read = new URLSearchParams(q);
  if (hostKey) read.set('key', hostKey);
  // Live events from now on; until the stored ones before them are shown, they wait.
  const early = [];
  let loaded = false;
  source = new EventSource(`/collect/stream?${read}`);
  source.onopen = () => ($('#state').textContent = 'live');
  source.onerror = () => ($('#state').textContent = 'reconnecting… (the inspector needs the reference backend: npm start)');
  source.onmessage = (m) => {
    if (paused) return;
    let e;
    try {
      e = JSON.parse(m.data);
    } catch {
      return;
    }
    if (loaded) add(e);
    else early.push(e);
  };
  // The room's latest stored events, so the inspector opened mid-show shows what came before.
  const past = new URLSearchParams(q);
  past.set('last', String(HISTORY));
  const mine = source;
  fetch(`/collect/events?${past}`, { headers: hostHeaders() })
    .then((r) => (r.ok ? r.json() : []))
    .catch(() => [])
    .then((list) => {
      if (mine !== source) return; // the filter changed meanwhile
      loaded = true;
      for (const e of [...list, ...early]) add(e);
      seen = null; // from here the stream alone adds rows: nothing to compare
      document.body.dataset.history = String(list.length);
      $('#history').textContent = list.length ? `the ${list.length} latest stored events first, then live` : '';
    });
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (cls) td.className = cls;
  return td;
}

function add(e) {
  if (seen && e?.event_id) {
    if (seen.has(e.event_id)) return;
    seen.add(e.event_id);
  }
  const { type, room_id, user_id, session_id, widget_id, at, v: _v, event_id: _id, seq: _s, client_at: _c, kind: _k, ...rest } = e;
  const tr = document.createElement('tr');
  tr.dataset.type = type;
  tr.append(
    cell(new Date(at).toLocaleTimeString()),
    cell(type, 't'),
    cell(room_id),
    cell(user_id ?? session_id),
    cell(widget_id),
    cell(JSON.stringify(rest), 'meta'),
  );
  $('#rows').prepend(tr);
  while ($('#rows').children.length > MAX_ROWS) $('#rows').lastElementChild.remove();
  count += 1;
  $('#count').textContent = `${count} events`;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  connect();
});
$('#pause').addEventListener('click', (e) => {
  paused = !paused;
  e.currentTarget.setAttribute('aria-pressed', String(paused));
  e.currentTarget.textContent = paused ? 'Resume' : 'Pause';
});
$('#clear').addEventListener('click', () => {
  $('#rows').replaceChildren();
  count = 0;
  $('#count').textContent = '0 events';
});
connect();
document.body.dataset.ready = 'true';
