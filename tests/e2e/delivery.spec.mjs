// Event delivery against a real local collector with injected faults: failures, delays,
// an outage, offline, reloads mid-flight, hidden pages, closed tabs, dropped sockets.
// Every event the widgets emit must arrive; after dedupe by event_id, none twice.
import { test, expect } from '@playwright/test';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let server;
let base;
let collector;

test.beforeAll(async () => {
  server = await startServer({
    mounts: [
      ['/dist/', join(repo, 'dist')],
      ['/', join(repo, 'tests', 'pages')],
    ],
  });
  base = `http://127.0.0.1:${server.address().port}`;
  collector = server.collector;
});

test.afterAll(async () => {
  // Open sockets of pages a failed test left behind must not hold the server open.
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
});

test.beforeEach(() => {
  collector.state.events.clear();
  Object.assign(collector.state, { copies: 0, batches: 0, beacons: 0, failed: 0, droppedReported: 0, wsDropped: 0 });
  Object.assign(collector.state.faults, { failRate: 0, retryAfterS: null, delayMs: 0, down: false, status: null, wsDropRate: 0 });
});

const faults = (f) => Object.assign(collector.state.faults, f);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function open(page, query) {
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${base}/delivery.html?${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** Waits until the page's queue is empty and the collector holds every emitted id. */
async function drained(page, emitted, timeout = 30_000) {
  await expect
    .poll(
      async () => {
        const stats = await page.evaluate(() => window.h.room.delivery);
        const missing = [...emitted].filter((id) => !collector.state.events.has(id)).length;
        return { queued: stats.queued, in_flight: stats.in_flight, missing };
      },
      { timeout, intervals: [200] },
    )
    .toEqual({ queued: 0, in_flight: 0, missing: 0 });
}

function report(name, emitted) {
  const s = collector.stats();
  const line =
    `${name}: emitted ${emitted.size}, delivered ${[...emitted].filter((id) => collector.state.events.has(id)).length}, ` +
    `copies on the wire ${s.received}, duplicates on the wire ${s.duplicates}, dropped ${s.dropped_reported}, ` +
    `failed requests ${s.failed}, beacons ${s.beacons}, sockets cut ${s.ws_dropped}`;
  console.log(line);
  return s;
}

test('HTTP: failures, delays, an outage, offline, reload mid-flight, hidden and closed pages', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const emitted = new Set();
  await context.exposeFunction('recordEmitted', (id) => emitted.add(id));
  const room = `fault-http-${Date.now()}`;
  let page = await context.newPage();
  await open(page, `room=${room}`);

  // A flaky collector: 30% of requests fail (some with Retry-After), answers delayed.
  faults({ failRate: 0.3, retryAfterS: 1, delayMs: 250 });
  await page.evaluate(() => window.h.cycles(15));
  await sleep(1_500);

  // Unreachable for a while.
  faults({ down: true });
  await page.evaluate(() => window.h.cycles(5));
  await sleep(1_500);
  faults({ down: false });

  // Offline: nothing is attempted; back online, it resumes.
  await context.setOffline(true);
  await sleep(400); // let requests already at the collector (delayed up to 250 ms) finish
  const batchesBefore = collector.state.batches;
  await page.evaluate(() => window.h.cycles(5));
  await sleep(800);
  expect(collector.state.batches).toBe(batchesBefore);
  expect(await page.evaluate(() => window.h.room.delivery.queued)).toBeGreaterThanOrEqual(20);
  await context.setOffline(false);

  // Reload with events pending: the queue survives in storage and the new page takes it
  // over (the collector stays down until it has, so nothing arrives any other way).
  faults({ down: true });
  await page.evaluate(() => window.h.cycles(5));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect.poll(() => page.evaluate(() => window.h.room.delivery.queued), { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
  faults({ down: false });

  // Hidden: the page sends what it holds at once.
  faults({ failRate: 0, delayMs: 0 });
  await page.evaluate(() => window.h.cycles(2));
  const beforeHide = collector.state.copies;
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => collector.state.copies, { timeout: 2_000 }).toBeGreaterThan(beforeHide);
  await page.evaluate(() => {
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  });

  // Closed with events pending: beacons go out, and the next page resends what was saved.
  faults({ failRate: 0.3, delayMs: 250 });
  await page.evaluate(() => window.h.cycles(5));
  await page.close({ runBeforeUnload: true });
  faults({ failRate: 0, delayMs: 0, retryAfterS: null });
  page = await context.newPage();
  await open(page, `room=${room}`);
  await drained(page, emitted);

  const s = report('http', emitted);
  expect(emitted.size).toBe(37 * 4);
  expect(s.dropped_reported).toBe(0);
  expect(s.failed).toBeGreaterThan(0);
  // Dedupe by event_id is what makes delivery exactly-once: every id arrived, once in the store.
  expect(s.unique).toBe(emitted.size);
  await context.close();
});

test('WebSocket: sockets cut before the ack and an outage lose nothing', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext();
  const emitted = new Set();
  await context.exposeFunction('recordEmitted', (id) => emitted.add(id));
  const page = await context.newPage();
  await open(page, `transport=websocket&room=fault-ws-${Date.now()}`);
  faults({ wsDropRate: 0.3 });
  await page.evaluate(() => window.h.cycles(15));
  await sleep(1_000);
  faults({ down: true });
  await page.evaluate(() => window.h.cycles(5));
  await sleep(1_000);
  faults({ down: false });
  await drained(page, emitted);
  const s = report('websocket', emitted);
  expect(s.ws_dropped).toBeGreaterThan(0);
  expect(s.unique).toBe(emitted.size);
  await context.close();
});

test('a closed tab’s queue is taken over by the other tab of the room, and sent once', async ({ browser }) => {
  const context = await browser.newContext();
  const emitted = new Set();
  await context.exposeFunction('recordEmitted', (id) => emitted.add(id));
  const room = `two-tabs-${Date.now()}`;
  const a = await context.newPage();
  const b = await context.newPage();
  await open(a, `room=${room}&user=a`);
  await open(b, `room=${room}&user=b`);
  faults({ down: true });
  await a.evaluate(() => window.h.cycles(3));
  await b.evaluate(() => window.h.cycles(1));
  await sleep(300);
  await a.close({ runBeforeUnload: true });
  // b takes a's saved queue over once a is gone (a's beacons fail: the collector is down).
  await expect.poll(() => b.evaluate(() => window.h.room.delivery.queued), { timeout: 10_000 }).toBe(16);
  faults({ down: false });
  await drained(b, emitted);
  const s = report('two tabs', emitted);
  expect(s.unique).toBe(16);
  expect(s.duplicates).toBe(0);
  await context.close();
});

test('a full queue drops its oldest events, says so, and reports the count to the collector', async ({ page }) => {
  await open(page, `room=full-${Date.now()}&maxQueue=10`);
  faults({ down: true });
  await page.evaluate(() => window.h.cycles(5)); // 20 events into a queue of 10
  expect(await page.evaluate(() => window.h.room.delivery)).toMatchObject({ queued: 10, dropped: 10 });
  expect(await page.evaluate(() => window.h.errors.filter((e) => e.code === 'events_dropped').length)).toBeGreaterThan(0);
  faults({ down: false });
  await expect.poll(() => collector.state.events.size, { timeout: 10_000 }).toBe(10);
  expect(collector.stats().dropped_reported).toBe(10);
  // The oldest events not in flight went; the batch in flight and the newest stayed.
  const emitted = await page.evaluate(() => window.h.emitted);
  expect([...collector.state.events.keys()].every((id) => emitted.includes(id))).toBe(true);
  expect(emitted.slice(-4).every((id) => collector.state.events.has(id))).toBe(true);
});

test('a refused batch is dead-lettered, reported, and can be retried', async ({ page }) => {
  await open(page, `room=dead-${Date.now()}`);
  faults({ status: 400 });
  await page.evaluate(() => {
    window.h.cycles(1);
    window.h.room.flush();
  });
  await expect.poll(() => page.evaluate(() => window.h.room.deadLetters.length)).toBe(1);
  const dead = await page.evaluate(() => window.h.room.deadLetters[0]);
  expect(dead.status).toBe(400);
  expect(dead.events).toHaveLength(4);
  expect(await page.evaluate(() => window.h.errors.map((e) => e.code))).toContain('events_rejected');
  expect(await page.evaluate(() => window.h.room.delivery)).toMatchObject({ queued: 0, dead_lettered: 4 });
  faults({ status: null });
  expect(await page.evaluate(() => window.h.room.retryDeadLetters())).toBe(4);
  await expect.poll(() => collector.state.events.size).toBe(4);
  expect(await page.evaluate(() => window.h.room.deadLetters)).toEqual([]);
});

test('consent: nothing is sent or stored before it, purged on refusal', async ({ page }) => {
  await open(page, `room=consent-${Date.now()}&consent=pending`);
  await page.evaluate(() => window.h.cycles(2));
  await sleep(600);
  expect(collector.state.copies).toBe(0);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hudong:')))).toEqual([]);
  await page.evaluate(() => window.h.room.setConsent('granted'));
  await expect.poll(() => collector.state.events.size).toBe(8);

  await open(page, `room=consent2-${Date.now()}&consent=pending`);
  await page.evaluate(() => window.h.cycles(2));
  await page.evaluate(() => window.h.room.setConsent('denied'));
  await page.evaluate(() => window.h.cycles(1));
  await sleep(600);
  expect(collector.state.events.size).toBe(8);
  expect(await page.evaluate(() => window.h.room.delivery)).toMatchObject({ queued: 0, discarded_no_consent: 12 });
});

test('Segment format with a hashed user id', async ({ page }) => {
  await open(page, `room=segment-${Date.now()}&format=segment&personal=hash&writeKey=wk_test`);
  await page.evaluate(() => {
    window.h.cycles(1);
    window.h.room.flush();
  });
  await expect.poll(() => collector.state.events.size).toBe(4);
  const [first, vote] = [...collector.state.events.values()].filter((_, i) => i === 0 || i === 1);
  expect(first).toMatchObject({ type: 'track', event: 'widget.shown', context: { library: { name: 'hudong' } } });
  expect(vote.event).toBe('poll.vote');
  expect(vote.messageId).toBe(vote.properties.event_id);
  expect(vote.anonymousId).toBe(vote.properties.session_id);
  expect(vote.userId).toMatch(/^[0-9a-f]{64}$/);
  expect(vote.properties.user_id).toBe(vote.userId);
  expect(new Date(vote.timestamp).getTime()).toBe(vote.properties.at);
  // The viewer's raw id appears nowhere on the wire, not even in the idempotency key.
  expect(vote.properties.idempotency_key).toContain(vote.userId);
  expect(JSON.stringify([...collector.state.events.values()])).not.toContain('viewer-1');
});

// Storage faults: the queue lives in memory when the browser will not keep it.
const STORAGE_FAULTS = {
  // The real quota, filled up by the page's own data before Hudong starts.
  'a full localStorage': () => {
    if (sessionStorage.getItem('filled')) return;
    const chunk = 'x'.repeat(256 * 1024);
    try {
      for (let i = 0; ; i++) localStorage.setItem(`host-data-${i}`, chunk);
    } catch {
      // Fill what is left to the last bytes.
      for (let n = 16 * 1024; n >= 1; n = Math.floor(n / 2)) {
        try {
          for (let i = 0; ; i++) localStorage.setItem(`host-tail-${n}-${i}`, 'x'.repeat(n));
        } catch {}
      }
    }
    sessionStorage.setItem('filled', '1');
  },
  // What Chromium and WebKit do when a user blocks site data (and older private modes):
  // touching the storage throws.
  'no storage at all (site data blocked)': () => {
    for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, {
        configurable: true,
        get() {
          throw new DOMException(`Access to '${name}' is denied for this document.`, 'SecurityError');
        },
      });
    }
  },
};

