// The reference backend (the Rust binary `npm start` runs): the sandbox served by it, two
// viewers racing for the last unit, the events in SQLite, and a restart that loses nothing.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { WebSocket } from 'ws';
import { repo, startBackend as start, startRedis, stop } from './backend-process.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The backend with extra command-line arguments (a later `--site` wins). */
const startBackend = (db, args = []) => start(db, { args });

/**
 * Every page taps its sale's grab button; the grabs race at the server. A grab leaves at
 * once, so the first one decided would put the sale out of stock on the other pages before
 * their taps land: each grab is held at the network until all are on the wire, then all go
 * together.
 */
async function grabTogether(pages) {
  let release;
  const allSent = new Promise((r) => (release = r));
  let held = 0;
  for (const page of pages) {
    await page.route('**/collect', async (route) => {
      if (route.request().postData()?.includes('"flash.grab"')) {
        held += 1;
        await allSent;
      }
      await route.continue();
    });
  }
  await Promise.all(pages.map((p) => p.locator('#overlay section.hd-flash button.hd-grab').click()));
  await expect.poll(() => held, { message: 'every page sent its grab' }).toBe(pages.length);
  release();
  for (const page of pages) await page.unrouteAll({ behavior: 'wait' });
}

// Pages left open keep reconnecting to stopped backends and slow the tests after them.
const contexts = [];
async function newPage(browser) {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}
test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

let dir;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hudong-backend-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('two viewers race for the last unit: one order, one sold out; events in SQLite; a restart keeps it all', async ({ browser }) => {
  const db = join(dir, 'race.db');
  let { base, proc } = await startBackend(db);
  const room = `race-${Date.now()}`;
  const viewers = [];
  for (let i = 0; i < 2; i++) {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    viewers.push(page);
  }
  const [a, b] = viewers;
  await a.getByLabel('Stock', { exact: true }).fill('1');
  await a.getByLabel('Starts in (s)').fill('0');
  await a.getByRole('button', { name: 'Open flash sale' }).click();
  for (const p of viewers) await expect(p.locator('#overlay section.hd-flash')).toHaveAttribute('data-phase', 'live');

  // Both tap at once.
  await grabTogether(viewers);
  const outcomes = [];
  for (const p of viewers) {
    const result = p.locator('#log li[data-type="flash.result"]');
    await expect(result).toHaveCount(1);
    outcomes.push(JSON.parse(await result.locator('.meta').textContent()).outcome);
  }
  expect(outcomes.sort()).toEqual(['sold_out', 'success']);
  for (const p of viewers) await expect(p.locator('#overlay section.hd-flash')).toHaveAttribute('data-phase', 'sold_out');

  // Both grabs reached SQLite through the viewers' transports, once each.
  await expect
    .poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=flash.grab`)).json()).length, { timeout: 15_000 })
    .toBe(2);
  const before = await (await fetch(`${base}/rooms/${room}/snapshot`)).json();
  expect(before.widgets[0].stock_left).toBe(0);

  // Restart: the room, its sequence and the stored events come back.
  expect(await stop(proc)).toBe(0);
  ({ base, proc } = await startBackend(db));
  const after = await (await fetch(`${base}/rooms/${room}/snapshot`)).json();
  expect(after.seq).toBe(before.seq);
  expect(after.widgets).toEqual(before.widgets);
  expect((await (await fetch(`${base}/collect/events?room=${room}&type=flash.grab`)).json()).length).toBe(2);
  // The same grab sent again (a retry after the restart) is a duplicate: stored once, decided once.
  const [grab] = await (await fetch(`${base}/collect/events?room=${room}&type=flash.grab`)).json();
  const res = await (await fetch(`${base}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [grab] }) })).json();
  expect(res).toEqual({ ok: true, stored: 0, duplicates: 1, refused: [] });
  await stop(proc);
});

test('the sandbox takes the collector down and brings it back: a vote waits in the queue, then arrives once', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'down.db'));
  try {
    const page = await newPage(browser);
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const room = `down-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    const votes = async () => (await (await fetch(`${base}/collect/events?room=${room}&type=poll.vote`)).json()).length;
    const toggle = page.locator('#collector-down');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(toggle).toHaveText('Bring the collector back');
    await page.getByRole('button', { name: 'Open poll' }).click();
    await page.locator('#overlay section.hd-poll button.hd-opt').first().click();
    // Refused while down: the vote stays queued and is retried.
    await expect.poll(() => page.evaluate(() => window.hudongRoom.delivery.retries)).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.hudongRoom.delivery.queued)).toBeGreaterThan(0);
    expect(await votes()).toBe(0);
    await toggle.click();
    await expect(toggle).toHaveText('Take the collector down');
    // Back: the queue drains, and the vote is stored once.
    await expect.poll(() => page.evaluate(() => window.hudongRoom.delivery.queued), { timeout: 30_000 }).toBe(0);
    expect(await votes()).toBe(1);
    // Without the host key the switch is refused: a viewer cannot take the collector down.
    const { proc: keyed, base: keyedBase } = await startBackend(join(dir, 'down-keyed.db'), ['--host-key', 'k-123']);
    try {
      const refused = await fetch(`${keyedBase}/collect/faults`, { method: 'POST', body: JSON.stringify({ down: true }) });
      expect(refused.status).toBe(401);
      const allowed = await fetch(`${keyedBase}/collect/faults`, { method: 'POST', headers: { authorization: 'Bearer k-123' }, body: JSON.stringify({ down: false }) });
      expect(await allowed.json()).toEqual({ down: false, delay_ms: 0, fail_rate: 0, retry_after_s: null, status: null, ws_drop_rate: 0 });
    } finally {
      await stop(keyed);
    }
    expect(pageErrors).toEqual([]);
  } finally {
    await stop(proc);
  }
});

test('a gated sale asks the backend: only members of the WeCom group get an order', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'gate.db'));
  try {
    const page = await newPage(browser);
    await page.goto(`${base}/?room=gate-${Date.now()}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await page.getByLabel('This viewer has joined the WeCom group').uncheck();
    await page.getByLabel("Only for members of the brand's WeCom group").check();
    await page.getByLabel('Starts in (s)').fill('0');
    await page.getByLabel('Limit per viewer').fill('2');
    await page.getByRole('button', { name: 'Open flash sale' }).click();
    const grab = page.locator('#overlay section.hd-flash button.hd-grab');
    await grab.click();
    await expect(page.locator('#log li[data-type="flash.result"]')).toContainText('"outcome":"not_eligible"');
    await page.getByLabel('This viewer has joined the WeCom group').check();
    await expect(grab).toBeEnabled();
    await grab.click();
    await expect(page.locator('#log li[data-type="flash.result"]').first()).toContainText('"outcome":"success"');
    await expect(page.locator('#log li[data-type="flash.result"]').first()).toContainText('"order_ref":"ORD-');
  } finally {
    await stop(proc);
  }
});

