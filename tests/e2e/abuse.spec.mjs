// The reference backend against a hostile client: reads without credentials, another
// viewer's request id, floods of sockets, joins, rooms, messages and oversized events. Each
// is refused with a typed reason while the room keeps serving everyone else.
import { test, expect } from '@playwright/test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startBackend, stop, tempDir } from './backend-process.mjs';

const HOST = 'abuse-host-key';
const READ = 'abuse-read-key';
let dir;
test.beforeAll(() => {
  dir = tempDir('abuse');
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bearer = (key) => ({ authorization: `Bearer ${key}` });
const json = (res) => res.json();

/** Opens a WebSocket; resolves with it and the messages it receives, or rejects with the
 * HTTP status of a refused upgrade. */
function socket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.closed = new Promise((done) => ws.on('close', (code, reason) => done({ code, reason: String(reason) })));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('unexpected-response', (_, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body || '{}') })));
    });
    ws.on('error', () => {});
  });
}

async function joinRoom(base, room, user) {
  const res = await fetch(`${base}/rooms/${room}/join`, { method: 'POST', headers: user ? bearer(HOST) : {}, body: JSON.stringify(user ? { user_id: user } : {}) });
  return { status: res.status, body: await res.json() };
}

const command = (base, room, body) =>
  fetch(`${base}/rooms/${room}/commands`, { method: 'POST', headers: { ...bearer(HOST), 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

const event = (room, session, fields) => ({
  v: 1, event_id: crypto.randomUUID(), seq: 1, at: Date.now(), client_at: Date.now(), room_id: room,
  session_id: session.session_id, user_id: session.user_id, ...fields,
});
const collect = (base, token, events) =>
  fetch(`${base}/collect`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ events }) });

