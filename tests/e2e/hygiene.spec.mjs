// After destroy(), nothing a room opened is left: no listener on the page, no timer, no
// animation frame, no socket or event source, no observer, no camera track. A probe loaded
// before the SDK counts what the page holds (tests/pages/hygiene-probe.js).
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { repo, startBackend, stop, tempDir } from './backend-process.mjs';

let backend;
let base;
test.beforeAll(async () => {
  // On the reference backend: command channels, the clock and the event collector.
  backend = await startBackend(join(tempDir('hygiene'), 'hygiene.db'), { site: join(repo, 'tests', 'pages') });
  base = backend.base;
});
test.afterAll(async () => {
  if (backend) expect(await stop(backend.proc)).toBe(0);
});

test('destroy() leaves no listener, timer, frame, socket, event source, observer or camera track behind', async ({ browser }) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  try {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/hygiene.html`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const mark = await page.evaluate(() => window.hygiene.mark());
    await page.evaluate(() => window.hygiene.cycle(1));
    const opened = await page.evaluate((m) => window.probe.openedSince(m), mark);
    // The run used what the test claims to check.
    expect(opened.listeners).toBeGreaterThan(20);
    expect(opened.timeouts).toBeGreaterThan(0);
    expect(opened.frames).toBeGreaterThan(0);
    expect(opened.WebSocket).toBe(2); // commands and transport
    expect(opened.EventSource).toBe(1);
    expect(opened.tracks).toBeGreaterThanOrEqual(1);
    const nothing = { listeners: [], timeouts: [], intervals: [], frames: [], sockets: [], sources: [], channels: [], observers: [], tracks: [] };
    const leftOpen = async () => {
      const { detached, ...rest } = await page.evaluate((m) => window.probe.leftSince(m), mark);
      return rest;
    };
    // Whatever was already due when destroy() ran (a last batch, a closing handshake) runs
    // out; then nothing is left.
    await expect.poll(leftOpen, { timeout: 15_000 }).toEqual(nothing);
    const pooled = async () => (await page.evaluate((m) => window.probe.leftSince(m), mark)).detached;
    const first = await pooled();
    console.log(`opened by two rooms: ${JSON.stringify(opened)}; left on detached pooled roots: ${first.length} handlers`);

    // The overlay's renderers are pooled for the next room (yew never removes the handlers it
    // puts on its root, one per event type a widget used): the detached nodes that keep
    // handlers are the two rooms' pooled roots, each with at most one handler per event type.
    const check = (detached) => {
      expect(detached.every((l) => l.label === 'div.hd-host')).toBe(true);
      const keys = detached.map((l) => `${l.node} ${l.type} ${l.capture}`);
      expect(new Set(keys).size).toBe(keys.length);
      return [...new Set(detached.map((l) => l.node))].sort();
    };
    const roots = check(first);
    expect(roots.length).toBeLessThanOrEqual(2);
    // Four more create/destroy cycles reuse those roots: no new node keeps a handler, and no
    // handler is added twice.
    for (let n = 2; n <= 5; n++) await page.evaluate((i) => window.hygiene.cycle(i), n);
    await expect.poll(leftOpen, { timeout: 15_000 }).toEqual(nothing);
    const later = await pooled();
    expect(check(later)).toEqual(roots);
    expect(errors).toEqual([]);
  } finally {
    // Also when it fails: the page's sockets must not hold the server open.
    await context.close();
  }
});
