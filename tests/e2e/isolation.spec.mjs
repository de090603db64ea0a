// A panic inside one widget is contained. The test build has a widget that fails on purpose
// (feature `fault`, never shipped): in a command, in a tap, when its timer runs out, or while
// it is drawn. Each time the room reports an `internal` error naming it, takes it down, and
// goes on: the other widgets keep their state and work, the host page's own code runs, the
// events reach the collector once each with no gap in their numbers, and nothing the failed
// module held is left running.
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { repo, startBackend, stop, tempDir } from './backend-process.mjs';

// The reference backend for each test, with the test build (its widget that fails on
// purpose) as /dist/, and a database of its own: the collector the events must reach.
let backend;
let base;
test.beforeEach(async () => {
  backend = await startBackend(join(tempDir('isolation'), 'events.db'), {
    site: join(repo, 'tests', 'pages'),
    dist: join(repo, 'target', 'fault-dist'),
  });
  base = backend.base;
});
test.afterEach(async () => {
  await stop(backend.proc);
});

const overlay = (page) => page.locator('#overlay');

const where = { command: 'a command', action: 'a tap', tick: 'its timer', render: 'its view' };
const cases = [
  ...['command', 'action', 'tick', 'render'].map((failOn) => ({ failOn, storage: 'local' })),
  // Without storage, the failed module hands its unsent events to the rebuilt room.
  ...['action', 'render'].map((failOn) => ({ failOn, storage: 'none' })),
];
for (const { failOn, storage } of cases) {
  test(`a widget failing in ${where[failOn]} is taken down; the others, the host page and the events go on${storage === 'none' ? ' (no storage)' : ''}`, async ({ page }) => {
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/isolation.html?fail=${failOn}&storage=${storage}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const fault = overlay(page).locator('section.hd-fault');
    await expect(fault).toBeVisible();

    // Before: the viewer votes and likes.
    await overlay(page).locator('section.hd-poll button.hd-opt').nth(1).click();
    await expect.poll(() => page.evaluate(() => window.t.room.widgets.find((w) => w.kind === 'poll')?.votes_cast)).toBe(1);
    const pollBefore = await page.evaluate(() => JSON.stringify(window.t.room.widgets.find((w) => w.kind === 'poll')));
    // The channel's tallies (the second from a snapshot's tail) and the viewer's own vote.
    expect(JSON.parse(pollBefore).counts).toEqual([5, 5]);
    const like = overlay(page).locator('section.hd-likes button.hd-like');
    await like.click();
    const seqBefore = await page.evaluate(() => window.t.events.length);
    expect(seqBefore).toBeGreaterThan(2);

    // All of it is still queued in the page when the widget fails.
    expect((await (await fetch(`${base}/collect/stats`)).json()).unique).toBe(0);

    // The failure.
    if (failOn === 'command') {
      const r = await page.evaluate(() => window.t.room.apply({ type: 'fault.poke', widget_id: 'fault' }));
      expect(r).toMatchObject({ ok: false, error: { code: 'internal', widget_id: 'fault' } });
    } else if (failOn === 'action' || failOn === 'render') {
      await fault.getByRole('button', { name: 'Tap' }).click();
    } // 'tick': its timer runs out 2.5 s after it opened.

    await expect.poll(() => page.evaluate(() => window.t.errors.filter((e) => e.code === 'internal').length), { timeout: 10_000 }).toBe(1);
    const error = await page.evaluate(() => window.t.errors.find((e) => e.code === 'internal'));
    expect(error.widget_id).toBe('fault');
    expect(error.message).toContain(`fault widget fault: failing on`.slice(0, 20));
    expect(error.message).toContain('taken down');
    await expect(fault).toHaveCount(0);

    // The others kept their state: the poll with the viewer's vote, the sale, the likes.
    const kinds = await page.evaluate(() => window.t.room.widgets.map((w) => w.kind));
    expect(kinds.sort()).toEqual(['flash_sale', 'likes', 'poll']);
    expect(await page.evaluate(() => JSON.stringify(window.t.room.widgets.find((w) => w.kind === 'poll')))).toBe(pollBefore);
    await expect(overlay(page).locator('section.hd-poll')).toBeVisible();
    await expect(overlay(page).locator('section.hd-flash')).toBeVisible();

    // …and work: a like, a grab, a new poll voted on.
    await like.click();
    await overlay(page).locator('section.hd-flash button.hd-grab').click();
    await expect(overlay(page).locator('section.hd-flash .hd-status')).not.toBeEmpty();
    const opened = await page.evaluate(() =>
      window.t.room.apply({ type: 'poll.open', widget_id: 'poll2', question: 'Next?', options: [{ id: 'x', label: 'Serum' }, { id: 'y', label: 'Balm' }] }),
    );
    expect(opened.ok).toBe(true);
    const voted = await page.evaluate(() => window.t.room.vote('poll2', 'y'));
    expect(voted.ok).toBe(true);
    // The failed widget stays down, whoever sends it again.
    const again = await page.evaluate(() => window.t.room.apply({ type: 'fault.open', widget_id: 'fault', title: 'Again', fail_on: 'command' }));
    expect(again).toMatchObject({ ok: false, error: { code: 'widget_failed', widget_id: 'fault' } });

    // The host page's own code runs.
    await page.locator('#host-button').click();
    await expect(page.locator('#host-count')).toHaveText('1');

    // Every event reached the collector once, numbered without a gap across the failure.
    await page.evaluate(() => window.t.room.flush());
    const emitted = await page.evaluate(() => window.t.events.map((e) => ({ id: e.event_id, seq: e.seq, type: e.type })));
    await expect.poll(async () => (await (await fetch(`${base}/collect/stats`)).json()).unique, { timeout: 30_000 }).toBe(emitted.length);
    const got = await (await fetch(`${base}/collect/events`)).json();
    expect(new Set(got.map((e) => e.event_id))).toEqual(new Set(emitted.map((e) => e.id)));
    expect(emitted.map((e) => e.seq)).toEqual(emitted.map((_, i) => i + 1));
    expect(emitted.map((e) => e.type)).toEqual(expect.arrayContaining(['poll.vote', 'like.sent', 'flash.grab']));

    // What the browser saw: only the trap itself, where it escaped from an event handler, a
    // timer or a render (a failing `apply` returns the error instead). Nothing the failed
    // module had scheduled fires into it afterwards, however the page is used.
    for (let i = 0; i < 5; i++) await like.click();
    await page.locator('#host-button').click();
    await page.waitForTimeout(2_000);
    console.log(`${failOn}: page errors ${JSON.stringify(pageErrors)}`);
    expect(pageErrors).toEqual(failOn === 'command' ? [] : ['unreachable']);

    // Nothing of the failed module is left in the page either: once the room is destroyed,
    // no listener, timer, frame or socket remains, from before the failure or after it.
    await page.evaluate(() => window.t.room.destroy());
    // (Whatever was already due — a last batch, a closing handshake — runs out first.)
    const left = async () => {
      const { detached, ...rest } = await page.evaluate(() => window.probe.leftSince(window.t.mark));
      return rest;
    };
    await expect.poll(left, { timeout: 15_000 }).toEqual({ listeners: [], timeouts: [], intervals: [], frames: [], sockets: [], sources: [], channels: [], observers: [], tracks: [] });
    expect(pageErrors).toEqual(failOn === 'command' ? [] : ['unreachable']);
  });
}