test('reads of stored data need the host key or the read key; reading an unknown room creates nothing', async () => {
  const { base, proc } = await startBackend(join(dir, 'reads.db'), { args: ['--host-key', HOST, '--read-key', READ, '--max-rooms', '3'] });
  try {
    const room = 'reads';
    await command(base, room, { type: 'poll.open', widget_id: 'p', question: '?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    for (const path of ['/collect/events', '/collect/rejected', '/collect/stats', `/rooms/${room}/decisions`, `/rooms/${room}/analytics`, `/rooms/${room}/snapshot`]) {
      const anonymous = await fetch(`${base}${path}`);
      expect(anonymous.status, path).toBe(401);
      expect((await anonymous.json()).error.code, path).toBe('not_reader');
      // A viewer's session token does not read either.
      const viewer = (await joinRoom(base, room)).body.token;
      expect((await fetch(`${base}${path}`, { headers: bearer(viewer) })).status, path).toBe(401);
      expect((await fetch(`${base}${path}`, { headers: bearer(READ) })).status, path).toBe(200);
      expect((await fetch(`${base}${path}`, { headers: bearer(HOST) })).status, path).toBe(200);
    }
    // The read key as `?key=` (an EventSource sends no headers); a wrong one is refused.
    expect((await fetch(`${base}/collect/events?key=${READ}`)).status).toBe(200);
    expect((await fetch(`${base}/collect/events?key=nope`)).status).toBe(401);
    const snap = await (await fetch(`${base}/rooms/${room}/snapshot`, { headers: bearer(READ) })).json();
    expect(snap.widgets.map((w) => w.kind)).toEqual(['poll']);
    // The read key is not the host key.
    const refused = await fetch(`${base}/rooms/${room}/commands`, { method: 'POST', headers: bearer(READ), body: '{"type":"poll.close","widget_id":"p"}' });
    expect(refused.status).toBe(403);

    // 500 reads of rooms that do not exist create none: three new rooms can still open.
    for (let i = 0; i < 250; i++) {
      expect((await (await fetch(`${base}/rooms/ghost-${i}/presence`)).json()).online).toBe(0);
      expect((await (await fetch(`${base}/rooms/ghost-${i}/snapshot`, { headers: bearer(READ) })).json()).widgets).toEqual([]);
    }
    // Rooms held: one with a viewer on it, and two new ones.
    const url = async (r, user) => `${base.replace('http', 'ws')}/rooms/${r}/ws?token=${(await joinRoom(base, r, user)).body.token}`;
    const again = await socket(await url(room, 'u2'));
    await expect.poll(() => again.messages.filter((m) => m.type === 'room.snapshot').length).toBe(1);
    const opened = [await socket(await url('new-1', 'u1')), await socket(await url('new-2', 'u1'))];
    // A fourth room is over the limit of three while each has a viewer.
    const over = await socket(await url('new-3', 'u1')).catch((e) => e);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('too_many_rooms');
    // A room that exists still takes viewers.
    const more = await socket(await url(room, 'u3'));
    await expect.poll(() => more.messages.length).toBeGreaterThan(0);
    // Once a room has no viewer left it is evicted for a new one (its log stays).
    opened.shift().ws.close();
    await expect.poll(async () => (await socket(await url('new-3', 'u1')).then((s) => (opened.push(s), 'open'), (e) => e.status))).toBe('open');
    opened.push(more);
    for (const { ws } of [...opened, again]) ws.close();
  } finally {
    await stop(proc);
  }
});

test('a request id sent by another viewer is that viewer\'s own request; sessions survive a restart', async () => {
  const db = join(dir, 'owner.db');
  let { base, proc } = await startBackend(db, { args: ['--host-key', HOST] });
  try {
    const room = 'owner';
    const now = Date.now();
    await command(base, room, { type: 'flash.open', widget_id: 'f', product: { name: '唇釉', price: 100 }, stock_total: 5, per_viewer_limit: 1, starts_at: now - 1000, ends_at: now + 600_000 });
    const victim = (await joinRoom(base, room, 'victim')).body;
    const attacker = (await joinRoom(base, room)).body;
    expect(attacker.user_id).toMatch(/^anon-/);
    const victimSocket = await socket(`${base.replace('http', 'ws')}/rooms/${room}/ws?token=${victim.token}`);
    const stolenId = `${room}:f:victim:grab:1`;
    // The attacker goes first with the victim's id.
    expect((await collect(base, attacker.token, [event(room, attacker, { widget_id: 'f', kind: 'flash_sale', type: 'flash.grab', request_id: stolenId })])).status).toBe(200);
    const decisions = () => fetch(`${base}/rooms/${room}/decisions`, { headers: bearer(HOST) }).then(json);
    await expect.poll(decisions).toEqual({ success: 1 });
    // The victim's own grab is decided for the victim, with an order of their own.
    expect((await collect(base, victim.token, [event(room, victim, { widget_id: 'f', kind: 'flash_sale', type: 'flash.grab', request_id: stolenId })])).status).toBe(200);
    await expect.poll(decisions).toEqual({ success: 2 });
    await expect.poll(() => victimSocket.messages.filter((m) => m.type === 'flash.result').length).toBe(1);
    const answer = victimSocket.messages.find((m) => m.type === 'flash.result');
    expect(answer).toMatchObject({ request_id: stolenId, outcome: 'success' });
    const events = await fetch(`${base}/collect/events?room=${room}&type=flash.result`, { headers: bearer(HOST) }).then(json);
    expect(events).toEqual([]); // answers are the server's commands, not stored events
    victimSocket.ws.close();

    // Restart: the victim's session token is still good (the signing secret is kept).
    await stop(proc);
    ({ base, proc } = await startBackend(db, { args: ['--host-key', HOST] }));
    const res = await collect(base, victim.token, [event(room, victim, { widget_id: 'f', kind: 'flash_sale', type: 'flash.remind' })]);
    expect(res.status).toBe(200);
    expect((await res.json()).refused).toEqual([]);
    const reconnected = await socket(`${base.replace('http', 'ws')}/rooms/${room}/ws?token=${victim.token}`);
    await expect.poll(() => reconnected.messages.length).toBeGreaterThan(0);
    expect(reconnected.messages[0].type).toBe('room.snapshot');
    reconnected.ws.close();
  } finally {
    await stop(proc);
  }
});

test('limits: sockets per address, anonymous joins, message rate and size, event size; each refused with its code while the room serves others', async () => {
  const { base, proc } = await startBackend(join(dir, 'limits.db'), { args: ['--host-key', HOST, '--max-sockets-per-address', '4', '--max-anonymous-joins', '3'] });
  const open = [];
  try {
    const room = 'limits';
    const ws = base.replace('http', 'ws');
    // Anonymous joins: three from this address, then refused; a signed-in viewer still joins.
    for (let i = 0; i < 3; i++) expect((await joinRoom(base, room)).status).toBe(200);
    const fourth = await joinRoom(base, room);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('too_many_joins');
    const named = (await joinRoom(base, room, 'viewer-ok')).body;
    expect(named.token).toBeTruthy();

    // Sockets: four from this address, the fifth refused until one closes.
    for (let i = 0; i < 4; i++) open.push(await socket(`${ws}/rooms/${room}/ws?token=${(await joinRoom(base, room, `u${i}`)).body.token}`));
    const fifth = await socket(`${ws}/rooms/${room}/ws?token=${named.token}`).catch((e) => e);
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('too_many_sockets');
    // The host's relay (the simulated-viewer tool) is not counted per address.
    open.push(await socket(`${ws}/rooms/${room}/ws?key=${HOST}&user=relay-1`));
    // An event stream counts too.
    expect((await fetch(`${base}/rooms/${room}/events?token=${named.token}`)).status).toBe(429);

    // A socket that floods is closed with the reason; one that sends a frame too large is
    // closed; the others go on receiving the room.
    const [flooder, oversized, ...others] = open;
    expect(others).toHaveLength(3);
    for (let i = 0; i < 60; i++) flooder.ws.send('{"type":"snapshot.request"}');
    const flooded = await flooder.ws.closed;
    expect(flooded.code).toBe(1008);
    expect(flooded.reason).toMatch(/^rate_limited/);
    const snapshots = flooder.messages.filter((m) => m.type === 'room.snapshot').length;
    expect(snapshots).toBeLessThan(10);
    oversized.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(64 * 1024) }));
    const cut = await oversized.ws.closed;
    expect(cut.code).not.toBe(1000);
    const { seq } = await command(base, room, { type: 'poll.open', widget_id: 'p', question: '?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    for (const o of others) await expect.poll(() => o.messages.some((m) => m.type === 'poll.open' && m.seq === seq)).toBe(true);
    // The closed sockets gave their places back.
    await expect.poll(async () => (await socket(`${ws}/rooms/${room}/ws?token=${named.token}`).then((s) => (open.push(s), 'open'), (e) => e.status))).toBe('open');

    // An event over 16 KB is refused with the reason; the rest of its batch is stored.
    const small = event(room, named, { widget_id: 'p', kind: 'poll', type: 'poll.vote', option_ids: ['a'], idempotency_key: 'k1', revote: false });
    const large = event(room, named, { widget_id: 'p', kind: 'poll', type: 'widget.shown', note: 'x'.repeat(20_000) });
    const out = await (await collect(base, named.token, [small, large])).json();
    expect(out.stored).toBe(1);
    expect(out.refused).toEqual([expect.objectContaining({ event_id: large.event_id, code: 'too_large' })]);
    // A batch over 256 KB is refused whole, before it is read.
    const huge = await collect(base, named.token, Array.from({ length: 30 }, () => event(room, named, { type: 'widget.shown', note: 'y'.repeat(10_000) })));
    expect(huge.status).toBe(413);
    // The vote counted: the room serves on.
    for (const o of others) await expect.poll(() => o.messages.some((m) => m.type === 'poll.tally' && m.counts?.a === 1)).toBe(true);
  } finally {
    for (const { ws } of open) ws.close();
    await stop(proc);
  }
});
