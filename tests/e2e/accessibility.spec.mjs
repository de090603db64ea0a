// WCAG 2.2 AA, checked by axe-core on every widget in the states the tests reach, in light
// and dark, in Simplified Chinese and English.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { servePages } from './support.mjs';

const site = servePages(test);

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const [locale, theme] of [['en', 'light'], ['zh-CN', 'dark']]) {
  test(`axe finds no WCAG 2.2 AA violation in any widget state (${locale}, ${theme})`, async ({ page }) => {
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.setViewportSize({ width: 430, height: 932 });
    await page.goto(`${site.base}/a11y.html`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const names = await page.evaluate(() => window.a11y.names);
    expect(names.length).toBeGreaterThanOrEqual(7);
    const report = [];
    let checked = 0;
    for (const name of names) {
      const refused = await page.evaluate(([n, o]) => window.a11y.run(n, o), [name, { locale, theme }]);
      expect(refused, name).toEqual([]);
      const cards = await page.locator('#overlay .hd-card').count();
      expect(cards, `${name}: widgets are on screen`).toBeGreaterThan(0);
      checked += cards;
      const { violations } = await new AxeBuilder({ page }).include('#overlay').withTags(TAGS).analyze();
      for (const v of violations) {
        report.push(`${name}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1).join(' ')}`).join('\n    ')}`);
      }
    }
    expect(report.join('\n')).toBe('');
    expect(checked).toBeGreaterThanOrEqual(15);
    expect(errors).toEqual([]);
  });
}

test('the try-on dialog takes the focus, keeps Tab inside, closes on Escape and gives the focus back', async ({ page }) => {
  await page.goto(`${site.base}/a11y.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.evaluate(() => window.a11y.run('tasks, likes, try-on', { locale: 'en' }));
  const card = page.locator('#overlay section.hd-tryon');
  const start = card.getByRole('button', { name: 'Try it on' });
  await start.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Gold sunglasses' });
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  // The modal is the only card; the tray below it is inert until it closes.
  await expect(page.locator('#overlay .hd-overlay > .hd-card')).toHaveCount(1);
  await expect(page.locator('#overlay .hd-tray')).toHaveAttribute('inert');
  const focused = () => page.evaluate(() => document.querySelector('#overlay').shadowRoot.activeElement?.textContent ?? null);
  expect(await focused()).toBe('Close');
  // Tab goes round inside the dialog, both ways.
  const seen = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  expect(seen).toEqual(['Use my camera', 'Use a photo instead', 'Close', 'Use my camera']);
  await page.keyboard.press('Shift+Tab');
  expect(await focused()).toBe('Close');
  // Escape closes it; the focus is back where the viewer started.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(card).toHaveAttribute('data-phase', 'idle');
  expect(await focused()).toBe('Try it on');
  await expect(page.locator('#overlay .hd-tray')).not.toHaveAttribute('inert');
});

test('a countdown is announced at 1:00, 30s and 10s only, not every second', async ({ page }) => {
  await page.goto(`${site.base}/a11y.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const seen = await page.evaluate(async () => {
    await window.a11y.run('tasks, likes, try-on', { locale: 'en' }); // a fresh room
    const { room } = window.a11y;
    room.apply({ type: 'poll.open', widget_id: 'timed', question: 'Quick?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], closes_at: room.serverNow() + 61_500 });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const countdown = document.querySelector('#overlay').shadowRoot.querySelector('.hd-poll .hd-countdown');
    const region = countdown.querySelector('.hd-milestone[aria-live=polite]');
    const spoken = [region.textContent];
    const shown = new Set([countdown.querySelector('time').textContent]);
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await new Promise((r) => requestAnimationFrame(r));
      if (region.textContent !== spoken.at(-1)) spoken.push(region.textContent);
      shown.add(countdown.querySelector('time').textContent);
    }
    return { spoken, shown: [...shown] };
  });
  expect(seen.shown.length).toBeGreaterThanOrEqual(3); // 1:02 → 1:01 → 1:00 → 0:59 …
  expect(seen.spoken).toEqual(['', 'Ends in 1:00']);
});

for (const width of [320, 375, 430]) {
  test(`at ${width} px wide every card fits the screen, nothing scrolls sideways`, async ({ page }) => {
    await page.setViewportSize({ width, height: 760 });
    await page.goto(`${site.base}/a11y.html`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    await page.evaluate(() => Object.assign(document.querySelector('.stage').style, { width: '100vw', height: '100vh' }));
    for (const name of ['poll, quiz question, flash preview', 'redeem with an account, lottery, coupon', 'lead, products, questions']) {
      await page.evaluate((n) => window.a11y.run(n, { locale: 'zh-CN' }), name);
      const boxes = await page.evaluate(() => {
        const root = document.querySelector('#overlay').shadowRoot;
        const overlay = root.querySelector('.hd-overlay');
        return {
          sideways: overlay.scrollWidth - overlay.clientWidth,
          cards: [...root.querySelectorAll('.hd-card')].map((c) => { const r = c.getBoundingClientRect(); return { left: r.left, right: r.right }; }),
        };
      });
      expect(boxes.sideways, name).toBeLessThanOrEqual(0);
      expect(boxes.cards.length, name).toBeGreaterThan(0);
      for (const c of boxes.cards) {
        expect(c.left, name).toBeGreaterThanOrEqual(0);
        expect(c.right, name).toBeLessThanOrEqual(width);
      }
    }
  });
}
