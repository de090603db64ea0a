// The sandbox as a newcomer uses it over a show: the console reloaded mid-show, a phone that
// reloads, the inspector opened late, and the dashboard a product manager reads.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { postCommand, repo, startBackend, stop } from './backend-process.mjs';

let dir;
test.beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hudong-sandbox-'))));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freshRoom = (name) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

async function openConsole(page, room) {
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`/?room=${room}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

test('a reloaded console keeps its viewer and replaces the poll on show; the inspector opened late shows what came before', async ({ page, browser }) => {
  const room = freshRoom('reload');
  await openConsole(page, room);
  const viewer = await page.locator('#viewer-id').textContent();
  await page.getByRole('button', { name: 'Open poll' }).click();
  await expect(page.locator('#overlay section.hd-poll')).toHaveCount(1);
  await expect(page.locator('#log li[data-type="widget.shown"]')).toHaveCount(1);
  // The event reached the collector before the reload.
  const stored = async (type) => (await (await page.request.get(`/collect/events?room=${room}&type=${type}`)).json()).length;
  await expect.poll(() => stored('widget.shown')).toBe(1);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  // The same viewer: its points, answers and orders stay its own.
  await expect(page.locator('#viewer-id')).toHaveText(viewer);
  // The console knows the poll it opened before the reload.
  await expect(page.locator('body')).toHaveAttribute('data-adopted', '1');
  await page.getByRole('button', { name: 'Open poll' }).click();
  await expect(page.locator('#overlay section.hd-poll')).toHaveCount(1);
  await expect(page.locator('#overlay section.hd-poll')).toBeVisible();
  const snapshot = await (await page.request.get(`/rooms/${room}/snapshot`)).json();
  expect(snapshot.widgets.filter((w) => w.kind === 'poll')).toHaveLength(1);
  // Shown three times: before the reload, the old poll again after it (the room's snapshot),
  // and the new one. The reloaded page's events are its new session's: none refused.
  await expect.poll(() => stored('widget.shown')).toBe(3);
  expect(await (await page.request.get(`/collect/rejected?room=${room}`)).json()).toEqual([]);

  // The inspector, opened now, lists the stored events first, then live ones, each once.
  const inspector = await page.context().newPage();
  await inspector.goto(`/inspector.html?room=${room}`);
  await expect(inspector.locator('#state')).toHaveText('live');
  await expect(inspector.locator('body')).toHaveAttribute('data-history', /^[1-9]\d*$/);
  await expect(inspector.locator('#rows tr[data-type="widget.shown"]')).toHaveCount(3);
  await page.locator('#overlay section.hd-poll').getByRole('button', { name: '精华液' }).click();
  await expect(inspector.locator('#rows tr[data-type="poll.vote"]')).toHaveCount(1);
  await expect(inspector.locator('#rows tr').first()).toHaveAttribute('data-type', 'poll.vote');
  const { violations } = await new AxeBuilder({ page: inspector }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  // A family filter applies to the stored events too.
  const family = await page.context().newPage();
  await family.goto(`/inspector.html?room=${room}&type=widget.`);
  const widgetEvents = (await (await page.request.get(`/collect/events?room=${room}&type=widget.`)).json()).map((e) => e.type);
  expect(widgetEvents.filter((t) => t === 'widget.shown')).toHaveLength(3);
  expect(widgetEvents.every((t) => t.startsWith('widget.'))).toBe(true);
  await expect(family.locator('body')).toHaveAttribute('data-history', String(widgetEvents.length));
  await expect(family.locator('#rows tr')).toHaveCount(widgetEvents.length);
  expect(await family.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.dataset.type).reverse())).toEqual(widgetEvents);
  await inspector.close();
  await family.close();
});

test('an anonymous phone keeps its viewer id across reloads, and only with a token of its own', async ({ browser }) => {
  const HOST = 'sandbox-host-key-1234';
  const { base, proc } = await startBackend(join(dir, 'anonymous.db'), { args: ['--host-key', HOST] });
  try {
    const room = freshRoom('phone');
    const context = await browser.newContext();
    const phone = await context.newPage();
    await phone.goto(`${base}/viewer.html?room=${room}`);
    await expect(phone.locator('body')).toHaveAttribute('data-ready', 'true');
    const id = await phone.locator('body').getAttribute('data-user');
    expect(id).toMatch(/^anon-[0-9a-f]{24}$/);
    await phone.reload();
    await expect(phone.locator('body')).toHaveAttribute('data-ready', 'true');
    await expect(phone.locator('body')).toHaveAttribute('data-user', id);

    const join = (r, body) => fetch(`${base}/rooms/${r}/join`, { method: 'POST', body: JSON.stringify(body) }).then((x) => x.json());
    const first = await join(room, {});
    expect((await join(room, { renew: first.token })).user_id).toBe(first.user_id);
    // Another room's token, a forged one, a named viewer's: a new anonymous viewer each time.
    const other = await join(freshRoom('other'), {});
    expect((await join(room, { renew: other.token })).user_id).not.toBe(other.user_id);
    const [v, payload, sig] = first.token.split('.');
    const forged = `${v}.${Buffer.from(Buffer.from(payload, 'base64').toString().replace(first.user_id, 'anon-000000000000000000000000')).toString('base64')}.${sig}`;
    const refused = await join(room, { renew: forged });
    expect(refused.ok).toBe(true);
    expect(refused.user_id).not.toBe('anon-000000000000000000000000');
    const named = await fetch(`${base}/rooms/${room}/join`, { method: 'POST', headers: { authorization: `Bearer ${HOST}` }, body: JSON.stringify({ user_id: 'shopper-7' }) }).then((x) => x.json());
    expect((await join(room, { renew: named.token })).user_id).toMatch(/^anon-/);
    await context.close();
  } finally {
    await stop(proc);
  }
});

test('the dashboard: aligned key figures, bars from zero with their values, widgets by name (screenshot)', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'dashboard.db'));
  try {
    const room = 'dashboard-show';
    // A show's events at fixed times, so the figures and the picture are always the same.
    await postCommand(base, room, { type: 'poll.open', widget_id: 'poll-1', question: '下一个讲解哪款?', options: [{ id: 'a', label: '精华液' }, { id: 'b', label: '唇釉' }] });
    await postCommand(base, room, { type: 'quiz.open', widget_id: 'quiz-1', title: '护肤知识问答' });
    const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
    let n = 0;
    const ev = (user, type, widget, kind, at, extra = {}) => ({
      v: 1, event_id: `dash-${++n}`, seq: n, type, at, client_at: at, room_id: room, session_id: `s-${user}`, user_id: user, widget_id: widget, kind, ...extra,
    });
    const users = Array.from({ length: 12 }, (_, i) => `viewer-${String(i + 1).padStart(2, '0')}`);
    const events = [
      ...users.map((u, i) => ev(u, 'widget.shown', 'poll-1', 'poll', T0 + i * 5_000)),
      ...users.slice(0, 8).map((u, i) => ev(u, 'poll.vote', 'poll-1', 'poll', T0 + 60_000 + i * 3_000, { option_ids: ['a'], idempotency_key: `k-${u}` })),
      ...users.slice(0, 10).map((u, i) => ev(u, 'widget.shown', 'quiz-1', 'quiz', T0 + 120_000 + i * 2_000)),
      ...users.slice(2, 7).map((u, i) => ev(u, 'quiz.answer', 'quiz-1', 'quiz', T0 + 150_000 + i * 2_000, { question_id: 'q1', option_id: 'a' })),
      ...users.slice(0, 6).map((u, i) => ev(u, 'like.sent', 'likes-1', 'likes', T0 + 200_000 + i * 1_000, { count: 3 })),
    ];
    const res = await fetch(`${base}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(res.ok).toBe(true);

    for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, timezoneId: 'UTC', locale: 'en-US' });
      const dash = await context.newPage();
      await dash.goto(`${base}/dashboard.html?room=${room}`);
      await expect(dash.locator('body')).toHaveAttribute('data-ready', 'true');
      await expect(dash.locator('#kpis dd[data-key="viewers"]')).toHaveText('12');
      await expect(dash.locator('#kpis dd[data-key="interactions"]')).toHaveText(String(8 + 5 + 6));
      // Nothing wider than the screen: wide tables scroll inside their cards.
      expect(await dash.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      // Each figure sits under its own label.
      const pairs = await dash.locator('#kpis > div').evaluateAll((divs) =>
        divs.map((d) => {
          const [dt, dd] = [d.querySelector('dt').getBoundingClientRect(), d.querySelector('dd').getBoundingClientRect()];
          return { left: dd.left - dt.left, below: dd.top - dt.bottom };
        }),
      );
      expect(pairs).toHaveLength(8);
      for (const p of pairs) {
        expect(Math.abs(p.left)).toBeLessThan(1);
        expect(p.below).toBeGreaterThanOrEqual(0);
        expect(p.below).toBeLessThan(24);
      }
      // The charts say their values in words (and draw them on the bars).
      await expect(dash.locator('#funnel-chart')).toHaveAttribute('aria-label', 'Funnel: viewers — exposed 12, participated 8, converted 0');
      await expect(dash.locator('#rate-chart')).toHaveAttribute('aria-label', /poll\.vote 66\.7%/);
      const widgets = await dash.locator('#widget-table tbody tr td:first-child').allTextContents();
      expect(widgets.sort()).toEqual(['下一个讲解哪款?', '护肤知识问答']);
      const { violations } = await new AxeBuilder({ page: dash }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
      expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
      await expect(dash).toHaveScreenshot(`dashboard-${viewport.width}.png`, { fullPage: true, mask: [dash.locator('#state')], maxDiffPixelRatio: 0.01 });
      await context.close();
    }
  } finally {
    await stop(proc);
  }
});

