// What the overlay does to the video a viewer watches, on the phones most viewers hold: how
// much of the screen it covers, whether every control is on screen and big enough for a
// thumb, and whether every text is readable. Measured for each widget alone and for the
// busiest rooms, with the SDK's default layout.
import { test, expect } from '@playwright/test';
import { servePages } from './support.mjs';

const site = servePages(test);

const PHONES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
];

/** The test page on a phone-sized touch screen, motion reduced (and the clock fixed at `at`). */
async function openPhone(browser, viewport, at) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: true, isMobile: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  if (at) await page.clock.setFixedTime(at);
  await page.goto(`${site.base}/visual.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  return { context, page };
}

// Everything measured in the page, from the layout the browser computed.
function measure() {
  const root = document.querySelector('#overlay').shadowRoot;
  const [W, H] = [innerWidth, innerHeight];
  const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && el.getClientRects().length > 0;
  // The screen covered: the union of every card's box, on a 2 px grid.
  const cell = 2;
  const cols = Math.ceil(W / cell);
  const covered = new Uint8Array(cols * Math.ceil(H / cell));
  for (const card of root.querySelectorAll('.hd-card')) {
    if (!visible(card)) continue;
    const r = card.getBoundingClientRect();
    const [x0, x1] = [Math.max(0, Math.floor(r.left / cell)), Math.min(cols, Math.ceil(r.right / cell))];
    const [y0, y1] = [Math.max(0, Math.floor(r.top / cell)), Math.min(Math.ceil(H / cell), Math.ceil(r.bottom / cell))];
    for (let y = y0; y < y1; y++) covered.fill(1, y * cols + x0, y * cols + Math.max(x0, x1));
  }
  const coverage = covered.reduce((a, b) => a + b, 0) / covered.length;
  const name = (el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent).trim().slice(0, 24)}"`;
  const offscreen = [];
  const small = [];
  for (const el of root.querySelectorAll('button, a[href], input, textarea, select, summary')) {
    // (A visually hidden input is worked through its visible button or label.)
    if (!visible(el) || el.closest('[inert]') || el.matches('.hd-sr, .hd-visually-hidden')) continue;
    // A checkbox's target is its whole label.
    const target = el.matches('input[type=checkbox], input[type=radio]') ? el.closest('label') ?? el : el;
    const r = target.getBoundingClientRect();
    // On screen, or in a list that scrolls within its card (not the overlay's own scroll,
    // which is only a last resort).
    let reach = target;
    for (let a = target.parentElement; a && !a.matches('.hd-overlay'); a = a.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(a).overflowY + getComputedStyle(a).overflowX)) reach = a;
    }
    const q = reach.getBoundingClientRect();
    if (q.left < -0.5 || q.top < -0.5 || q.right > W + 0.5 || q.bottom > H + 0.5) offscreen.push(name(el));
    if (r.width < 43.5 || r.height < 43.5) small.push(`${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  const tiny = new Set();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !visible(el) || el.closest('.hd-sr, .hd-visually-hidden, style')) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 12) tiny.add(`${name(el)} ${px}px`);
  }
  return { coverage, offscreen, small, tiny: [...tiny], cards: root.querySelectorAll('.hd-card:not(.hd-chip)').length };
}

for (const phone of PHONES) {
  test(`${phone.width}×${phone.height}: one widget covers at most a quarter of the screen, every control on screen and thumb-sized`, async ({ browser }) => {
    const { context, page } = await openPhone(browser, phone);
    const names = await page.evaluate(() => window.a11y.alone);
    expect(names.length).toBeGreaterThanOrEqual(14);
    const report = {};
    for (const name of names) {
      for (const locale of ['zh-CN', 'en']) {
        expect(await page.evaluate(([n, l]) => window.a11y.run(n, { locale: l, layout: null }), [name, locale])).toEqual([]);
        report[`${name} (${locale})`] = await page.evaluate(measure);
      }
    }
    console.log(`${phone.width}×${phone.height} one widget: ${Object.entries(report).map(([n, m]) => `${n} ${(m.coverage * 100).toFixed(1)}%`).join(', ')}`);
    for (const [name, m] of Object.entries(report)) {
      expect(m.cards, name).toBeLessThanOrEqual(1);
      expect(m.coverage, name).toBeLessThanOrEqual(0.25);
      expect(m.offscreen, name).toEqual([]);
      expect(m.small, name).toEqual([]);
      expect(m.tiny, name).toEqual([]);
    }
    await context.close();
  });

  test(`${phone.width}×${phone.height}: the busiest rooms cover at most 45% of the screen with the default layout`, async ({ browser }) => {
    const { context, page } = await openPhone(browser, phone);
    const names = await page.evaluate(() => window.a11y.names);
    const report = {};
    for (const name of names) {
      // The one modal takes the screen by design; the redeem confirmation needs three open cards.
      if (name.startsWith('try-on asking') || name === 'redeem asking to confirm') continue;
      expect(await page.evaluate((n) => window.a11y.run(n, { locale: 'zh-CN', layout: null }), name)).toEqual([]);
      report[name] = await page.evaluate(measure);
    }
    console.log(`${phone.width}×${phone.height} busiest: ${Object.entries(report).map(([n, m]) => `${n} ${(m.coverage * 100).toFixed(1)}%`).join(', ')}`);
    for (const [name, m] of Object.entries(report)) {
      expect(m.coverage, name).toBeLessThanOrEqual(0.45);
      expect(m.offscreen, name).toEqual([]);
      expect(m.small, name).toEqual([]);
      expect(m.tiny, name).toEqual([]);
    }
    await context.close();
  });
}

// What every widget looks like, pixel for pixel, in its key states: a change to a view or to
// the styles shows up here and is accepted on purpose (--update-snapshots), never by accident.
for (const theme of ['light', 'dark']) {
  test(`every widget's key states look as committed at 390×844 (${theme})`, async ({ browser }) => {
    // One instant for every run, so countdowns read the same.
    const { context, page } = await openPhone(browser, PHONES[1], new Date('2026-11-23T10:00:00Z'));
    const names = await page.evaluate(() => window.a11y.alone);
    for (const name of names) {
      expect(await page.evaluate(([n, t]) => window.a11y.run(n, { locale: 'zh-CN', theme: t, layout: null }), [name, theme])).toEqual([]);
      const slug = name.replace(/[^a-z0-9]+/gi, '-');
      await expect(page.locator('#overlay')).toHaveScreenshot(`${theme}-${slug}.png`, { animations: 'disabled', caret: 'hide', maxDiffPixelRatio: 0.002 });
    }
    await context.close();
  });
}