test('simulated viewers: the load tool runs a show against the backend; decisions and stored events agree', async ({ browser }) => {
  test.setTimeout(90_000);
  const { base, proc } = await startBackend(join(dir, 'load.db'));
  try {
    const room = `load-${Date.now()}`;
    // A real viewer page in the same room sees the show and the audience's votes.
    const page = await newPage(browser);
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await expect(page.locator('#online')).toHaveText('1 online');
    const inspector = await newPage(browser);
    await inspector.goto(`${base}/inspector.html?room=${room}`);
    await expect(inspector.locator('#state')).toHaveText('live');
    // Two filters at once: only this room's grabs and votes.
    await inspector.getByLabel('Type').fill('flash.grab');
    await inspector.getByRole('button', { name: 'Apply' }).click();
    await expect(inspector.locator('#state')).toHaveText('live');
    const votes = await newPage(browser);
    await votes.goto(`${base}/inspector.html?room=${room}&type=poll.`);
    await expect(votes.locator('#state')).toHaveText('live');
    const tool = join(repo, 'target', 'debug', 'hudong-load');
    const output = await new Promise((resolve, reject) => {
      const p = spawn(tool, ['--url', base, '--room', room, '--viewers', '20', '--seconds', '15', '--drive'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (c) => (out += c));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`hudong-load exited ${code}: ${out}`))));
    });
    expect(output).toContain('| viewers connected | 20 of 20 |');
    expect(output).toContain('| answers to own requests | 20 |');
    expect(output).toMatch(/fan-out latency p50 \/ p99 \/ max \| [\d.]+ \/ [\d.]+ \/ [\d.]+ ms/);
    // The page counted the audience while it was there, and the inspector streamed its events.
    await expect(inspector.locator('#rows tr[data-type="flash.grab"]')).toHaveCount(20);
    await expect(inspector.locator('#rows tr[data-type="quiz.answer"]')).toHaveCount(0); // filtered out
    await expect(votes.locator('#rows tr[data-type="poll.vote"]')).toHaveCount(20);
    // The family filter lets the viewer page's own poll events through too (poll.closed), nothing else.
    const types = await votes.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.dataset.type));
    expect(types.every((t) => t.startsWith('poll.'))).toBe(true);
    // The poll the tool opened reached the page, with the audience's votes tallied by the backend.
    await expect(page.locator('#log li[data-type="widget.shown"]').first()).toBeAttached();
    const events = async (type) => (await (await fetch(`${base}/collect/events?room=${room}&type=${type}`)).json()).length;
    expect(await events('poll.vote')).toBe(20);
    expect(await events('quiz.answer')).toBe(20);
    expect(await events('flash.grab')).toBe(20);
    // 20 viewers raced for 4 units: exactly 4 orders.
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions`)).json();
    expect(decisions.success).toBe(4);
    expect(decisions.success + (decisions.sold_out ?? 0)).toBe(20);

    // The dashboard's figures agree with the events in SQLite, counted here independently.
    const all = await (await fetch(`${base}/collect/events?room=${room}&limit=10000`)).json();
    const who = (e) => e.user_id ?? e.session_id;
    const viewersSeen = new Set(all.map(who)).size;
    const interactionTypes = ['poll.vote', 'quiz.answer', 'flash.grab', 'flash.remind', 'redeem.request', 'lottery.enter', 'tryon.opened', 'tryon.add_to_cart', 'lead.clicked', 'lead.confirm', 'like.sent', 'product.buy', 'product.add_to_cart', 'coupon.claim', 'coupon.shared', 'question.ask', 'question.upvote', 'task.claim', 'task.shared'];
    const interactions = all.filter((e) => interactionTypes.includes(e.type));
    const orders = all.filter((e) => e.type === 'flash.result' && e.outcome === 'success').length;
    expect(orders).toBe(4);
    const dash = await newPage(browser);
    await dash.goto(`${base}/dashboard.html?room=${room}`);
    await expect(dash.locator('body')).toHaveAttribute('data-ready', 'true');
    const kpi = (key) => dash.locator(`#kpis dd[data-key="${key}"]`);
    await expect(kpi('viewers')).toHaveText(String(viewersSeen));
    await expect(kpi('interactions')).toHaveText(String(interactions.length));
    await expect(kpi('orders')).toHaveText('4');
    const share = new Set(interactions.map(who)).size / viewersSeen;
    await expect(kpi('rate_share')).toHaveText(`${(share * 100).toFixed(1)}%`);
    const voteRow = dash.locator('#rate-table tr[data-type="poll.vote"] td');
    await expect(voteRow.nth(1)).toHaveText('20');
    await expect(voteRow.nth(2)).toHaveText('20');
    // Charts are drawn by the charting library (uPlot renders to canvas).
    for (const id of ['rate-chart', 'funnel-chart', 'heat-chart']) await expect(dash.locator(`#${id} canvas`)).toHaveCount(1);
  } finally {
    await stop(proc);
  }
});

test('two backend processes on one Redis serve one room: both viewers get the same commands in order, and never more orders than units', async ({ browser }) => {
  test.setTimeout(90_000);
  const redis = await startRedis();
  try {
    const db = join(dir, 'shared.db');
    const url = ['--redis', redis.url];
    const one = await startBackend(db, url);
    const two = await startBackend(db, url);
    try {
      const room = `multi-${Date.now()}`;
      const pages = [];
      for (const { base } of [one, two]) {
        const page = await newPage(browser);
        page.on('pageerror', (err) => {
          throw err;
        });
        await page.goto(`${base}/?room=${room}`);
        await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
        pages.push(page);
      }
      // Each process subscribes to the room's channel once it has a viewer there, and to
      // no other room's.
      const subscribers = (r) => Number(redis.cli('PUBSUB', 'NUMSUB', `hudong:room:${r}`).split('\n')[1]);
      await expect.poll(() => subscribers(room)).toBe(2);
      const post = (base, command) =>
        fetch(`${base}/rooms/${room}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) }).then((r) => r.json());
      // Commands posted to either process, alternating.
      const r1 = await post(one.base, { type: 'poll.open', widget_id: 'p', question: '哪款?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
      const r2 = await post(two.base, { type: 'poll.tally', widget_id: 'p', counts: { a: 3, b: 5 } });
      const r3 = await post(one.base, { type: 'poll.tally', widget_id: 'p', counts: { a: 4, b: 9 } });
      const r4 = await post(two.base, { type: 'poll.close', widget_id: 'p' });
      // One room sequence across both processes.
      expect([r1.seq, r2.seq, r3.seq, r4.seq]).toEqual([r1.seq, r1.seq + 1, r1.seq + 2, r1.seq + 3]);
      for (const page of pages) {
        await expect(page.locator('#log li[data-type="poll.closed"]')).toHaveCount(1);
        const poll = await page.evaluate(() => window.hudongRoom.widgets.find((w) => w.kind === 'poll'));
        expect(poll.counts).toEqual([4, 9]);
        expect(poll.phase).toBe('closed');
      }
      // A command that follows at once on the other process is judged on the room as it is
      // (the second process reads the shared log; it does not wait for the pub/sub message).
      for (let i = 0; i < 20; i++) {
        const [a, b] = i % 2 ? [one.base, two.base] : [two.base, one.base];
        const opened = await post(a, { type: 'poll.open', widget_id: `q${i}`, question: `Q${i}?`, options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
        const tallied = await post(b, { type: 'poll.tally', widget_id: `q${i}`, counts: { a: i, b: 1 } });
        const removed = await post(a, { type: 'widget.remove', widget_id: `q${i}` });
        expect([opened.seq, tallied.seq, removed.seq], JSON.stringify(tallied)).toEqual([opened.seq, opened.seq + 1, opened.seq + 2]);
      }
      // Both processes hold the same room.
      const snap = async (base) => (await (await fetch(`${base}/rooms/${room}/snapshot`)).json());
      expect(await snap(two.base)).toEqual(await snap(one.base));

      // A sale with one unit: a viewer on each process grabs at once; one order in all.
      const now = Date.now();
      await post(one.base, { type: 'flash.open', widget_id: 'f', product: { name: '唇釉', price: 100 }, stock_total: 1, starts_at: now - 1000, ends_at: now + 600_000 });
      for (const page of pages) await expect(page.locator('#overlay section.hd-flash')).toHaveAttribute('data-phase', 'live');
      await grabTogether(pages);
      const outcomes = [];
      for (const page of pages) {
        const result = page.locator('#log li[data-type="flash.result"]');
        await expect(result).toHaveCount(1, { timeout: 15_000 });
        outcomes.push(JSON.parse(await result.locator('.meta').textContent()).outcome);
      }
      expect(outcomes.sort()).toEqual(['sold_out', 'success']);

      // A room with commands but no viewer on either process: no subscription to it.
      const quiet = `${room}-quiet`;
      const opened = await fetch(`${one.base}/rooms/${quiet}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] }) }).then((r) => r.json());
      expect(opened.ok).toBe(true);
      expect(subscribers(quiet)).toBe(0);
      // When the viewers leave, both processes leave the room's channel.
      for (const page of pages) await page.close();
      await expect.poll(() => subscribers(room), { timeout: 20_000 }).toBe(0);
    } finally {
      await stop(one.proc);
      await stop(two.proc);
    }
  } finally {
    redis.proc.kill('SIGTERM');
  }
});

