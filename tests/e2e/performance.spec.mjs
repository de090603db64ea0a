// What issue-level performance promises rest on, checked on every run: the size budgets,
// the loader that waits for the video, the headless build, and one overlay render per frame.
// (The figures themselves — load times, latency, floods, churn — are `npm run bench`.)
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo, servePages } from './support.mjs';

const site = servePages(test);

test('every shipped artifact is within its size budget (+5%)', () => {
  const sizes = Object.fromEntries(JSON.parse(readFileSync(join(repo, 'dist', 'sizes.json'), 'utf8')).map((s) => [s.name, s]));
  const budgets = JSON.parse(readFileSync(join(repo, 'bench', 'budgets.json'), 'utf8'));
  const over = [];
  const limit = (name) => {
    const b = budgets[name] ?? (name.startsWith('chunk: ') ? budgets['chunk: *'] : undefined);
    return b && (b.enforced_brotli ?? b.goal_brotli);
  };
  // Every budgeted artifact, and every widget's chunk (the wildcard's budget unless its own).
  const names = [...Object.keys(budgets).filter((k) => k !== 'about' && k !== 'chunk: *'), ...Object.keys(sizes).filter((k) => k.startsWith('chunk: '))];
  expect(names.filter((n) => n.startsWith('chunk: ')).length, 'one chunk per widget view').toBeGreaterThanOrEqual(13);
  for (const name of new Set(names)) {
    expect(sizes[name], `dist/sizes.json has ${name}`).toBeTruthy();
    if (sizes[name].brotli > limit(name) * 1.05) over.push(`${name}: ${sizes[name].brotli} B brotli > ${limit(name)} B + 5%`);
  }
  expect(over).toEqual([]);
});

async function open(page, path) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${site.base}/${path}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  return { errors, requests };
}

test('a room fetches only the code of the widgets it opens: the poll\'s, then exactly one more file for a flash sale', async ({ page }) => {
  const chunks = JSON.parse(readFileSync(join(repo, 'dist', 'chunks.json'), 'utf8'));
  const { errors, requests } = await open(page, 'chunks.html');
  const wasm = () => requests.filter((p) => p.endsWith('.wasm'));
  // Nothing of any widget's view before one opens.
  expect(wasm()).toEqual(['/dist/hudong_wasm_bg.wasm']);
  await page.evaluate(() => chunks.room.apply(chunks.poll('p1')));
  await expect(page.locator('#overlay .hd-poll')).toBeVisible();
  expect(wasm().slice(1).sort()).toEqual(chunks.poll.map((f) => `/dist/${f}`).sort());
  const afterPoll = wasm().length;
  // A second poll draws with the code already here.
  await page.evaluate(() => {
    chunks.room.apply({ type: 'room.layout', max_cards: 2 }); // both polls open
    chunks.room.apply(chunks.poll('p2'));
  });
  await expect(page.locator('#overlay .hd-poll')).toHaveCount(2);
  expect(wasm().length).toBe(afterPoll);
  await page.evaluate(() => chunks.room.apply(chunks.flash));
  await expect(page.locator('#overlay .hd-flash')).toBeVisible();
  expect(wasm().slice(afterPoll)).toEqual(['/dist/split_flash.wasm']);
  expect(await page.evaluate(() => chunks.errors)).toEqual([]);
  expect(errors).toEqual([]);
});

test('prefetch: the kinds a room names are fetched while the page is idle, before any widget opens', async ({ page }) => {
  const { errors, requests } = await open(page, 'chunks.html?prefetch=flash_sale');
  await expect.poll(() => requests.filter((p) => p.endsWith('.wasm')).sort()).toEqual(['/dist/hudong_wasm_bg.wasm', '/dist/split_flash.wasm', '/dist/views_shared.wasm']);
  await page.evaluate(() => chunks.room.apply(chunks.flash));
  await expect(page.locator('#overlay .hd-flash')).toBeVisible();
  expect(requests.filter((p) => p.endsWith('.wasm'))).toHaveLength(3);
  expect(errors).toEqual([]);
});

