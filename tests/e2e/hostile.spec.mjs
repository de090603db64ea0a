// Hostile content from commands: texts are drawn as text, never as markup, and only safe
// image URLs get in. Run in Chromium under the strict Content-Security-Policy, which must
// report nothing either.
import { test, expect } from '@playwright/test';
import { servePages } from './support.mjs';

const site = servePages(test);

// Classic injection vectors (OWASP's XSS filter evasion list, and friends), each put in
// every text field of all twelve widgets and in the viewer's own question. At most 60
// characters, the longest most display fields take (shorter fields get a prefix).
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '"><img src=x onerror=alert(1)>',
  "'><img src=x onerror=alert(1)>",
  '" onmouseover="alert(1)',
  "' autofocus onfocus='alert(1)",
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">tap</a>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<body onload=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv=refresh content=0;url=javascript:alert(1)>',
  '<link rel=stylesheet href=//evil.example/x.css>',
  '<style>*{display:none}</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<template><img src=x onerror=alert(1)></template>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '&lt;img src=x onerror=alert(1)&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  '${alert(1)}',
  '{{constructor.constructor("alert(1)")()}}',
  'javascript:alert(1)',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<IMG SRC=JaVaScRiPt:alert(1)>',
  '<img src="x" onerror="&#97;lert(1)">',
  '<slot name=x onclick=alert(1)>',
  '<hudong-room room-id=x onclick=alert(1)></hudong-room>',
  '</div></section><img src=x onerror=alert(1)>',
];


test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});

test(`${PAYLOADS.length} injection payloads in every text field of every widget are drawn as text`, async ({ page }) => {
  test.setTimeout(120_000);
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.base}/hostile.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  // The same widgets with a harmless text: the elements every run must have, no more.
  for (const p of PAYLOADS) expect([...p].length, p).toBeLessThanOrEqual(60);
  const plain = await page.evaluate(() => window.hostile.show('Plain words'));
  expect(plain.refused).toEqual([]);
  expect(plain.shown).toBeGreaterThanOrEqual(15);
  expect(plain.elements.script ?? 0).toBe(0);
  for (const payload of PAYLOADS) {
    const out = await page.evaluate((t) => window.hostile.show(t), payload);
    expect(out.refused, payload).toEqual([]);
    expect(out.widgets, payload).toBe(12);
    // Drawn, literally, in every place it was put (titles, options, products, rewards…).
    expect(out.shown, payload).toBe(plain.shown);
    expect(out.elements, payload).toEqual(plain.elements);
    expect(out.handlers, payload).toEqual([]);
    expect(out.urls, payload).toEqual([]);
  }
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});

test('image URLs: https, relative and small data: images get in; anything else is refused with invalid_field', async ({ page }) => {
  await page.goto(`${site.base}/hostile.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
  const accepted = ['https://cdn.example.com/a.webp', '/img/a.png', './img/a.png', '../a.png', png];
  const refused = [
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)',
    'vbscript:msgbox(1)', 'http://cdn.example.com/a.png', '//evil.example/a.png',
    'data:text/html,<script>alert(1)</script>', 'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+',
    'data:image/png,rawbytes', `data:image/png;base64,${'A'.repeat(70 * 1024)}`,
    'https://cdn.example.com/a.png" onerror="alert(1)', "https://x/'><script>", 'https://x/a b.png', '',
  ];
  for (const url of accepted) {
    expect(await page.evaluate((u) => window.hostile.image(u), url), url.slice(0, 60)).toEqual({ ok: true });
    await expect(page.locator('#overlay .hd-poll img')).toHaveAttribute('src', url);
  }
  for (const url of refused) {
    const result = await page.evaluate((u) => window.hostile.image(u), url);
    expect(result.ok, url.slice(0, 60)).toBe(false);
    expect(result.error.code).toBe('invalid_field');
    expect(result.error.message).toMatch(/image/);
    await expect(page.locator('#overlay .hd-poll')).toHaveCount(0);
  }
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});

test('click storms on reward buttons send one request each: 100 synchronous clicks, then a burst of double taps', async ({ page }) => {
  await page.goto(`${site.base}/a11y.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const requests = (type) => page.evaluate((t) => window.a11y.seen.events.filter((e) => e.type === t).length, type);
  const storm = (selector) =>
    page.evaluate((sel) => {
      const button = document.querySelector('#overlay').shadowRoot.querySelector(sel);
      // All in one task: before any redraw could disable the button.
      for (let i = 0; i < 100; i++) button.click();
    }, selector);
  const cases = [
    ['poll voted then revealed, quiz answered, flash live', '.hd-flash button.hd-grab', 'flash.grab'],
    ['redeem with an account, lottery, coupon', '.hd-lottery button.hd-submit', 'lottery.enter'],
    ['redeem with an account, lottery, coupon', '.hd-coupon button.hd-submit:not(.hd-alt)', 'coupon.claim'],
  ];
  for (const [scenario, selector, request] of cases) {
    expect(await page.evaluate((n) => window.a11y.run(n, { locale: 'en' }), scenario)).toEqual([]);
    const before = await requests(request);
    await storm(selector);
    // And a thumb's double and triple taps through the real input pipeline.
    await page.locator(`#overlay ${selector}`).click({ clickCount: 3, force: true }).catch(() => {});
    await expect.poll(() => requests(request), { message: request }).toBeGreaterThan(before);
    expect(await requests(request), request).toBe(before + 1);
  }
});

test('hostile host CSS (global resets, !important, leaking text styles) changes nothing in the overlay: same pixels, and it still works', async ({ browser }) => {
  const shot = async (query) => {
    const context = await browser.newContext({ viewport: { width: 430, height: 900 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    // The same time in both pages, so countdowns read the same.
    await page.clock.setFixedTime(new Date('2026-11-23T10:00:00Z'));
    await page.goto(`${site.base}/hostile.html${query}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const out = await page.evaluate(() => window.hostile.show('Plain words'));
    expect(out.refused).toEqual([]);
    // Every card is drawn and within the stage.
    const cards = page.locator('#overlay .hd-card');
    expect(await cards.count()).toBeGreaterThan(3);
    await page.waitForTimeout(300);
    const png = await page.locator('#overlay').screenshot({ animations: 'disabled', caret: 'hide' });
    // It still works: a real tap on the first card's first button acts.
    const before = await page.evaluate(() => window.hostile.events.length);
    await page.locator('#overlay .hd-card button:visible').first().click();
    await expect.poll(() => page.evaluate(() => window.hostile.events.length)).toBeGreaterThan(before);
    const voted = (await page.evaluate(() => window.hostile.events.length)) - before;
    await context.close();
    return { png, voted };
  };
  const plain = await shot('');
  const hostile = await shot('?css=hostile');
  expect(plain.voted).toBeGreaterThan(0);
  expect(hostile.voted).toBe(plain.voted);
  if (!hostile.png.equals(plain.png)) {
    await test.info().attach('plain.png', { body: plain.png, contentType: 'image/png' });
    await test.info().attach('hostile.png', { body: hostile.png, contentType: 'image/png' });
  }
  expect(hostile.png.equals(plain.png), 'the overlay looks the same under the hostile stylesheet').toBe(true);
});
