// A new user's first minute: open a poll from the console, vote as the viewer, see the event.
import { test, expect } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (err) => {
    throw err;
  });
  // A room of its own: the hub keeps rooms for the life of the server.
  await page.goto(`/?room=e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});

test('open a poll, vote, and see poll.vote in the event log', async ({ page }) => {
  const violations = [];
  await page.exposeFunction('reportCsp', (v) => violations.push(v));
  await page.evaluate(() =>
    document.addEventListener('securitypolicyviolation', (e) => window.reportCsp(`${e.violatedDirective} ${e.blockedURI}`)),
  );
  await page.getByRole('button', { name: 'Open poll' }).click();

  const poll = page.locator('#overlay section.hd-poll');
  await expect(poll.getByRole('heading', { name: '下一个讲解哪款?' })).toBeVisible();
  await expect(page.locator('#log li[data-type="widget.shown"]')).toHaveCount(1);
  // Before voting, no results are shown (no bias).
  await expect(poll.locator('.hd-opt-pct')).toHaveCount(0);

  await poll.getByRole('button', { name: '精华液' }).click();

  const vote = page.locator('#log li[data-type="poll.vote"]');
  await expect(vote).toHaveCount(1);
  await expect(vote).toContainText('"option_ids":["b"]');
  await expect(vote).toContainText('idempotency_key');
  // The viewer's choice is highlighted and the console's tally is shown.
  const chosen = poll.getByRole('button', { name: /精华液/ });
  await expect(chosen).toHaveAttribute('aria-pressed', 'true');
  await expect(chosen).toContainText('100%');
  // Single choice without re-vote: the other options are now disabled.
  await expect(poll.getByRole('button', { name: /丝绒唇釉/ })).toBeDisabled();

  // The vote reaches the collector beside the sandbox.
  const eventId = (await vote.textContent()).match(/"event_id":"([0-9a-f-]{36})"/)[1];
  await expect
    .poll(async () => (await (await page.request.get('/collect/events')).json()).filter((e) => e.event_id === eventId), {
      timeout: 10_000,
    })
    .toMatchObject([{ type: 'poll.vote', option_ids: ['b'] }]);

  await page.getByRole('button', { name: 'Reveal results' }).click();
  await expect(page.locator('#log li[data-type="poll.revealed"]')).toHaveCount(1);
  await expect(poll).toHaveAttribute('data-phase', 'revealed');
  await expect(poll.getByRole('status')).toContainText('结果已公布');
  expect(violations).toEqual([]);
});

test('a malformed command is reported as a typed error and changes nothing', async ({ page }) => {
  await page.getByRole('button', { name: 'Open poll' }).click();
  await expect(page.locator('#overlay section.hd-poll')).toHaveCount(1);
  await page.getByRole('button', { name: 'Apply' }).click();
  const err = page.locator('#log li[data-type="error"]');
  await expect(err).toHaveCount(1);
  await expect(err).toContainText('"code":"unknown_command"');
  await expect(page.locator('#overlay section.hd-poll')).toHaveCount(1);
});

test('the poll closes by itself at its server deadline', async ({ page }) => {
  await page.getByLabel('Closes in (s, 0 = never)').fill('2');
  await page.getByRole('button', { name: 'Open poll' }).click();
  const poll = page.locator('#overlay section.hd-poll');
  await expect(poll.locator('.hd-countdown')).toBeVisible();
  await expect(page.locator('#log li[data-type="poll.closed"]')).toContainText('"reason":"deadline"', { timeout: 5_000 });
  await expect(poll).toHaveAttribute('data-phase', 'closed');
  await expect(poll.getByRole('button', { name: /丝绒唇釉/ })).toBeDisabled();
});

test('the poll is operable by keyboard alone', async ({ page }) => {
  await page.getByLabel('Max choices').fill('2');
  await page.getByRole('button', { name: 'Open poll' }).click();
  const poll = page.locator('#overlay section.hd-poll');
  await expect(poll).toBeVisible();
  await poll.getByRole('button', { name: '丝绒唇釉' }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // the third option
  await expect(poll.getByRole('button', { name: '防晒霜' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Tab'); // to Submit
  await expect(poll.getByRole('button', { name: /提交/ })).toBeFocused();
  await page.keyboard.press('Enter');
  const vote = page.locator('#log li[data-type="poll.vote"]');
  await expect(vote).toContainText('"option_ids":["a","c"]');
});

test('flash sale: preview with a reminder, then grab once, pending until the server answers', async ({ page }) => {
  await page.getByLabel('Starts in (s)').fill('2');
  await page.getByRole('button', { name: 'Open flash sale' }).click();
  const card = page.locator('#overlay section.hd-flash');
  await expect(card).toHaveAttribute('data-phase', 'preview');
  await expect(card.getByRole('heading', { name: '丝绒唇釉 1元秒杀' })).toBeVisible();
  await expect(card.locator('.hd-price-now')).toHaveText('¥1.00');
  await expect(card.locator('.hd-price-was')).toContainText('¥89.00');
  await expect(card.locator('.hd-countdown')).toContainText('距开抢');
  await card.getByRole('button', { name: '开抢提醒我' }).click();
  await expect(card.getByRole('button', { name: '已设置提醒' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#log li[data-type="flash.remind"]')).toHaveCount(1);

  // Live at the server's start time.
  await expect(card).toHaveAttribute('data-phase', 'live', { timeout: 5_000 });
  await expect(page.locator('#log li[data-type="flash.started"]')).toHaveCount(1);
  await expect(card.locator('.hd-stock-text')).toContainText('剩余 50 件');
  // A double tap grabs once. The grab is held on its way to the backend until the pending
  // state has been seen: the backend answers within milliseconds.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/collect', async (route) => {
    if (route.request().postData()?.includes('"flash.grab"')) await held;
    await route.continue();
  });
  await card.getByRole('button', { name: '立即抢' }).dblclick();
  await expect(card.getByRole('button', { name: '抢购中…' })).toBeDisabled();
  await expect(card.getByRole('status')).toHaveText('正在确认…');
  await expect(page.locator('#log li[data-type="flash.grab"]')).toHaveCount(1);
  await expect(page.locator('#log li[data-type="flash.grab"]')).toContainText('"request_id"');
  release();
  await page.unrouteAll({ behavior: 'wait' });
  // The server decides.
  await expect(card.getByRole('status')).toContainText('抢到了！订单号 ORD-', { timeout: 5_000 });
  await expect(card.locator('.hd-stock-text')).toContainText('剩余 49 件');
  await expect(card.getByRole('button', { name: '立即抢' })).toBeDisabled(); // limit of one
  await page.getByRole('button', { name: 'End now' }).click();
  await expect(card).toHaveAttribute('data-phase', 'ended');
  await expect(page.locator('#log li[data-type="flash.ended"]')).toContainText('"sold":1');
});

test('flash sale gated on the WeCom group: not eligible is the server’s answer', async ({ page }) => {
  await page.getByLabel('Starts in (s)').fill('0');
  await page.getByLabel("Only for members of the brand's WeCom group").check();
  await page.getByLabel('This viewer has joined the WeCom group').uncheck();
  await page.getByRole('button', { name: 'Open flash sale' }).click();
  const card = page.locator('#overlay section.hd-flash');
  await expect(card).toHaveAttribute('data-phase', 'live');
  await expect(card.locator('.hd-gate')).toContainText('企业微信');
  await card.getByRole('button', { name: '立即抢' }).click();
  await expect(card.getByRole('status')).toHaveText('暂不符合抢购条件', { timeout: 5_000 });
  // Not eligible is not a purchase: the viewer may try again once they join.
  await page.getByLabel('This viewer has joined the WeCom group').check();
  await card.getByRole('button', { name: '立即抢' }).click();
  await expect(card.getByRole('status')).toContainText('抢到了！', { timeout: 5_000 });
});

/** The quiz answers the backend stored for the page's room. */
async function storedAnswers(page) {
  const room = new URL(page.url()).searchParams.get('room');
  return (await (await page.request.get(`/collect/events?room=${room}&type=quiz.answer`)).json()).length;
}

test('quiz: one tap locks the answer; the reveal and the server decide; elimination and a revive card', async ({ page }) => {
  await page.getByRole('combobox', { name: 'Mode' }).selectOption('elimination');
  await page.getByRole('button', { name: 'Open quiz' }).click();
  const card = page.locator('#overlay section.hd-quiz');
  await expect(card).toHaveAttribute('data-phase', 'open');
  await expect(card.getByRole('heading', { name: '涂口红前第一步应该做什么?' })).toBeVisible();
  await expect(card.locator('.hd-countdown')).toBeVisible();
  // Nothing in the page knows the answer before the reveal.
  expect(JSON.stringify(await page.evaluate(() => window.hudongRoom.widgets))).not.toContain('"correct":["a"]');
  await card.getByRole('button', { name: '直接涂' }).click();
  await expect(card.getByRole('button', { name: /直接涂/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByRole('button', { name: /先用唇膜打底/ })).toBeDisabled();
  await expect(card.getByRole('status')).toHaveText('已提交，等待揭晓');
  const answer = page.locator('#log li[data-type="quiz.answer"]');
  await expect(answer).toHaveCount(1);
  await expect(answer).toContainText('"time_to_answer_ms":');
  await expect(answer).toContainText('"option_id":"b"');
  // The host reveals once the answer reached the backend, which scores it.
  await expect.poll(() => storedAnswers(page)).toBe(1);

  await page.getByRole('button', { name: 'Reveal answer' }).click();
  await expect(card).toHaveAttribute('data-phase', 'revealed');
  await expect(card.getByRole('button', { name: /先用唇膜打底/ })).toContainText('正确答案');
  await expect(card.locator('.hd-status')).toHaveText('答错了');
  // How the room answered, from the answers the backend stored: this viewer's one answer (b).
  await expect(card.locator('.hd-opt-pct')).toHaveText(['0%', '100%', '0%']);
  await expect(page.locator('#log li[data-type="quiz.revealed"]')).toContainText('"right":false');
  // The server's verdict: out.
  await expect(card.locator('.hd-banner')).toHaveText('你已被淘汰，继续观战');
  await expect(page.locator('#log li[data-type="quiz.eliminated"]')).toHaveCount(1);
  // The backend's leaderboard of this room's real players: this viewer alone.
  await expect(card.locator('.hd-board li')).toHaveCount(1);

  await page.getByRole('button', { name: 'Ask question' }).click();
  await expect(card).toHaveAttribute('data-phase', 'open');
  await expect(card.getByRole('button', { name: /直接涂/ })).toBeDisabled(); // a spectator
  await page.getByRole('button', { name: 'Give a revive card' }).click();
  await expect(card.locator('.hd-banner')).toHaveCount(0);
  await card.getByRole('button', { name: '先用唇膜打底' }).click();
  await expect(page.locator('#log li[data-type="quiz.answer"]')).toHaveCount(2);
  await expect.poll(() => storedAnswers(page)).toBe(2);
  await page.getByRole('button', { name: 'Reveal answer' }).click();
  await expect(card.locator('.hd-status')).toHaveText('答对了！');
  await expect(card.locator('.hd-score')).toContainText('得分 10 · 连对 1');
});
