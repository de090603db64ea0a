// Event delivery against the reference backend's collector with injected faults: failures, delays,
// an outage, offline, reloads mid-flight, hidden pages, closed tabs, dropped sockets.
// Every event the widgets emit must arrive; after dedupe by event_id, none twice.
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { repo, startBackend, stop, tempDir } from './backend-process.mjs';

// A reference backend of its own for each test (its faults and counters are the process's),
// serving the test pages.
let backend;
let base;

test.beforeEach(async () => {
  backend = await startBackend(join(tempDir('delivery'), 'events.db'), { site: join(repo, 'tests', 'pages') });
  base = backend.base;
});

test.afterEach(async () => {
  await stop(backend.proc);
});

const api = async (path, init) => {
  const res = await fetch(`${base}${path}`, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
};
/** Turns the collector's faults on and off (`down`, `delay_ms`, `fail_rate`, …). */
const faults = (f) => api('/collect/faults', { method: 'POST', body: JSON.stringify(f) });
/** The collector's counters: `unique`, `received` (copies), `batches`, `failed`, … */
const stats = () => api('/collect/stats');
/** The stored events, oldest first. */
const stored = () => api('/collect/events?limit=10000');
const storedIds = async () => new Set((await stored()).map((e) => e.event_id));
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
        const delivery = await page.evaluate(() => window.h.room.delivery);
        const ids = await storedIds();
        const missing = [...emitted].filter((id) => !ids.has(id)).length;
        return { queued: delivery.queued, in_flight: delivery.in_flight, missing };
      },
      { timeout, intervals: [200] },
    )
    .toEqual({ queued: 0, in_flight: 0, missing: 0 });
}