test('the scripted show on the reference backend: two viewer pages and simulated viewers; the dashboard matches SQLite', async ({ browser }) => {
  // The show runs at its live pace (a lucky bag drawn 25 s after it opens, a poll open 30 s,
  // a quiz question 20 s, a sale 40 s), so a busy machine never makes a viewer miss a window,
  // and host-paced: a step ends only when the viewers have done their part, the test has seen
  // the outcome and presses the console's "Next step", as a host moves a show on.
  // A ceiling, not a wait: on an idle machine the show takes about a minute; with both
  // cores saturated it took up to five.
  test.setTimeout(360_000);
  const { base, proc } = await startBackend(join(dir, 'show.db'));
  let tool;
  try {
    const room = `show-${Date.now()}`;
    const consolePage = await newPage(browser);
    consolePage.on('pageerror', (err) => {
      throw err;
    });
    await consolePage.goto(`${base}/?room=${room}`);
    await expect(consolePage.locator('body')).toHaveAttribute('data-backend', 'reference');
    const viewers = [];
    for (let i = 0; i < 2; i++) {
      const page = await newPage(browser);
      page.on('pageerror', (err) => {
        throw err;
      });
      await page.goto(`${base}/viewer.html?room=${room}`);
      await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
      viewers.push(page);
    }
    // 20 simulated viewers join for the length of the show (interrupted when it is over).
    tool = spawn(join(repo, 'target', 'debug', 'hudong-load'), ['--url', base, '--room', room, '--viewers', '20', '--seconds', '600'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let toolOut = '';
    tool.stdout.on('data', (c) => (toolOut += c));
    const toolDone = new Promise((done) => tool.on('exit', done));
    await expect.poll(async () => (await (await fetch(`${base}/rooms/${room}/presence`)).json()).online, { timeout: 30_000 }).toBeGreaterThanOrEqual(23);

    const showStatus = consolePage.locator('#show-status');
    /** The host moves on from the step on show (`from`) to the next one (`to`). */
    const nextStep = async (from, to) => {
      await expect(showStatus).toHaveText(from);
      await consolePage.getByRole('button', { name: 'Next step' }).click();
      await expect(showStatus).toHaveText(to);
    };
    await consolePage.getByRole('combobox', { name: 'Pace' }).selectOption('1');
    await consolePage.getByLabel('Host-paced: each step waits for Next').check();
    await consolePage.getByRole('button', { name: 'Run the scripted show' }).click();
    await expect(showStatus).toHaveText(/^1\/5/);
    // The two viewers take part: the lucky bag, likes, a vote, an answer, a grab. In each
    // step what has a deadline comes first, on both pages at once.
    await Promise.all(viewers.map(async (page) => {
      await page.locator('#overlay section.hd-lottery button.hd-submit').click();
      await expect(page.locator('#overlay section.hd-lottery .hd-status')).toHaveText("You're in. Wait for the draw", { timeout: 20_000 });
    }));
    for (const page of viewers) {
      for (let i = 0; i < 3; i += 1) await page.locator('#overlay section.hd-likes button.hd-like').click();
    }
    // The bag is drawn 25 s after it opened.
    for (const page of viewers) {
      await expect(page.locator('#overlay section.hd-lottery')).toHaveAttribute('data-phase', 'drawn', { timeout: 45_000 });
      await expect(page.locator('#overlay section.hd-lottery')).toContainText(/You won!|Not this time/);
    }
    await nextStep(/^1\/5/, /^2\/5/);

    await Promise.all(viewers.map(async (page, i) => {
      const option = page.locator('#overlay section.hd-poll button.hd-opt').nth(i);
      await option.click();
      await expect(option).toHaveAttribute('aria-pressed', 'true');
    }));
    // Product Q&A in the middle: the first viewer asks and is told their place at once; the
    // second says "me too" (the host then takes the top question).
    const qa = viewers[0].locator('#overlay section.hd-questions');
    await qa.getByLabel('Your question').fill('Does it suit dry lips?');
    await qa.getByRole('button', { name: 'Ask' }).click();
    await expect(qa.locator('.hd-mine-q .hd-status')).toHaveText(/Received: number \d+ in the queue|The host is answering it now/, { timeout: 20_000 });
    const mine = viewers[1].locator('#overlay section.hd-questions .hd-queue li').filter({ hasText: 'Does it suit dry lips?' });
    await mine.getByRole('button', { name: /^Me too/ }).click({ timeout: 20_000 });
    await expect(mine.getByRole('button', { name: /^Me too/ })).toHaveAttribute('aria-pressed', 'true');
    // The upvote and both votes are in the server's books before the poll is revealed.
    await expect.poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=question.upvote`)).json()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await nextStep(/^2\/5/, /^3\/5/);

    await Promise.all(viewers.map(async (page) => {
      const answer = page.locator('#overlay section.hd-quiz button.hd-opt').first();
      await answer.click();
      await expect(answer).toHaveAttribute('aria-pressed', 'true');
    }));
    // The product the host presents during the quiz: the first viewer taps "Buy now".
    await viewers[0].locator('#overlay section.hd-products').getByRole('button', { name: 'Buy now: 丝绒雾面唇釉 #03' }).click();
    await expect(viewers[0].locator('#overlay section.hd-products .hd-stock')).toHaveText('Only 18 left');
    // The live-room coupon offered with it waits in the tray while the host shows the quiz and
    // the product: the second viewer opens its chip, and claims it into their wallet.
    const coupon = viewers[1].locator('#overlay section.hd-coupon');
    const chip = viewers[1].locator('#overlay .hd-tray .hd-chip').filter({ hasText: '直播间专享' });
    await expect(coupon.or(chip)).toBeVisible();
    if (await chip.isVisible()) await chip.getByRole('button').click();
    await coupon.getByRole('button', { name: 'Claim' }).click();
    await expect(coupon.locator('.hd-status')).toHaveText("Claimed: it's in your wallet", { timeout: 20_000 });
    await expect(coupon.locator('.hd-wallet summary')).toHaveText('My coupons (1)');
    await nextStep(/^3\/5/, /^4\/5/);

    // 22 grabbers for 20 units: a page may find the sale sold out before its tap lands.
    let tapped = 0;
    await Promise.all(
      viewers.map(async (page) => {
        // The sale starts 8 s after it opens; the simulated viewers grab within a second,
        // so a slow page may first see it sold out.
        const card = page.locator('#overlay section.hd-flash');
        await expect(card).toHaveAttribute('data-phase', /^(live|sold_out)$/, { timeout: 30_000 });
        const status = card.locator('.hd-status');
        await card.locator('button.hd-grab').click({ timeout: 3_000 }).catch(() => {});
        // Either the tap was taken (a grab is sent, and the server's answer is shown), or the
        // last unit went between the button's check and the tap: sold out, nothing sent.
        await expect
          .poll(async () => {
            const text = (await status.textContent()) ?? '';
            if (/ORD-|sold out|已抢光/i.test(text)) return 'answered';
            if (text === '' && (await card.getAttribute('data-phase')) === 'sold_out') return 'sold out first';
            return `waiting (${text})`;
          }, { timeout: 20_000 })
          .toMatch(/^(answered|sold out first)$/);
        if (/ORD-|sold out|已抢光/i.test((await status.textContent()) ?? '')) tapped += 1;
      }),
    );
    // Every simulated viewer grabbed too (they tap within a second of the start).
    await expect.poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=flash.grab`)).json()).length, { timeout: 20_000 }).toBe(20 + tapped);
    await nextStep(/^4\/5/, /^5\/5/);

    // The close: a WeCom-group card with a perk. One viewer consents and joins; the other
    // copies the group code and folds the card into a chip.
    const [first, second] = viewers;
    const lead = first.locator('#overlay section.hd-lead');
    await expect(lead).toBeVisible({ timeout: 30_000 });
    await lead.locator('.hd-qr-more summary').click(); // the QR code is folded until asked for
    await expect(lead.getByRole('img', { name: /QR code/ }).locator('path')).toHaveAttribute('d', /^M\d+ \d+h\d+v1h-\d+z/);
    const joinButton = lead.getByRole('button', { name: "I've joined" });
    await expect(joinButton).toBeDisabled(); // consent first
    await lead.getByRole('checkbox', { name: /I agree to share/ }).check();
    await joinButton.click();
    await expect(lead.locator('.hd-status')).toContainText('Perk granted. Reference PERK-');
    const other = second.locator('#overlay section.hd-lead');
    await other.getByRole('button', { name: 'Copy' }).click();
    await other.getByRole('button', { name: 'Minimise' }).click();
    await expect(second.locator('#overlay section.hd-lead.hd-chip button[aria-expanded="false"]')).toBeVisible();
    await nextStep(/^5\/5/, 'show over');
    // The show is over: the simulated viewers leave, and the tool prints its table.
    tool.kill('SIGINT');
    expect(await toolDone).toBe(0);
    expect(toolOut).toContain('| viewers connected | 20 of 20 |');
    // Every page has delivered what it queued (the tool flushes its own before it exits).
    for (const page of [consolePage, ...viewers]) {
      await expect.poll(() => page.evaluate(() => {
        const d = window.hudongRoom?.delivery;
        return d ? d.queued + d.in_flight : 0;
      }), { timeout: 20_000 }).toBe(0);
    }

    // The dashboard against SQLite, counted here independently.
    const all = await (await fetch(`${base}/collect/events?room=${room}&limit=10000`)).json();
    const who = (e) => e.user_id ?? e.session_id;
    const types = ['poll.vote', 'quiz.answer', 'flash.grab', 'flash.remind', 'redeem.request', 'lottery.enter', 'tryon.opened', 'tryon.add_to_cart', 'lead.clicked', 'lead.confirm', 'like.sent', 'product.buy', 'product.add_to_cart', 'coupon.claim', 'coupon.shared', 'question.ask', 'question.upvote', 'task.claim', 'task.shared'];
    const interactions = all.filter((e) => types.includes(e.type));
    // The bag was drawn by the server among the 22 entrants: 3 winners.
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions`)).json();
    expect(decisions.won).toBe(3);
    expect(decisions.won + decisions.lost).toBe(22);
    // The joiner got the perk, and the stored confirmation keeps the consent and its purpose.
    expect(decisions.perk).toBeGreaterThanOrEqual(1);
    const firstUser = await first.locator('body').getAttribute('data-user');
    const confirm = all.find((e) => e.type === 'lead.confirm' && e.user_id === firstUser);
    expect(confirm).toMatchObject({ consent: true, target: 'wecom_group', purpose: '用于发送直播预告与粉丝专属优惠，可随时退出' });
    const secondUser = await second.locator('body').getAttribute('data-user');
    expect(all.filter((e) => e.user_id === secondUser && e.type === 'lead.clicked').map((e) => e.via)).toEqual(['copy']);
    const dash = await newPage(browser);
    await dash.goto(`${base}/dashboard.html?room=${room}`);
    await expect(dash.locator('body')).toHaveAttribute('data-ready', 'true');
    const kpi = (key) => dash.locator(`#kpis dd[data-key="${key}"]`);
    await expect(kpi('viewers')).toHaveText(String(new Set(all.map(who)).size));
    await expect(kpi('interactions')).toHaveText(String(interactions.length));
    const orders = all.filter((e) => e.type === 'flash.result' && e.outcome === 'success').length;
    expect(orders).toBeGreaterThan(0);
    await expect(kpi('orders')).toHaveText(String(orders));
    for (const t of ['lottery.enter', 'poll.vote', 'quiz.answer', 'flash.grab']) {
      const n = interactions.filter((e) => e.type === t).length;
      await expect(dash.locator(`#rate-table tr[data-type="${t}"] td`).nth(1)).toHaveText(String(n));
    }
    const widgets = await dash.locator('#widget-table tbody tr').count();
    // The show's likes, tasks, lucky bag, poll, questions, quiz, product card, coupon, sale and follow card (and
    // the red packet the like goal unlocks, if the audience got there).
    const unlocked = all.some((e) => e.type === 'likes.goal_reached');
    expect(widgets).toBe(unlocked ? 11 : 10);
    // The server took the question and the upvote; one question was marked answering.
    expect(all.filter((e) => e.type === 'question.ask' && e.text === 'Does it suit dry lips?')).toHaveLength(1);
    const upvoter = await viewers[1].locator('body').getAttribute('data-user');
    expect(all.filter((e) => e.type === 'question.upvote' && e.user_id === upvoter)).toHaveLength(1);
    expect(all.filter((e) => e.type === 'product.buy').map((e) => [e.sku, e.price, e.currency])).toEqual([['lip-velvet-01', 8900, 'CNY']]);
  } finally {
    tool?.kill('SIGKILL');
    await stop(proc);
  }
});

