// The reference backend scaled out: three processes on one PostgreSQL and one Redis, viewers
// spread over them, every request sent to two processes at once (a client's retry through
// another process). Stock, coupon quantity, per-viewer limits, balances, the draw, quiz
// scores and poll tallies come out exactly as one process decides them; a process killed
// with SIGKILL mid-show loses nothing it acknowledged, the others go on deciding, and the
// restarted process serves the sessions it had. The same show on one process on SQLite
// gives the same figures.
import { test, expect } from '@playwright/test';
import { WebSocket } from 'ws';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { postgresDatabase, repo, startBackend, startRedis, stop, tempDir } from './backend-process.mjs';

const HOST = 'scale-out-host-key';
const VIEWERS = 30;
const ROOM = 'scale';
const bearer = (key) => ({ authorization: `Bearer ${key}` });
const json = (res) => res.json();

const command = (base, body) =>
  fetch(`${base}/rooms/${ROOM}/commands`, { method: 'POST', headers: { ...bearer(HOST), 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (res) => {
    const out = await res.json();
    if (!res.ok || out.ok === false) throw new Error(`${body.type} refused: ${JSON.stringify(out)}`);
    return out;
  });
const decisions = (base, widget) => fetch(`${base}/rooms/${ROOM}/decisions?widget=${widget}`, { headers: bearer(HOST) }).then(json);
const snapshot = (base) => fetch(`${base}/rooms/${ROOM}/snapshot`, { headers: bearer(HOST) }).then(json);
const widget = (snap, id) => snap.widgets.find((w) => w.spec?.widget_id === id);

/** The widgets a viewer's first message makes: applied (the snapshot, and its tail at once)
 * to a headless room of the built SDK, in Node. */
async function asViewerSees(message) {
  const { createRoom } = await import(join(repo, 'dist', 'headless', 'index.js'));
  const room = await createRoom({ roomId: ROOM, persist: false });
  try {
    const r = room.apply(message);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    return { widgets: room.widgets };
  } finally {
    room.destroy();
  }
}

/** A viewer's WebSocket on one process: every message it receives. */
function socket(base, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/rooms/${ROOM}/ws?token=${token}`);
    const messages = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('error', reject);
  });
}

/** Sends one event to a process's collector; resolves with what the collector answered. */
async function collect(base, viewer, event) {
  const res = await fetch(`${base}/collect`, { method: 'POST', headers: { ...bearer(viewer.token), 'content-type': 'application/json' }, body: JSON.stringify({ events: [event] }) });
  return { status: res.status, body: await res.json() };
}

function event(viewer, fields) {
  const now = Date.now();
  return { v: 1, event_id: crypto.randomUUID(), seq: 1, at: now, client_at: now, room_id: ROOM, session_id: viewer.session_id, user_id: viewer.user_id, ...fields };
}

/** The same event to two processes at once; both must take it. */
async function toTwo(bases, viewer, fields) {
  const e = event(viewer, fields);
  const answers = await Promise.all(bases.map((b) => collect(b, viewer, e)));
  for (const a of answers) {
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.refused ?? [], JSON.stringify(a.body)).toEqual([]);
  }
}

/**
 * The show. `processes` backends on `db` (with Redis when more than one); each viewer sends
 * every request to its own process and the next (the same one twice when there is one).
 */
async function show({ processes, db, redis }) {
  const args = { args: [...(redis ? ['--redis', redis.url] : []), '--host-key', HOST] };
  const procs = [];
  const next = (i) => (i + 1) % processes;
  try {
    for (let i = 0; i < processes; i++) procs.push(await startBackend(db, args));
    const bases = procs.map((p) => p.base);
    const now = Date.now();
    await command(bases[0], { type: 'flash.open', widget_id: 'f', product: { name: '唇釉', price: 100 }, stock_total: 5, per_viewer_limit: 1, starts_at: now - 1000, ends_at: now + 600_000 });
    const at = (i) => bases[i % processes];
    await command(at(1), { type: 'coupon.open', widget_id: 'c', kind: 'coupon', name: '满 99 减 20', value: 2000, quantity: 5, ends_at: now + 600_000, valid_ms: 3_600_000 });
    await command(at(2), { type: 'redeem.open', widget_id: 's', tiers: [], items: [{ item_id: 'c', name: '券', cost: 60, stock: 60, per_viewer_limit: 5 }] });
    await command(bases[0], { type: 'poll.open', widget_id: 'p', question: '哪款?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    await command(at(1), { type: 'quiz.open', widget_id: 'q', mode: 'elimination' });
    await command(at(2), { type: 'quiz.question', widget_id: 'q', question_id: 'q1', text: '?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], closes_at: now + 600_000 });

    // Viewers spread over the three processes, each with a socket on its own.
    const viewers = [];
    for (let i = 0; i < VIEWERS; i++) {
      const home = i % processes;
      await command(bases[home], { type: 'redeem.account', widget_id: 's', user_id: `u${i}`, balance: 100 });
      const joined = await fetch(`${bases[home]}/rooms/${ROOM}/join`, { method: 'POST', headers: bearer(HOST), body: JSON.stringify({ user_id: `u${i}` }) }).then(json);
      expect(joined.token, JSON.stringify(joined)).toBeTruthy();
      const sock = await socket(bases[home], joined.token);
      viewers.push({ ...joined, i, home, pair: [bases[home], bases[next(home)]], sock });
    }
    // The bag opens once everyone is here; it is drawn when it is due, by whichever
    // process gets there first.
    const drawAt = Date.now() + 8_000;
    await command(bases[0], { type: 'lottery.open', widget_id: 'bag', prize: { name: '福袋', count: 1 }, condition: 'none', draw_at: drawAt });

    await Promise.all(
      viewers.map(async (v) => {
        for (let n = 1; n <= 2; n++) {
          const id = (what) => `${ROOM}:${what}:${v.user_id}:${n}`;
          await Promise.all([
            toTwo(v.pair, v, { widget_id: 'f', kind: 'flash_sale', type: 'flash.grab', request_id: id('grab') }),
            toTwo(v.pair, v, { widget_id: 'c', kind: 'coupon', type: 'coupon.claim', request_id: id('coupon'), gate: 'none' }),
            toTwo(v.pair, v, { widget_id: 's', kind: 'redeem', type: 'redeem.request', request_id: id('redeem'), item_id: 'c', cost: 60 }),
          ]);
        }
        await toTwo(v.pair, v, { widget_id: 'p', kind: 'poll', type: 'poll.vote', option_ids: [v.i % 3 === 0 ? 'a' : 'b'], idempotency_key: `${ROOM}:p:${v.user_id}:vote:1`, revote: false });
        await toTwo(v.pair, v, { widget_id: 'q', kind: 'quiz', type: 'quiz.answer', question_id: 'q1', option_id: v.i % 2 === 0 ? 'a' : 'b', time_to_answer_ms: 900, idempotency_key: `q1:${v.user_id}` });
        await toTwo(v.pair, v, { widget_id: 'bag', kind: 'lottery', type: 'lottery.enter', request_id: `${ROOM}:bag:${v.user_id}:enter`, condition: 'none' });
      }),
    );

    // Every request answered, on the viewer's own socket, whichever process decided it.
    const results = (v, type, widgetId) => v.sock.messages.filter((m) => m.type === type && m.widget_id === widgetId);
    for (const v of viewers) {
      for (const [type, w, what] of [['flash.result', 'f', 'grab'], ['coupon.result', 'c', 'coupon'], ['redeem.result', 's', 'redeem']]) {
        await expect.poll(() => new Set(results(v, type, w).map((m) => m.request_id)).size, { message: `${v.user_id}: both ${what} requests answered` }).toBe(2);
        // A request decided once: the same answer however many times it was asked.
        for (const n of [1, 2]) {
          const answers = results(v, type, w).filter((m) => m.request_id === `${ROOM}:${what}:${v.user_id}:${n}`);
          expect(new Set(answers.map((m) => JSON.stringify(m))).size, `${v.user_id} ${what} ${n}: one answer`).toBe(1);
        }
      }
      // One order at most, one coupon at most, exactly one redemption (100 points, 60 each).
      expect(results(v, 'flash.result', 'f').filter((m) => m.outcome === 'success').length).toBeLessThanOrEqual(1);
      expect(results(v, 'coupon.result', 'c').filter((m) => m.outcome === 'success').length).toBeLessThanOrEqual(1);
      const redeemed = results(v, 'redeem.result', 's').filter((m) => m.outcome === 'success');
      expect(redeemed.map((m) => m.balance)).toEqual([40]);
    }
    for (const base of bases) {
      expect((await decisions(base, 'f')).success).toBe(5);
      expect((await decisions(base, 'c')).success).toBe(5);
      expect((await decisions(base, 's')).success).toBe(VIEWERS);
    }
    // Each vote counted once, whichever processes took it; every process shows the tally.
    for (const base of bases) {
      await expect.poll(async () => widget(await snapshot(base), 'p')?.counts).toEqual({ a: 10, b: 20 });
    }

    // The reveal reaches two processes; the question is scored once.
    await Promise.all([
      command(at(1), { type: 'quiz.reveal', widget_id: 'q', question_id: 'q1', correct: ['a'] }),
      command(at(2), { type: 'quiz.reveal', widget_id: 'q', question_id: 'q1', correct: ['a'] }).catch(() => {}),
    ]);
    for (const v of viewers) {
      await expect.poll(() => v.sock.messages.filter((m) => m.type === 'quiz.standing' && m.user_id === v.user_id).length, { message: `${v.user_id} got a standing` }).toBeGreaterThan(0);
      const standing = v.sock.messages.filter((m) => m.type === 'quiz.standing' && m.user_id === v.user_id);
      const right = v.i % 2 === 0;
      for (const s of standing) expect({ score: s.score, eliminated: s.eliminated }).toEqual({ score: right ? 10 : 0, eliminated: !right });
    }

    // The bag: one draw across the three processes, one winner.
    await expect.poll(() => decisions(bases[0], 'bag'), { timeout: 60_000 }).toEqual({ entered: VIEWERS, won: 1, lost: VIEWERS - 1 });
    await expect.poll(() => viewers.filter((v) => v.sock.messages.some((m) => m.type === 'lottery.result' && m.won === true && m.user_id === v.user_id)).length, { timeout: 30_000 }).toBe(1);

    // kill -9 of the last process right after it acknowledged a command and a vote.
    const last = processes - 1;
    const lost = procs[last];
    const acked = await command(lost.base, { type: 'poll.open', widget_id: 'p2', question: '还要吗?', options: [{ id: 'y', label: '要' }, { id: 'n', label: '不要' }] });
    expect(acked.ok).toBe(true);
    const voter = viewers.find((v) => v.home === last);
    const vote = await collect(lost.base, voter, event(voter, { widget_id: 'p2', kind: 'poll', type: 'poll.vote', option_ids: ['y'], idempotency_key: `${ROOM}:p2:${voter.user_id}:vote:1`, revote: false }));
    expect(vote.status).toBe(200);
    lost.proc.kill('SIGKILL');
    await new Promise((done) => (lost.proc.exitCode !== null || lost.proc.signalCode !== null ? done() : lost.proc.once('exit', done)));

    // With others left, they go on: nothing the lost one acknowledged is missing, and they
    // decide a new sale, three units, every viewer grabbing through them. A lone process
    // does the same once it is back.
    if (processes === 1) procs[0] = await startBackend(db, args);
    const alive = processes === 1 ? [procs[0].base] : bases.slice(0, last);
    for (const base of alive) {
      await expect.poll(async () => widget(await snapshot(base), 'p2')?.counts).toEqual({ y: 1, n: 0 });
    }
    const pairOf = (v) => [alive[v.i % alive.length], alive[(v.i + 1) % alive.length]];
    await command(alive[alive.length - 1], { type: 'flash.open', widget_id: 'f2', product: { name: '面霜', price: 200 }, stock_total: 3, per_viewer_limit: 1, starts_at: Date.now() - 1000, ends_at: Date.now() + 600_000 });
    await Promise.all(viewers.map((v) => toTwo(pairOf(v), v, { widget_id: 'f2', kind: 'flash_sale', type: 'flash.grab', request_id: `${ROOM}:f2:${v.user_id}:1` })));
    await expect.poll(() => decisions(alive[0], 'f2')).toMatchObject({ success: 3 });
    const f2 = await decisions(alive[alive.length - 1], 'f2');
    expect(Object.values(f2).reduce((a, b) => a + b, 0)).toBe(VIEWERS);

    // The process comes back on the same database and serves the sessions it had.
    if (processes > 1) procs[last] = await startBackend(db, args);
    const back = procs[last].base;
    const again = await collect(back, voter, event(voter, { widget_id: 'f', kind: 'flash_sale', type: 'flash.remind' }));
    expect(again.status).toBe(200);
    expect(again.body.refused ?? []).toEqual([]);
    const resumed = await socket(back, voter.token);
    await expect.poll(() => resumed.messages.length).toBeGreaterThan(0);
    expect(resumed.messages[0].type).toBe('room.snapshot');
    // The room a minute ago with the last minute as its tail: together, the room now.
    const seen = await asViewerSees(resumed.messages[0]);
    const p2 = widget(seen, 'p2'); // a room's poll state counts in the options' order
    expect(Object.fromEntries(p2.spec.options.map((o, i) => [o.id, p2.counts[i]]))).toEqual({ y: 1, n: 0 });
    expect(widget(seen, 'f2')).toBeTruthy();
    resumed.ws.close();
    for (const v of viewers) v.sock.ws.close();
  } finally {
    await Promise.all(procs.map((p) => stop(p.proc)));
  }
}

test('three processes on one PostgreSQL and one Redis decide as one; a process killed mid-show loses nothing and its sessions survive', async () => {
  test.setTimeout(180_000);
  const redis = await startRedis();
  try {
    await show({ processes: 3, db: postgresDatabase('scale'), redis });
  } finally {
    redis.proc.kill('SIGTERM');
  }
});

test('the same show on one process on SQLite: the same figures; killed and restarted, it loses nothing', async () => {
  test.setTimeout(180_000);
  const dir = tempDir('scale-sqlite');
  try {
    await show({ processes: 1, db: join(dir, 'one.db') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