async function report(name, emitted) {
  const s = await stats();
  const ids = await storedIds();
  const line =
    `${name}: emitted ${emitted.size}, delivered ${[...emitted].filter((id) => ids.has(id)).length}, ` +
    `copies on the wire ${s.received}, duplicates on the wire ${s.duplicates}, dropped ${s.dropped_reported}, ` +
    `refused requests ${s.failed}, beacons ${s.beacons}, sockets cut ${s.ws_dropped}`;
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
  await faults({ fail_rate: 0.3, retry_after_s: 1, delay_ms: 250 });
  await page.evaluate(() => window.h.cycles(15));
  await sleep(1_500);

  // Unreachable for a while.
  await faults({ down: true });
  await page.evaluate(() => window.h.cycles(5));
  await sleep(1_500);
  await faults({ down: false });

  // Offline: nothing is attempted; back online, it resumes.
  await context.setOffline(true);
  await sleep(400); // let requests already at the collector (delayed 250 ms) finish
  const batchesBefore = (await stats()).batches;
  await page.evaluate(() => window.h.cycles(5));
  await sleep(800);
  expect((await stats()).batches).toBe(batchesBefore);
  expect(await page.evaluate(() => window.h.room.delivery.queued)).toBeGreaterThanOrEqual(20);
  await context.setOffline(false);

  // Reload with events pending: the queue survives in storage and the new page takes it
  // over (the collector stays down until it has, so nothing arrives any other way).
  await faults({ down: true });
  await page.evaluate(() => window.h.cycles(5));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect.poll(() => page.evaluate(() => window.h.room.delivery.queued), { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
  await faults({ down: false });

  // Hidden: the page sends what it holds at once.
  await faults({ fail_rate: 0, delay_ms: 0 });
  await page.evaluate(() => window.h.cycles(2));
  const beforeHide = (await stats()).received;
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(async () => (await stats()).received, { timeout: 5_000 }).toBeGreaterThan(beforeHide);
  await page.evaluate(() => {
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  });

  // Closed with events pending: beacons go out, and the next page resends what was saved.
  await faults({ fail_rate: 0.3, delay_ms: 250 });
  await page.evaluate(() => window.h.cycles(5));
  await page.close({ runBeforeUnload: true });
  await faults({ fail_rate: 0, delay_ms: 0, retry_after_s: null });
  page = await context.newPage();
  await open(page, `room=${room}`);
  await drained(page, emitted);

  const s = await report('http', emitted);
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
  // Every batch is stored and then its socket cut before the ack, until three were: the
  // page cannot tell them from lost ones and must send them again. (A share of batches cut
  // at random left none cut when a busy machine packed the events into few batches.)
  await faults({ ws_drop_rate: 1 });
  await page.evaluate(() => window.h.cycles(15));
  await expect.poll(async () => (await stats()).ws_dropped, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  // Then an outage, with more events while it lasts.
  await faults({ ws_drop_rate: 0, down: true });
  await page.evaluate(() => window.h.cycles(5));
  await expect.poll(() => page.evaluate(() => window.h.room.delivery.queued)).toBeGreaterThan(0);
  await faults({ down: false });
  await drained(page, emitted);
  const s = await report('websocket', emitted);
  expect(s.ws_dropped).toBeGreaterThanOrEqual(3);
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
  await faults({ down: true });
  await a.evaluate(() => window.h.cycles(3));
  await b.evaluate(() => window.h.cycles(1));
  await sleep(300);
  await a.close({ runBeforeUnload: true });
  // b takes a's saved queue over once a is gone (a's beacons fail: the collector is down).
  await expect.poll(() => b.evaluate(() => window.h.room.delivery.queued), { timeout: 10_000 }).toBe(16);
  await faults({ down: false });
  await drained(b, emitted);
  const s = await report('two tabs', emitted);
  expect(s.unique).toBe(16);
  expect(s.duplicates).toBe(0);
  await context.close();
});

test('a full queue drops its oldest events, says so, and reports the count to the collector', async ({ page }) => {
  await open(page, `room=full-${Date.now()}&maxQueue=10`);
  await faults({ down: true });
  await page.evaluate(() => window.h.cycles(5)); // 20 events into a queue of 10
  expect(await page.evaluate(() => window.h.room.delivery)).toMatchObject({ queued: 10, dropped: 10 });
  expect(await page.evaluate(() => window.h.errors.filter((e) => e.code === 'events_dropped').length)).toBeGreaterThan(0);
  await faults({ down: false });
  await expect.poll(async () => (await stats()).unique, { timeout: 10_000 }).toBe(10);
  expect((await stats()).dropped_reported).toBe(10);
  // The oldest events not in flight went; the batch in flight and the newest stayed.
  const emitted = await page.evaluate(() => window.h.emitted);
  const ids = await storedIds();
  expect([...ids].every((id) => emitted.includes(id))).toBe(true);
  expect(emitted.slice(-4).every((id) => ids.has(id))).toBe(true);
});

test('a refused batch is dead-lettered, reported, and can be retried', async ({ page }) => {
  await open(page, `room=dead-${Date.now()}`);
  await faults({ status: 400 });
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
  await faults({ status: null });
  expect(await page.evaluate(() => window.h.room.retryDeadLetters())).toBe(4);
  await expect.poll(async () => (await stats()).unique).toBe(4);
  expect(await page.evaluate(() => window.h.room.deadLetters)).toEqual([]);
});

test('consent: nothing is sent or stored before it, purged on refusal', async ({ page }) => {
  await open(page, `room=consent-${Date.now()}&consent=pending`);
  await page.evaluate(() => window.h.cycles(2));
  await sleep(600);
  expect((await stats()).received).toBe(0);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hudong:')))).toEqual([]);
  await page.evaluate(() => window.h.room.setConsent('granted'));
  await expect.poll(async () => (await stats()).unique).toBe(8);

  await open(page, `room=consent2-${Date.now()}&consent=pending`);
  await page.evaluate(() => window.h.cycles(2));
  await page.evaluate(() => window.h.room.setConsent('denied'));
  await page.evaluate(() => window.h.cycles(1));
  await sleep(600);
  expect((await stats()).unique).toBe(8);
  expect(await page.evaluate(() => window.h.room.delivery)).toMatchObject({ queued: 0, discarded_no_consent: 12 });
});

test('Segment format with a hashed user id', async ({ page }) => {
  // What goes on the wire, as the page sends it (the collector stores the envelope inside).
  const wire = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/collect') wire.push(...JSON.parse(r.postData()).batch);
  });
  await open(page, `room=segment-${Date.now()}&format=segment&personal=hash&writeKey=wk_test`);
  await page.evaluate(() => {
    window.h.cycles(1);
    window.h.room.flush();
  });
  await expect.poll(async () => (await stats()).unique).toBe(4);
  const [first, vote] = wire;
  expect(first).toMatchObject({ type: 'track', event: 'widget.shown', context: { library: { name: 'hudong' } } });
  expect(vote.event).toBe('poll.vote');
  expect(vote.messageId).toBe(vote.properties.event_id);
  expect(vote.anonymousId).toBe(vote.properties.session_id);
  expect(vote.userId).toMatch(/^[0-9a-f]{64}$/);
  expect(vote.properties.user_id).toBe(vote.userId);
  expect(new Date(vote.timestamp).getTime()).toBe(vote.properties.at);
  // The viewer's raw id appears nowhere on the wire, not even in the idempotency key.
  expect(vote.properties.idempotency_key).toContain(vote.userId);
  expect(JSON.stringify(wire)).not.toContain('viewer-1');
  // The collector took the Segment batch as the same events, by messageId.
  const kept = await stored();
  expect(kept.map((e) => e.event_id).sort()).toEqual(wire.map((e) => e.messageId).sort());
  expect(JSON.stringify(kept)).not.toContain('viewer-1');
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
    await faults({ down: true });
    await page.evaluate(() => window.h.cycles(2));
    await sleep(500);
    await faults({ down: false });
    const emitted = new Set(await page.evaluate(() => window.h.emitted));
    expect(emitted.size).toBe(20);
    await drained(page, emitted);
    const s = await report(name, emitted);
    expect((await stats()).unique).toBe(20);
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
  const urgent = async () => (await stored()).filter((e) => e.room_id === 'urgent');
  await expect.poll(async () => (await urgent()).map((e) => e.type).filter((t) => t === 'poll.vote' || t === 'flash.grab')).toEqual(['poll.vote', 'flash.grab']);
  // Everything emitted up to the grab went with it.
  await drained(page, ids, 10_000);
});