test('lucky bag on the reference backend: a follow condition, the draw, a winner claims', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'bag.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${base}/?room=bag-${Date.now()}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await page.getByLabel('This viewer follows the host').uncheck();
    await page.getByLabel('Entry condition').selectOption('follow');
    await page.getByLabel('Winners').fill('1');
    await page.getByLabel('Draw in (s)').fill('6');
    await page.getByRole('button', { name: 'Open lucky bag' }).click();
    const card = page.locator('#overlay section.hd-lottery');
    await expect(card).toContainText('关注主播后参与');
    await card.getByRole('button', { name: '参与抽奖' }).click();
    await expect(card.locator('.hd-status')).toHaveText('未满足参与条件');
    // Follow, then enter again.
    await page.getByLabel('This viewer follows the host').check();
    await card.getByRole('button', { name: '参与抽奖' }).click();
    await expect(card.locator('.hd-status')).toHaveText('已参与，等待开奖');
    await expect(card.locator('.hd-hint').first()).toContainText('1 人已参与');
    // The backend draws at the draw time: the only entrant wins, and claims.
    await expect(card).toHaveAttribute('data-phase', 'drawn', { timeout: 15_000 });
    await expect(card.locator('.hd-won')).toHaveText('恭喜中奖！');
    await card.getByRole('button', { name: '领取奖品' }).click();
    await expect(card.locator('.hd-status')).toContainText('已领取，凭证 PRIZE-');
    const log = (type) => page.locator(`#log li[data-type="${type}"]`);
    await expect(log('lottery.enter')).toHaveCount(2);
    await expect(log('lottery.result')).toContainText('"won":true');
    await expect(log('lottery.claimed')).toContainText('"outcome":"success"');
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

/** Rasterizes the lead card's QR code (SVG drawn by the widget) and decodes it with jsQR. */
async function scanQr(card) {
  const { width, height, pixels } = await card.locator('svg[role="img"]').evaluate(async (svg) => {
    const markup = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 400;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, 400, 400);
    return { width: 400, height: 400, pixels: Array.from(ctx.getImageData(0, 0, 400, 400).data) };
  });
  return jsQR(Uint8ClampedArray.from(pixels), width, height)?.data;
}

