// WCAG 2.2 AA, checked by axe-core on every widget in the states the tests reach, in light
// and dark, in Simplified Chinese and English.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let server;
let base;

test.beforeAll(async () => {
  server = await startServer({ mounts: [['/dist/', join(repo, 'dist')], ['/', join(repo, 'tests', 'pages')]], hub: false });
  base = `http://127.0.0.1:${server.address().port}`;
});

test.afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
});

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const [locale, theme] of [['en', 'light'], ['zh-CN', 'dark']]) {
  test(`axe finds no WCAG 2.2 AA violation in any widget state (${locale}, ${theme})`, async ({ page }) => {
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.setViewportSize({ width: 430, height: 932 });
    await page.goto(`${base}/a11y.html`);
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
  await page.goto(`${base}/a11y.html`);
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
