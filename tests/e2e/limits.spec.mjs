// Input that tries to break the module, on a page with several rooms: nesting thousands of
// levels deep, 10 MB strings, objects that throw while they are read, cycles; through
// `apply`, `receive`, `act`, a WebSocket command source and a saved event queue. Each gets
// a typed error, throws nothing, changes nothing, and every room on the page goes on. A
// failure no widget can be blamed for (the module's stack exhausted) restarts the module
// and rebuilds every room as it was.
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { startServer } from '../../scripts/serve.mjs';
import { repo } from './support.mjs';

let server;
let base;
test.beforeAll(async () => {
  // The test build: it has the widget that fails on purpose.
  server = await startServer({ mounts: [['/dist/', join(repo, 'target', 'fault-dist')], ['/', join(repo, 'tests', 'pages')]] });
  base = `http://127.0.0.1:${server.address().port}`;
});
test.afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
});

async function open(page, query = '') {
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/limits.html${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  return pageErrors;
}

// The module's own stack lives in its memory: exhausting it is an access out of bounds (or,
// in the engine's frames, its stack limit).
const OVERFLOW = /memory access out of bounds|Maximum call stack size exceeded/;

const refused = expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'malformed_command' }) });

test('nesting 1,000 to 100,000 deep, 10 MB strings, throwing getters and Proxies, cycles: typed errors, nothing thrown, nothing changed, every room goes on', async ({ page }) => {
  test.setTimeout(120_000);
  const pageErrors = await open(page);
  const attacks = await page.evaluate(() => window.t.attacks);
  expect(attacks.length).toBe(29);
  let n = 1;
  for (const name of attacks) {
    const got = await page.evaluate((name) => window.t.attack(name), name);
    expect(got.threw, name).toBeNull();
    expect(got.result, name).toEqual(refused);
    expect(got.result.error.message, name).toMatch(/nested more than 32 levels|bytes long; the limit is 1048576 bytes|could not be read/);
    expect(got.unchanged, name).toBe(true);
    expect(got.errorEvents.map((e) => e.code), name).toEqual(['malformed_command']);
    // Every room on the page, the attacked one too, still takes commands.
    n += 1;
    expect(await page.evaluate((n) => window.t.alive(n), n), name).toEqual({ a: n, b: n, c: n });
  }
  // The headless room reads and is destroyed without a throw; a new room can be created.
  const after = await page.evaluate(async () => {
    const { rooms, createRoom } = window.t;
    const widgets = rooms.c.widgets.length;
    rooms.c.destroy();
    const fresh = await createRoom({ roomId: 'limits-fresh', locale: 'en' });
    const opened = fresh.apply({ type: 'likes.open', widget_id: 'l' }).ok;
    fresh.destroy();
    rooms.a.destroy();
    return { widgets, opened, destroyed: rooms.c.destroyed && rooms.a.destroyed };
  });
  expect(after).toEqual({ widgets: 1, opened: true, destroyed: true });
  // The attacked room's overlay was drawn all along, the looker-on's still is.
  await expect(page.locator('#overlay-b section.hd-poll')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a WebSocket source: messages nested too deep or too long are refused with the reason; the channel goes on', async ({ page }) => {
  // The page's policy lets it connect to its own origin only: the test's socket server
  // takes the upgrades of one path on the page server.
  const wss = new WebSocketServer({ noServer: true });
  const path = '/rooms/limits-w/ws';
  const onUpgrade = (req, socket, head) => {
    if (new URL(req.url, 'http://x').pathname === path) wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  const sockets = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === 'snapshot.request') ws.send(JSON.stringify({ type: 'room.snapshot', seq: 0, widgets: [] }));
    });
  });
  try {
    const pageErrors = await open(page, `?ws=${path}`);
    await expect.poll(() => sockets.length).toBe(1);
    const [ws] = sockets;
    const send = (text) => ws.send(text);
    send(JSON.stringify({ seq: 1, type: 'poll.open', widget_id: 'p', question: 'Which?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] }));
    await expect.poll(() => page.evaluate(() => window.t.rooms.w.widgets.length)).toBe(1);
    for (const depth of [1_000, 10_000, 100_000]) send(`{"seq":2,"type":"poll.close","widget_id":"p","x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    send(`{"seq":2,"type":"poll.close","widget_id":"p","x":"${'x'.repeat(10 << 20)}"}`);
    send(JSON.stringify({ seq: 2, type: 'poll.tally', widget_id: 'p', counts: { a: 7 } }));
    await expect.poll(() => page.evaluate(() => window.t.rooms.w.widgets[0].counts)).toEqual([7, 0]);
    const errors = await page.evaluate(() => window.t.errors.w.map((e) => `${e.code}: ${e.message}`));
    expect(errors).toEqual([
      ...Array(3).fill('malformed_command: a message from the command source is nested more than 32 levels deep (the limit is 32)'),
      expect.stringMatching(/^malformed_command: a message from the command source is 10485\d+ bytes long; the limit is 1048576 bytes$/),
    ]);
    expect(await page.evaluate(() => window.t.rooms.w.channelState)).toBe('live');
    expect(await page.evaluate(() => window.t.alive(9))).toEqual({ a: 9, b: 9, c: 9, w: 9 });
    expect(pageErrors).toEqual([]);
  } finally {
    server.off('upgrade', onUpgrade);
    for (const ws of sockets) ws.terminate();
    await new Promise((done) => wss.close(done));
  }
});

for (const stored of ['deep', 'big']) {
  test(`a saved event queue ${stored === 'deep' ? 'nested 100,000 deep' : 'of 4.5 MB'} is reported and discarded; the room works`, async ({ page }) => {
    const pageErrors = await open(page, `?stored=${stored}`);
    await expect.poll(() => page.evaluate(() => window.t.errors.s.map((e) => e.code))).toContain('storage_failed');
    const message = await page.evaluate(() => window.t.errors.s.find((e) => e.code === 'storage_failed').message);
    expect(message).toMatch(stored === 'deep' ? /nested more than 32 levels/ : /bytes long; the limit is 4194304 bytes/);
    expect(await page.evaluate(() => window.t.alive(4))).toEqual({ a: 4, b: 4, c: 4, s: 4 });
    expect(pageErrors).toEqual([]);
  });
}

test('a failure no widget is blamed for (the stack exhausted in a command) restarts the module; every room comes back as it was, checkpoints and all', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const pageErrors = await open(page);
  // The recovery build, which alone reads checkpoints, is not fetched with the SDK.
  expect(fetched.filter((p) => p.startsWith('/dist/recover/'))).toEqual([]);
  // A long show first: hundreds of steps, so each journal starts from a checkpoint.
  const before = await page.evaluate(() => {
    const { rooms } = window.t;
    for (let i = 1; i <= 450; i++) for (const r of [rooms.a, rooms.b]) r.apply({ type: 'poll.tally', widget_id: 'p', counts: { a: i, b: 2 * i } });
    rooms.a.vote('p', 'b');
    rooms.a.apply({ type: 'room.layout', max_cards: 2 }); // the poll stays open beside the next card
    rooms.a.apply({ type: 'fault.open', widget_id: 'f', title: 'Fails on purpose', fail_on: 'overflow' });
    return Object.fromEntries(Object.entries(rooms).map(([k, r]) => [k, JSON.stringify(r.widgets)]));
  });
  // Once a journal has a checkpoint, the page readies the recovery build when it is idle.
  await expect.poll(() => fetched).toEqual(expect.arrayContaining(['/dist/recover/hudong_wasm.js', '/dist/recover/hudong_wasm_bg.wasm']));
  const r = await page.evaluate(() => window.t.rooms.a.apply({ type: 'fault.poke', widget_id: 'f' }));
  expect(r.ok).toBe(false);
  expect(r.error.code).toBe('internal');
  expect(r.error.message).toMatch(OVERFLOW);
  expect(r.error.widget_id).toBeUndefined();
  // Each room on the page is told, and rebuilt from its checkpoint and the steps after it.
  for (const name of ['a', 'b', 'c']) {
    await expect
      .poll(() => page.evaluate((name) => window.t.errors[name].map((e) => `${e.code}: ${e.message}`), name))
      .toEqual([expect.stringMatching(new RegExp(`^internal: Hudong failed: (${OVERFLOW.source}); the room was restored$`))]);
  }
  const after = await page.evaluate(() => Object.fromEntries(Object.entries(window.t.rooms).map(([k, r]) => [k, JSON.stringify(r.widgets)])));
  expect(after).toEqual(before);
  expect(JSON.parse(after.a).find((w) => w.kind === 'poll')).toMatchObject({ counts: [450, 901], my_choice: [1] });
  expect(await page.evaluate(() => window.t.alive(1000))).toEqual({ a: 1000, b: 1000, c: 1000 });
  await expect(page.locator('#overlay-a section.hd-poll')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a failure in a timer that comes back after every restart stops the rooms with the reason, and no call ever throws', async ({ page }) => {
  const pageErrors = await open(page);
  await page.evaluate(() => window.t.rooms.a.apply({ type: 'fault.open', widget_id: 'f', title: 'Fails on purpose', fail_on: 'overflow', fail_after_ms: 300 }));
  // Restarted three times in the minute, then stopped: each room says why.
  for (const name of ['a', 'b', 'c']) {
    await expect
      .poll(() => page.evaluate((name) => window.t.errors[name].at(-1)?.message ?? '', name), { timeout: 20_000 })
      .toMatch(new RegExp(`(${OVERFLOW.source}); Hudong failed again and again, and stopped this room$`));
    const restored = await page.evaluate((name) => window.t.errors[name].filter((e) => e.message.endsWith('the room was restored')).length, name);
    expect(restored).toBe(3);
  }
  const calls = await page.evaluate(() => {
    const { rooms } = window.t;
    return [rooms.a.destroyed, rooms.b.destroyed, rooms.a.widgets, rooms.c.snapshot().widgets, rooms.b.apply({ type: 'poll.close', widget_id: 'p' }).error?.code];
  });
  expect(calls).toEqual([true, true, [], [], 'not_open']);
  // What reached the page uncaught is the module's stack, once per failure.
  expect(pageErrors).toHaveLength(4);
  for (const e of pageErrors) expect(e).toMatch(OVERFLOW);
});