test('npm start says when its port is taken, before building anything', async () => {
  const busy = createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', r));
  const port = busy.address().port;
  try {
    const run = spawnSync('bash', ['scripts/start.sh'], { cwd: repo, env: { ...process.env, PORT: String(port) }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`port ${port} is in use`);
    expect(run.stderr).toContain('PORT=9000 npm start');
    expect(run.stdout).not.toContain('[setup]');
  } finally {
    busy.close();
  }
});

test('the backend logs refused requests with status and time, and every request when asked', async () => {
  for (const every of [false, true]) {
    const proc = spawn(join(repo, 'target', 'debug', 'hudong-backend'),
      ['--port', '0', '--db', join(dir, `log-${every}.db`), '--host-key', 'log-test-key-123', ...(every ? ['--log-requests'] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    try {
      await expect.poll(() => out).toMatch(/listening on http:\/\/[\d.:]+/);
      const base = out.match(/listening on (http:\/\/[\d.:]+)/)[1];
      expect((await fetch(`${base}/time`)).status).toBe(200);
      expect((await fetch(`${base}/rooms/log-room/commands?key=secret-in-query`, { method: 'POST', body: '{}' })).status).toBe(403);
      await expect.poll(() => err).toMatch(/POST \/rooms\/log-room\/commands → 403 Forbidden \(\d+\.\d ms\)/);
      if (every) await expect.poll(() => err).toMatch(/GET \/time → 200 OK \(\d+\.\d ms\)/);
      else expect(err).not.toContain('GET /time');
      expect(err).not.toContain('secret-in-query');
    } finally {
      await stop(proc);
    }
  }
});