test('follow / WeCom card on the reference backend: the QR code scans, consent before joining, the perk once, and a follow that a follow-to-enter lucky bag accepts', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'lead.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `lead-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await page.getByLabel('This viewer follows the host').uncheck();
    const form = page.locator('#lead-form');
    await form.getByLabel('Target').selectOption('wecom_group');
    await form.getByRole('button', { name: 'Show card' }).click();
    const card = page.locator('#overlay section.hd-lead').first();
    await expect(card).toContainText('进粉丝群 领专属券');
    // The code is drawn on the device from the URL, and scans back to it.
    await card.locator('.hd-qr-more summary', { hasText: '二维码' }).click();
    await expect(card.getByRole('img', { name: /二维码/ })).toBeVisible();
    expect(await scanQr(card)).toBe('https://work.weixin.qq.com/gm/hudong-demo');
    await card.getByRole('button', { name: '复制' }).click();
    const log = (type) => page.locator(`#log li[data-type="${type}"]`);
    await expect(log('lead.clicked')).toContainText('"via":"copy"');
    // No joining without consent; consent names its purpose.
    const joinButton = card.getByRole('button', { name: '我已加入' });
    await expect(joinButton).toBeDisabled();
    await card.getByRole('checkbox', { name: /用途：用于发送直播预告与粉丝专属优惠/ }).check();
    await joinButton.click();
    await expect(card.locator('.hd-status')).toContainText('已完成，谢谢！ 福利已发放，凭证 PERK-');
    await expect(log('lead.confirm')).toContainText('"consent":true');
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions`)).json();
    expect(decisions).toMatchObject({ perk: 1 });

    // A follow card: no consent asked; the backend records the follow, so a follow-to-enter
    // lucky bag now takes this viewer (the console's own "follows" box is still unticked).
    await form.getByLabel('Target').selectOption('follow');
    await form.getByLabel('Title').fill('关注主播 开播提醒');
    await form.getByLabel('Perk', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Show card' }).click();
    const follow = page.locator('#overlay section.hd-lead').filter({ hasText: '关注主播 开播提醒' });
    await expect(follow.getByRole('checkbox')).toHaveCount(0);
    await follow.getByRole('button', { name: '关注', exact: true }).click();
    await expect(follow.locator('.hd-status')).toHaveText('已完成，谢谢！');
    await page.getByLabel('Entry condition').selectOption('follow');
    await page.getByLabel('Draw in (s)').fill('60');
    await page.getByRole('button', { name: 'Open lucky bag' }).click();
    const bag = page.locator('#overlay section.hd-lottery');
    await bag.getByRole('button', { name: '参与抽奖' }).click();
    await expect(bag.locator('.hd-status')).toHaveText('已参与，等待开奖');
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('likes on the reference backend: a tap storm becomes one event a second, the server total drives the goal', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'likes.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `likes-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    const form = page.locator('#likes-form');
    await form.getByLabel('Goal (likes)').fill('25');
    await form.getByLabel('Unlocks').fill('解锁 5 元券');
    await form.getByRole('button', { name: 'Show like button' }).click();
    const card = page.locator('#overlay section.hd-likes');
    await expect(card.getByRole('progressbar')).toHaveAttribute('max', '25');
    // The goal bar sits inside its card (not laid over other widgets).
    const [bar, box] = [await card.getByRole('progressbar').boundingBox(), await card.boundingBox()];
    expect(bar.y).toBeGreaterThanOrEqual(box.y);
    expect(bar.y + bar.height).toBeLessThanOrEqual(box.y + box.height);
    expect(bar.width).toBeLessThan(box.width);
    const heart = card.getByRole('button', { name: /^点赞/ });
    // 30 taps at about 10 a second: all counted, shown at once, sent coalesced.
    const started = Date.now();
    for (let i = 0; i < 30; i += 1) {
      await heart.click();
      await page.waitForTimeout(100);
    }
    const seconds = (Date.now() - started) / 1000;
    await expect(card.locator('.hd-like-count')).toHaveText('30 赞');
    await expect(card.locator('.hd-won')).toHaveText('目标达成！已解锁：解锁 5 元券', { timeout: 10_000 });
    await expect(card.getByRole('progressbar')).toHaveAttribute('value', '25');
    // Stored: every tap counted once, in at most one event per second (plus the first).
    await expect.poll(async () => {
      const sent = await (await fetch(`${base}/collect/events?room=${room}&type=like.sent`)).json();
      return sent.reduce((n, e) => n + e.count, 0);
    }, { timeout: 10_000 }).toBe(30);
    const sent = await (await fetch(`${base}/collect/events?room=${room}&type=like.sent`)).json();
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    // Reduced motion: hearts fade in place instead of flying.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await heart.click();
    const anim = await card.locator('.hd-heart').first().evaluate((el) => getComputedStyle(el).animationName);
    expect(anim).toBe('hd-heart-fade');
    await expect(page.locator('#log li[data-type="likes.goal_reached"]')).toHaveCount(1);
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('interaction leaderboard on the reference backend: ranks counted by the server from stored interactions, titles, the final board and its rewards decided once', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'leaderboard.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `lb-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await page.locator('#likes-form').getByRole('button', { name: 'Show like button' }).click();
    // The console's catalog offers the board with an example; it closes 12 s from now.
    const form = page.locator('#catalog-form');
    await form.getByLabel('Widget').selectOption({ label: 'leaderboard' });
    const example = JSON.parse(await form.getByLabel('Command').inputValue());
    expect(example.type).toBe('leaderboard.open');
    await form.getByLabel('Command').fill(JSON.stringify({ ...example, ends_in: 12_000 }));
    await form.getByRole('button', { name: 'Open for every viewer' }).click();
    const board = page.locator('#overlay section.hd-leaderboard');
    await expect(board).toHaveAttribute('data-phase', 'live');
    await expect(board.locator('.hd-hint')).toHaveText('参与互动即可上榜');
    // A second viewer joins on their own page.
    const other = await newPage(browser);
    await other.goto(`${base}/viewer.html?room=${room}&lang=zh-CN`);
    const otherBoard = other.locator('#overlay section.hd-leaderboard');
    await expect(otherBoard).toBeVisible();
    // The console's viewer likes twice (a second apart: two stored interactions), the other once.
    const heart = page.locator('#overlay section.hd-likes button.hd-like');
    await heart.click();
    await expect(board.locator('ol.hd-board li')).toHaveCount(1, { timeout: 10_000 });
    await expect(board.locator('.hd-score')).toHaveText('我的排名：第 1 名');
    await expect.poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=like.sent`)).json()).length).toBe(1);
    await heart.click();
    await expect(board.locator('ol.hd-board li').first()).toContainText('互动 2', { timeout: 10_000 });
    await other.locator('#overlay section.hd-likes button.hd-like').click();
    await expect(board.locator('ol.hd-board li')).toHaveCount(2, { timeout: 10_000 });
    // Both pages show the same board: ranks, titles from the tiers, masked names.
    for (const b of [board, otherBoard]) {
      await expect(b.locator('ol.hd-board li').nth(0)).toContainText('榜一');
      await expect(b.locator('ol.hd-board li').nth(0)).toContainText('互动 2');
      await expect(b.locator('ol.hd-board li').nth(1)).toContainText('铁粉');
      await expect(b.locator('ol.hd-board li').nth(1)).toContainText('互动 1');
      await expect(b.locator('.hd-status')).toHaveText('已有 2 人参与');
    }
    const names = await board.locator('ol.hd-board li > span:first-child').allTextContents();
    for (const n of names) expect(n).toMatch(/^\S\*\*\*\S{2}/);
    await expect(otherBoard.locator('.hd-score')).toHaveText('我的排名：第 2 名');
    // The board ends: the final ranking, and each viewer's reward, once.
    await expect(board).toHaveAttribute('data-phase', 'final', { timeout: 20_000 });
    await expect(board.locator('.hd-status')).toHaveText('榜单已揭晓');
    await expect(board.locator('.hd-won')).toHaveText('恭喜上榜！获得 ¥20 无门槛券');
    await expect(otherBoard.locator('.hd-won')).toHaveText('恭喜上榜！获得 ¥5 券');
    await expect(page.locator('#log li[data-type="leaderboard.rewarded"]')).toHaveCount(1);
    // A like after the end changes nothing on the final board.
    await heart.click();
    await expect(board.locator('ol.hd-board li').nth(0)).toContainText('互动 2');
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions?widget=lb1`)).json();
    expect(decisions).toEqual({ final: 1, rewarded: 2 });
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('product card: the presented product and pinned ones, buy and add to cart reach the host page once per tap, sold out', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'products.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `shelf-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    const form = page.locator('#products-form');
    await form.getByRole('button', { name: 'Present now' }).click();
    await form.getByLabel('SKU').fill('serum-02');
    await form.getByLabel('Product').fill('精华液 30ml');
    await form.getByLabel('Price (fen)').fill('19900');
    await form.getByLabel('Original (fen)').fill('');
    await form.getByLabel('Stock left').fill('500');
    await form.getByRole('button', { name: 'Pin' }).click();
    const card = page.locator('#overlay section.hd-products');
    await expect(card.locator('.hd-product .hd-q')).toHaveText('丝绒雾面唇釉 #03');
    await expect(card.locator('.hd-product .hd-price')).toHaveText('¥89.00 原价 ¥129.00');
    await expect(card.locator('.hd-product .hd-stock')).toHaveText('仅剩 18 件');
    await expect(card.locator('.hd-pinned li')).toHaveCount(1);
    await expect(card.locator('.hd-pinned li .hd-stock')).toHaveCount(0); // plenty left: no hint
    // A double tap on "buy" is one tap; the host page gets each intent as an event.
    const buy = card.getByRole('button', { name: '立即购买: 丝绒雾面唇釉 #03' });
    await buy.dblclick();
    await card.getByRole('button', { name: '加入购物车: 丝绒雾面唇釉 #03' }).click();
    await card.getByRole('button', { name: '立即购买: 精华液 30ml' }).click();
    const log = (type) => page.locator(`#log li[data-type="${type}"]`);
    await expect(log('product.buy')).toHaveCount(2);
    await expect(log('product.add_to_cart')).toHaveCount(1);
    await expect(log('product.buy').first()).toContainText('"sku":"serum-02"');
    // Sold out, from the server: the buttons turn off.
    const shelf = await card.getAttribute('data-widget-id');
    await fetch(`${base}/rooms/${room}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'product.stock', widget_id: shelf, sku: 'lip-velvet-01', stock_left: 0 }),
    });
    await expect(card.locator('.hd-product .hd-stock')).toHaveText('已抢光');
    await expect(buy).toBeDisabled();
    // Stored with the price the viewer saw.
    await expect.poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=product.buy`)).json()).length).toBe(2);
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('coupons on the reference backend: share-gated claim, exactly once, sold out, the wallet with its conditions and expiry', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'coupons.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `coupon-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    const form = page.locator('#coupon-form');
    await form.getByLabel('Quantity').fill('1');
    await form.getByLabel('Claim condition').selectOption('share');
    await form.getByRole('button', { name: 'Offer' }).click();
    const card = page.locator('#overlay section.hd-coupon');
    await expect(card.locator('.hd-coupon-value')).toHaveText('¥20.00');
    await expect(card.locator('.hd-coupon-face .hd-hint')).toHaveText('满 ¥99.00 可用 · 剩余 1 张');
    await expect(card.locator('.hd-condition')).toHaveText('分享到群后领取');
    const claim = card.getByRole('button', { name: '立即领取' });
    await expect(claim).toBeDisabled(); // share first
    // In an in-app WebView the host page reports the share (here: through the public API).
    const widgetId = await card.getAttribute('data-widget-id');
    await page.evaluate((id) => window.hudongRoom.act({ type: 'coupon.share', widget_id: id, channel: 'wechat_group' }), widgetId);
    await expect(card).toContainText('已分享');
    await claim.dblclick();
    await expect(card.locator('.hd-status')).toHaveText('领取成功，已放入卡包');
    await expect(card.locator('.hd-coupon-face .hd-hint')).toHaveText('满 ¥99.00 可用 · 剩余 0 张');
    await expect(card).toHaveAttribute('data-phase', 'sold_out');
    await card.locator('.hd-wallet summary').click();
    const item = card.locator('.hd-wallet li');
    await expect(item).toContainText('¥20.00 直播间专享 满 99 减 20 · 满 ¥99.00 可用 · 有效期至');
    const expires = new Date(await item.locator('time').getAttribute('datetime')).getTime();
    expect(Math.abs(expires - (Date.now() + 7 * 24 * 3600 * 1000))).toBeLessThan(120_000);
    // One claim event (the double tap was one), one success on the server.
    await expect(page.locator('#log li[data-type="coupon.claim"]')).toHaveCount(1);
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions?widget=${widgetId}`)).json();
    expect(decisions).toEqual({ success: 1 });
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('question queue on the reference backend: instant place in the queue, duplicates merged, upvotes, the host answers', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'questions.db'));
  try {
    const room = `qa-${Date.now()}`;
    const host = await newPage(browser);
    host.on('pageerror', (err) => {
      throw err;
    });
    await host.goto(`${base}/?room=${room}`);
    await expect(host.locator('body')).toHaveAttribute('data-backend', 'reference');
    await host.locator('#questions-form').getByRole('button', { name: 'Open question queue' }).click();
    const viewer = await newPage(browser);
    await viewer.goto(`${base}/viewer.html?room=${room}&lang=zh-CN`);
    await expect(viewer.locator('body')).toHaveAttribute('data-ready', 'true');
    const vq = viewer.locator('#overlay section.hd-questions');
    const hq = host.locator('#overlay section.hd-questions');
    await expect(vq.locator('h2')).toHaveText('关于这支唇釉，你想问什么？');
    // The host's page asks first; the viewer asks the same thing in other words: merged.
    await hq.getByLabel('你的问题').fill('干皮能用吗？');
    await hq.getByRole('button', { name: '提问' }).click();
    await expect(hq.locator('.hd-mine-q .hd-status')).toHaveText('已收到，排第 1 位');
    await vq.getByLabel('你的问题').fill('干皮 能用吗');
    await vq.getByRole('button', { name: '提问' }).click();
    await expect(vq.locator('.hd-mine-q .hd-status')).toHaveText('同类问题已有人问，已为它 +1');
    await vq.getByLabel('你的问题').fill('持妆多久？');
    await vq.getByRole('button', { name: '提问' }).click(); // within 10 s: refused, typed error
    await expect(vq.locator('.hd-mine-q li')).toHaveCount(1);
    // The queue reaches everyone, with the merged vote counted.
    await expect(hq.locator('.hd-queue li')).toHaveCount(1);
    await expect(hq.locator('.hd-queue li .hd-upvote')).toHaveText('▲ 2');
    await expect(hq.locator('.hd-queue li .hd-upvote')).toBeDisabled(); // one's own
    // The host takes the top question: the asker is told.
    await host.locator('#questions-form').getByRole('button', { name: 'Answering now' }).click();
    await expect(hq.locator('.hd-mine-q .hd-status')).toHaveText('主播正在回答');
    await expect(vq.locator('.hd-queue li')).toHaveAttribute('data-state', 'answering');
    await expect(host.locator('#log li[data-type="question.state"]')).toContainText('"state":"answering"');
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('room tasks on the reference backend: progress counted by the server from likes, shares and answers; a done task rewarded once', async ({ browser }) => {
  const { base, proc } = await startBackend(join(dir, 'tasks.db'));
  try {
    const page = await newPage(browser);
    page.on('pageerror', (err) => {
      throw err;
    });
    const room = `tasks-${Date.now()}`;
    await page.goto(`${base}/?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-backend', 'reference');
    await page.locator('#likes-form').getByRole('button', { name: 'Show like button' }).click();
    const form = page.locator('#tasks-form');
    await form.getByLabel('Like (times)').fill('5');
    await form.getByRole('button', { name: 'Show tasks' }).click();
    const card = page.locator('#overlay section.hd-tasks');
    const like = card.locator('li[data-task-id="like"]');
    await expect(like).toContainText('点赞 5 次');
    await expect(like.getByRole('progressbar', { name: '点赞 5 次' })).toHaveAttribute('value', '0');
    await expect(like.getByRole('button', { name: '领取奖励' })).toHaveCount(0);
    // Six likes: the server counts them and sends the progress back.
    const heart = page.locator('#overlay section.hd-likes button.hd-like');
    for (let i = 0; i < 6; i += 1) await heart.click();
    await expect(like.locator('.hd-task-count')).toHaveText('5/5', { timeout: 10_000 });
    await like.getByRole('button', { name: '领取奖励' }).dblclick();
    await expect(like.locator('.hd-status')).toContainText('已领取 RWD-');
    await expect(page.locator('#log li[data-type="task.claim"]')).toHaveCount(1);
    // The share task moves when the page reports a share (in-app WebViews share natively).
    const share = card.locator('li[data-task-id="share"]');
    const id = await card.getAttribute('data-widget-id');
    await page.evaluate((w) => window.hudongRoom.act({ type: 'task.share', widget_id: w, channel: 'wechat_group' }), id);
    await expect(share.locator('.hd-task-count')).toHaveText('1/1');
    const decisions = await (await fetch(`${base}/rooms/${room}/decisions?widget=${id}`)).json();
    expect(decisions).toEqual({ success: 1 });
  } finally {
    expect(await stop(proc)).toBe(0);
  }
});

