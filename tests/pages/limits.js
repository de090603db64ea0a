// Several rooms on one page, for input that tries to break the module: room `a` takes the
// hostile input, `b` (mounted) and `c` (headless) look on, `w` (with `?ws=`) has a
// WebSocket command source the test controls, and `s` (with `?stored=`) starts on a saved
// event queue the test planted. Every attempt reports whether it threw and whether the
// room changed.
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const errors = {};
const make = async (name, options) => {
  errors[name] = [];
  const room = await createRoom({ roomId: `limits-${name}`, sessionId: `limits-${name}-${Date.now()}`, locale: 'en', ...options });
  room.on('error', (e) => errors[name].push(e));
  return room;
};
const poll = { type: 'poll.open', widget_id: 'p', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] };

const rooms = {
  a: await make('a', { mount: '#overlay-a' }),
  b: await make('b', { mount: '#overlay-b' }),
  c: await make('c', {}),
};
for (const room of Object.values(rooms)) room.apply(poll);
if (params.get('ws')) rooms.w = await make('w', { commands: { type: 'websocket', url: params.get('ws') } });
if (params.get('stored')) {
  const sessionId = 'limits-stored';
  localStorage.setItem(`hudong:outbox:v1:limits-s:${sessionId}`, params.get('stored') === 'deep' ? `{"outbox":${'['.repeat(100_000)}${']'.repeat(100_000)}}` : `{"outbox":"${'x'.repeat(4_500_000)}"}`);
  rooms.s = await make('s', { sessionId, transport: { type: 'http', url: '/collect' } });
  rooms.s.apply(poll);
}

/** `[[...]]` nested `depth` levels deep, built without recursion. */
const nest = (depth) => {
  let x = [];
  for (let i = 1; i < depth; i++) x = [x];
  return x;
};
const deepText = (type, depth) => `{"type":"${type}","widget_id":"p","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const big = 'x'.repeat(10 << 20);
const cyclic = { type: 'poll.tally', widget_id: 'p', counts: { a: 1 } };
cyclic.self = cyclic;
const throwing = {
  type: 'poll.tally',
  widget_id: 'p',
  get counts() {
    throw new Error('a getter that throws');
  },
};
const proxy = new Proxy(
  {},
  {
    get() {
      throw new Error('a trap that throws');
    },
    ownKeys() {
      throw new Error('a trap that throws');
    },
  },
);

/** Every attack: a name and what it does to a room. */
const attacks = [];
for (const depth of [1_000, 10_000, 100_000]) {
  attacks.push(
    [`apply: JSON text nested ${depth} deep`, (r) => r.apply(deepText('poll.close', depth))],
    [`apply: an object nested ${depth} deep`, (r) => r.apply({ type: 'poll.close', widget_id: 'p', x: nest(depth) })],
    [`receive: JSON text nested ${depth} deep`, (r) => r.receive(deepText('poll.close', depth))],
    [`receive: an object nested ${depth} deep`, (r) => r.receive({ seq: 1, type: 'poll.close', widget_id: 'p', x: nest(depth) })],
    [`act: an object nested ${depth} deep`, (r) => r.act({ type: 'poll.vote', widget_id: 'p', option_ids: ['a'], x: nest(depth) })],
  );
}
attacks.push(
  ['apply: a 10 MB string in an object', (r) => r.apply({ ...poll, widget_id: 'big', question: big })],
  ['apply: a 10 MB JSON text', (r) => r.apply(JSON.stringify({ ...poll, widget_id: 'big', question: big }))],
  ['receive: a 10 MB string in an object', (r) => r.receive({ ...poll, widget_id: 'big', question: big })],
  ['receive: a 10 MB JSON text', (r) => r.receive(`{"type":"poll.close","widget_id":"p","x":"${big}"}`)],
  ['act: a 10 MB string in an object', (r) => r.act({ type: 'poll.vote', widget_id: 'p', option_ids: [big] })],
  ['apply: a getter that throws', (r) => r.apply(throwing)],
  ['receive: a getter that throws', (r) => r.receive(throwing)],
  ['act: a getter that throws', (r) => r.act({ type: 'poll.vote', widget_id: 'p', get option_ids() { throw new Error('a getter that throws'); } })],
  ['apply: a Proxy whose traps throw', (r) => r.apply(proxy)],
  ['receive: a Proxy whose traps throw', (r) => r.receive(proxy)],
  ['act: a Proxy whose traps throw', (r) => r.act(proxy)],
  ['apply: a cyclic object', (r) => r.apply(cyclic)],
  ['receive: a cyclic object', (r) => r.receive(cyclic)],
  ['act: a cyclic object', (r) => r.act({ type: 'poll.vote', widget_id: 'p', option_ids: ['a'], cyclic })],
);

/** Runs one attack on a room: what it returned, whether it threw, whether the room changed. */
function attack(name, roomName = 'a') {
  const room = rooms[roomName];
  const fn = attacks.find(([n]) => n === name)[1];
  const before = JSON.stringify(room.widgets);
  const errorsBefore = errors[roomName].length;
  let result;
  let threw = null;
  try {
    result = fn(room);
  } catch (err) {
    threw = String(err?.stack ?? err);
  }
  return { result, threw, unchanged: JSON.stringify(room.widgets) === before, errorEvents: errors[roomName].slice(errorsBefore) };
}

/** Every room still works: a tally moves its poll. */
function alive(n) {
  const out = {};
  for (const [name, room] of Object.entries(rooms)) {
    if (room.destroyed || !room.widgets.some((w) => w.spec?.widget_id === 'p')) continue;
    const r = room.apply({ type: 'poll.tally', widget_id: 'p', counts: { a: n } });
    out[name] = r.ok ? room.widgets.find((w) => w.spec?.widget_id === 'p').counts[0] : r.error;
  }
  return out;
}

window.t = { rooms, errors, attacks: attacks.map(([n]) => n), attack, alive, createRoom };
document.body.dataset.ready = 'true';