test('the loader fetches nothing of the SDK until the video plays, then carries out what was queued', async ({ page }) => {
  const { errors, requests } = await open(page, 'loader.html');
  const queued = await page.evaluate(() => window.loaderTest.queued);
  expect(queued).toEqual([{ ok: true, queued: true }, { ok: true, queued: true }]);
  await page.waitForTimeout(800);
  // Only the page and the loader itself so far: the video has not started.
  expect(requests.filter((p) => p.startsWith('/dist/'))).toEqual(['/dist/loader.js']);
  expect(await page.evaluate(() => window.loaderTest.room.loaded)).toBe(false);

  await page.evaluate(() => window.loaderTest.play());
  await expect(page.locator('#overlay .hd-poll')).toBeVisible();
  expect(requests).toContain('/dist/hudong_wasm_bg.wasm');
  // Both queued commands ran, in order: the tally shows on the poll opened before it
  // (results show once the viewer voted: the server's 7, and the viewer's own vote at once).
  await page.evaluate(() => window.loaderTest.room.vote('p1', 'a'));
  await expect(page.locator('#overlay .hd-total')).toContainText(' 8 ');
  // The listener given before loading got the events.
  await expect.poll(() => page.evaluate(() => window.loaderTest.events)).toEqual(['widget.shown', 'poll.vote']);
  // Calls now go straight to the room.
  expect(await page.evaluate(() => window.loaderTest.room.apply({ type: 'poll.close', widget_id: 'p1' }))).toEqual({ ok: true });
  expect(errors).toEqual([]);
});

test('without a video the loader waits its grace period, then loads', async ({ page }) => {
  const { requests } = await open(page, 'loader.html?novideo&wait=300');
  await expect(page.locator('#overlay .hd-poll')).toBeVisible();
  expect(requests).toContain('/dist/hudong_wasm_bg.wasm');
  // A room destroyed before it loaded never mounts.
  const out = await page.evaluate(async () => {
    const { lazyRoom } = await import('/dist/loader.js');
    const r = lazyRoom({ roomId: 'gone', mount: document.body }, { video: null, maxWaitMs: 0 });
    r.apply({ type: 'poll.open', widget_id: 'x', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    r.destroy();
    await new Promise((res) => setTimeout(res, 500));
    return { loaded: r.loaded, after: r.apply({ type: 'poll.close', widget_id: 'x' }) };
  });
  expect(out.loaded).toBe(false);
  expect(out.after.ok).toBe(false);
  expect(out.after.error.code).toBe('destroyed');
});

test('the headless build runs rooms without views, and says so when asked to mount', async ({ page }) => {
  const { errors, requests } = await open(page, 'headless.html');
  const out = await page.evaluate(async () => {
    const { createRoom } = window.headless;
    let mountError;
    try {
      await createRoom({ roomId: 'h', mount: '#overlay' });
    } catch (e) {
      mountError = `${e.name}: ${e.message}`;
    }
    const events = [];
    const room = await createRoom({ roomId: 'h', userId: 'u', persist: false, onEvent: (e) => events.push(e.type) });
    const opened = room.apply({ type: 'poll.open', widget_id: 'p1', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    const voted = room.vote('p1', 'b');
    const bad = room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { z: 1 } });
    const [w] = room.widgets;
    room.destroy();
    return { mountError, opened, voted, bad: bad.error.code, kind: w.kind, counts: w.counts, events, drawn: document.querySelector('#overlay').childElementCount };
  });
  expect(out.mountError).toMatch(/^TypeError: .*headless build/);
  expect(out.opened).toEqual({ ok: true });
  expect(out.voted).toEqual({ ok: true });
  expect(out.bad).toBe('invalid_field');
  expect(out.kind).toBe('poll');
  expect(out.events).toEqual(['widget.shown', 'poll.vote']);
  expect(out.drawn).toBe(0);
  expect(requests).toContain('/dist/headless/hudong_wasm_bg.wasm');
  expect(requests).not.toContain('/dist/hudong_wasm_bg.wasm');
  expect(errors).toEqual([]);
});

test('commands between two frames are drawn once, in the next frame, from the latest state', async ({ page }) => {
  await open(page, 'headless.html');
  const out = await page.evaluate(async () => {
    const { createRoom } = await import('/dist/index.js');
    const mount = document.querySelector('#overlay');
    const room = await createRoom({ roomId: 'frames', userId: 'u', persist: false, mount, locale: 'en' });
    await room.prefetch(['poll']);
    room.apply({ type: 'poll.open', widget_id: 'p1', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    room.vote('p1', 'a');
    room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { a: 1, b: 1 } });
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const total = () => mount.shadowRoot.querySelector('.hd-total')?.textContent;
    const writes = [];
    const obs = new MutationObserver((records) => writes.push(...records.map((r) => r.type)));
    obs.observe(mount.shadowRoot.querySelector('.hd-total'), { subtree: true, characterData: true, childList: true });
    for (let i = 1; i <= 50; i++) room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { a: 100 + i, b: 100 + i } });
    await Promise.resolve();
    const beforeFrame = total();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    obs.disconnect();
    const after = total();
    room.destroy();
    return { beforeFrame, after, writes };
  });
  expect(out.beforeFrame).toContain(' 2 ');
  expect(out.after).toContain(' 300 ');
  // One render for fifty commands: the total's text was written once.
  expect(out.writes).toEqual(['characterData']);
});