test('authority: host calls need the host key; a viewer acts only as the token\'s viewer, room and session, within its time; forged, replayed and out-of-window events are refused with a reason', async ({ browser }) => {
  test.setTimeout(60_000);
  const HOST = 'host-key-for-tests';
  const { base, proc } = await startBackend(join(dir, 'authority.db'), ['--host-key', HOST, '--site', join(repo, 'tests', 'pages')]);
  try {
    const room = `auth-${Date.now()}`;
    const call = async (path, body, auth) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    expect((await (await fetch(`${base}/backend`)).json()).host_key_required).toBe(true);
    // Host commands: refused without the key, with a wrong one, and with a viewer's token.
    const open = { type: 'flash.open', widget_id: 'f', product: { name: '唇釉', price: 100 }, stock_total: 5, starts_at: Date.now() - 1000, ends_at: Date.now() + 600_000 };
    expect(await call(`/rooms/${room}/commands`, open)).toMatchObject({ status: 403, body: { error: { code: 'not_host' } } });
    expect((await call(`/rooms/${room}/commands`, open, 'guess')).status).toBe(403);
    const anon = await call(`/rooms/${room}/join`, {});
    expect(anon.body.user_id).toMatch(/^anon-/);
    expect((await call(`/rooms/${room}/commands`, open, anon.body.token)).status).toBe(403);
    expect((await call(`/rooms/${room}/members`, { user_id: anon.body.user_id, member: true })).status).toBe(403);
    // Naming the viewer is for the host's servers (after their login).
    expect((await call(`/rooms/${room}/join`, { user_id: 'victim' })).status).toBe(403);
    const victim = await call(`/rooms/${room}/join`, { user_id: 'victim' }, HOST);
    expect(victim).toMatchObject({ status: 200, body: { user_id: 'victim' } });
    expect(await call(`/rooms/${room}/commands`, open, HOST)).toMatchObject({ status: 200, body: { ok: true } });

    // A real viewer page with its token grabs; the decision comes back on its own socket.
    const page = await newPage(browser);
    await page.goto(`${base}/authority.html?room=${room}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    await expect(page.locator('#overlay section.hd-flash')).toHaveAttribute('data-phase', 'live');
    await page.locator('#overlay section.hd-flash button.hd-grab').click();
    await expect.poll(() => page.evaluate(() => window.h.events.find((e) => e.type === 'flash.result')?.outcome), { timeout: 15_000 }).toBe('success');
    const attacker = await page.evaluate(() => window.h.session);
    const [grab] = await (await fetch(`${base}/collect/events?room=${room}&type=flash.grab`, { headers: { authorization: `Bearer ${HOST}` } })).json();
    expect(grab.user_id).toBe(attacker.user_id);
    const decisions = async () => (await (await fetch(`${base}/rooms/${room}/decisions`, { headers: { authorization: `Bearer ${HOST}` } })).json());
    expect(await decisions()).toEqual({ success: 1 });

    const post = (events, token) => call('/collect', { events }, token);
    const fresh = (e, extra) => ({ ...e, event_id: crypto.randomUUID(), request_id: `${e.request_id}-${Math.random()}`, at: Date.now(), ...extra });
    // No token, a tampered token, another secret's token: the batch is refused.
    expect(await post([fresh(grab)])).toMatchObject({ status: 401, body: { code: 'no_token' } });
    const [v, payload, sig] = attacker.token.split('.');
    const tampered = `${v}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url')), u: 'victim' })).toString('base64url')}.${sig}`;
    expect(await post([fresh(grab, { user_id: 'victim' })], tampered)).toMatchObject({ status: 401, body: { code: 'bad_signature' } });
    // A valid token, events that are not its viewer's, room's or session's, or outside its time.
    const cases = {
      forged_user: fresh(grab, { user_id: 'victim' }),
      wrong_room: fresh(grab, { room_id: `${room}-other` }),
      wrong_session: fresh(grab, { session_id: victim.body.session_id }),
      out_of_window: fresh(grab, { at: Date.now() - 3_600_000 }),
    };
    const future = fresh(grab, { at: Date.now() + 3_600_000 });
    const res = await post([...Object.values(cases), future], attacker.token);
    expect(res.status).toBe(200);
    expect(res.body.stored).toBe(0);
    expect(res.body.refused.map((r) => r.code)).toEqual([...Object.keys(cases), 'out_of_window']);
    for (const r of res.body.refused) expect(r.reason.length).toBeGreaterThan(10);
    // Recorded with the reason, and nothing decided for anyone.
    const rejected = await (await fetch(`${base}/collect/rejected?room=${room}`, { headers: { authorization: `Bearer ${HOST}` } })).json();
    expect(rejected.map((r) => r.code).sort()).toEqual(['forged_user', 'out_of_window', 'out_of_window', 'wrong_session']);
    // Replays: the same event again is a duplicate, decided once.
    expect(await post([grab], attacker.token)).toMatchObject({ status: 200, body: { stored: 0, duplicates: 1 } });
    // The same grab (same request id) under a new event id is not a second grab either.
    expect((await post([{ ...grab, event_id: crypto.randomUUID(), at: Date.now() }], attacker.token)).body.stored).toBe(1);
    await sleep(300);
    expect(await decisions()).toEqual({ success: 1 });
    // The victim's own token works for the victim.
    const own = fresh(grab, { user_id: 'victim', session_id: victim.body.session_id });
    expect((await post([own], victim.body.token)).body).toMatchObject({ stored: 1, refused: [] });
    await expect.poll(decisions).toEqual({ success: 2 });
    // A command socket without a token gets no one's private messages; with a token only that viewer's.
    const wsNoToken = await new Promise((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/rooms/${room}/ws?user=victim`);
      ws.on('open', () => resolve(ws));
    });
    const heard = [];
    wsNoToken.on('message', (m) => heard.push(JSON.parse(String(m))));
    await call(`/rooms/${room}/commands`, { type: 'redeem.account', widget_id: 'shop', user_id: 'victim', balance: 10 }, HOST);
    await sleep(500);
    expect(heard.filter((m) => m.type === 'redeem.account')).toEqual([]);
    wsNoToken.close();
  } finally {
    await stop(proc);
  }
});

test('the host console with a host key: its commands go through with the key it was given in the address, and are refused without it', async ({ browser }) => {
  const HOST = 'console-key';
  const { base, proc } = await startBackend(join(dir, 'console.db'), ['--host-key', HOST]);
  try {
    const room = `console-${Date.now()}`;
    const page = await newPage(browser);
    await page.goto(`${base}/?room=${room}#key=${HOST}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    // The key leaves the address bar.
    expect(new URL(page.url()).hash).toBe('');
    await page.getByRole('button', { name: 'Open poll' }).click();
    await expect(page.locator('#overlay .hd-poll')).toBeVisible();
    // The viewer in the console votes with its session token; the vote is stored as its own.
    await page.locator('#overlay .hd-poll button').first().click();
    await expect.poll(async () => (await (await fetch(`${base}/collect/events?room=${room}&type=poll.vote`, { headers: { authorization: `Bearer ${HOST}` } })).json()).length).toBe(1);
    const [vote] = await (await fetch(`${base}/collect/events?room=${room}&type=poll.vote`, { headers: { authorization: `Bearer ${HOST}` } })).json();
    expect(vote.user_id).toBe(await page.evaluate(() => window.hudongRoom.userId));

    // Another browser without the key: its console's commands are refused, and it says why.
    const other = await newPage(browser);
    await other.goto(`${base}/?room=${room}`);
    await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
    await other.getByRole('button', { name: 'Open poll' }).click();
    await expect(other.locator('#log li[data-type="error"]').first()).toContainText('not_host');
    // Nothing of it reached the room: the first page still shows its one poll, and the
    // room's log holds only the first console's open.
    await expect(page.locator('#overlay .hd-poll')).toHaveCount(1);
    const snap = await (await fetch(`${base}/rooms/${room}/snapshot`, { headers: { authorization: `Bearer ${HOST}` } })).json();
    expect(snap.widgets, JSON.stringify(snap)).toHaveLength(1);
  } finally {
    await stop(proc);
  }
});

test('a script firing reward requests is held to 10 a minute per session and widget: the rest are refused as rate_limited and decide nothing', async () => {
  const { base, proc } = await startBackend(join(dir, 'rate.db'));
  try {
    const room = `rate-${Date.now()}`;
    const post = (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const now = Date.now();
    expect((await post(`/rooms/${room}/commands`, { type: 'flash.open', widget_id: 'f', product: { name: '唇釉', price: 100 }, stock_total: 100, per_viewer_limit: 50, starts_at: now - 1000, ends_at: now + 600_000 })).ok).toBe(true);
    const grab = (i, session = 's-bot') => ({
      v: 1, event_id: crypto.randomUUID(), seq: i + 1, at: Date.now(), client_at: Date.now(), room_id: room, session_id: session,
      user_id: `u-${session}`, widget_id: 'f', kind: 'flash_sale', type: 'flash.grab', request_id: `${room}:f:${session}:grab:${i}`,
    });
    const burst = Array.from({ length: 25 }, (_, i) => grab(i));
    const res = await post('/collect', { events: burst });
    expect(res.stored).toBe(25); // kept as sent
    expect(res.refused.map((r) => r.code)).toEqual(Array(15).fill('rate_limited'));
    // The same batch again (a retry) is 25 duplicates, not 25 more requests.
    expect(await post('/collect', { events: burst })).toMatchObject({ stored: 0, duplicates: 25, refused: [] });
    // Another session is not held back by the first.
    expect((await post('/collect', { events: [grab(0, 's-other')] })).refused).toEqual([]);
    await expect.poll(async () => Object.values(await (await fetch(`${base}/rooms/${room}/decisions`)).json()).reduce((a, b) => a + b, 0)).toBe(11);
    const rejected = await (await fetch(`${base}/collect/rejected?room=${room}`)).json();
    expect(rejected.filter((r) => r.code === 'rate_limited')).toHaveLength(15);
  } finally {
    await stop(proc);
  }
});