for (const [name, fault] of Object.entries(STORAGE_FAULTS)) {
  test(`${name}: the widgets work, the fault is reported once, and every event arrives once`, async ({ page }) => {
    await page.addInitScript(fault);
    await open(page, `room=storage-${Date.now()}`);
    await page.evaluate(() => window.h.cycles(3));
    // An outage on top: the events wait in memory and go when it ends.
    faults({ down: true });
    await page.evaluate(() => window.h.cycles(2));
    await sleep(500);
    faults({ down: false });
    const emitted = new Set(await page.evaluate(() => window.h.emitted));
    expect(emitted.size).toBe(20);
    await drained(page, emitted);
    const s = report(name, emitted);
    expect(collector.state.events.size).toBe(20);
    expect(s.dropped_reported).toBe(0);
    const errors = await page.evaluate(() => window.h.errors.map((e) => e.code));
    expect(errors.filter((c) => c === 'storage_failed')).toHaveLength(1);
    expect(errors.filter((c) => c !== 'storage_failed' && c !== 'transport_failed')).toEqual([]);
    // The polls themselves worked: each vote was taken.
    expect(await page.evaluate(() => window.h.emitted.length)).toBe(20);
  });
}

test('a reward request leaves at once, with what was queued before it, whatever the batch interval', async ({ page }) => {
  // A minute between batches: a vote waits in the queue; the grab the viewer then waits on
  // (its answer comes from the server) goes at once, and takes the vote along, in order.
  await open(page, 'flush=60000&room=urgent');
  const ids = await page.evaluate(() => {
    const { room } = window.h;
    const now = room.serverNow();
    room.apply({ type: 'poll.open', widget_id: 'p', question: 'Which one?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    room.vote('p', 'a');
    room.apply({ type: 'flash.open', widget_id: 'f', product: { name: 'Lip gloss', price: 4900 }, stock_total: 5, starts_at: now - 1000, ends_at: now + 60_000 });
    room.act({ type: 'flash.grab', widget_id: 'f' });
    return window.h.emitted.slice();
  });
  const stored = () => [...collector.state.events.values()].filter((e) => e.room_id === 'urgent');
  await expect.poll(() => stored().map((e) => e.type).filter((t) => t === 'poll.vote' || t === 'flash.grab')).toEqual(['poll.vote', 'flash.grab']);
  // Everything emitted up to the grab went with it.
  await drained(page, ids, 10_000);
});
