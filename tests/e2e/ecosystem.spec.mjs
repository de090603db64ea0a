// Hudong in the host's stack: custom elements from plain HTML, and the script-tag build for
// pages without a bundler.
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { repo, servePages } from './support.mjs';

const site = servePages(test);

async function open(page, path) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  await page.goto(`${site.base}/${path}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  return { errors, requests };
}

test('<hudong-room> with a <hudong-poll> inside: attributes in, DOM events out', async ({ page }) => {
  const { errors } = await open(page, 'elements.html');
  const poll = page.locator('#room .hd-poll'); // Playwright pierces the open shadow root
  await expect(poll.getByRole('heading', { name: 'Which shade?' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.seen.ready)).toContain('room');
  expect(await page.evaluate(() => document.querySelector('#room').shadowRoot !== null)).toBe(true);

  await poll.getByRole('button', { name: 'Rose' }).click();
  await expect.poll(() => page.evaluate(() => window.seen.votes)).toEqual([['b']]);
  expect(await page.evaluate(() => window.seen.events)).toEqual(expect.arrayContaining(['widget.shown', 'poll.vote']));
  // The room's methods are on the element.
  expect(await page.evaluate(() => document.querySelector('#room').apply({ type: 'poll.tally', widget_id: 'p1', counts: { a: 5, b: 7 } }))).toEqual({ ok: true });
  await expect(poll.locator('.hd-total')).toContainText('12');

  // A new locale attribute redraws the room in that language; the vote stays.
  const badge = poll.locator('.hd-badge');
  const before = await badge.textContent();
  await page.evaluate(() => document.querySelector('#room').setAttribute('locale', 'th'));
  await expect(badge).toHaveText('โหวต');
  expect(before).not.toBe('โหวต');
  await expect(poll.getByRole('button', { name: /Rose/ })).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => window.seen.votes)).toEqual([['b']]);

  // The same spec again, as the JSON a server-rendering framework hands to the property
  // while hydrating: the open poll is left as it is, the vote kept.
  const shown = await page.evaluate(() => window.seen.events.filter((t) => t === 'widget.shown').length);
  await page.evaluate(() => { const el = document.querySelector('hudong-poll'); el.spec = el.getAttribute('spec'); });
  await expect(poll.getByRole('button', { name: /Rose/ })).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => window.seen.events.filter((t) => t === 'widget.shown').length)).toBe(shown);
  // A new spec property (an object, or JSON) re-opens the widget; removing the element removes it.
  await page.evaluate(() => {
    document.querySelector('hudong-poll').spec = JSON.stringify({ question: 'Which colour?', options: [{ id: 'r', label: 'Red' }, { id: 'g', label: 'Green' }] });
  });
  await expect(page.locator('#room .hd-poll').getByRole('heading', { name: 'Which colour?' })).toBeVisible();
  await page.evaluate(() => {
    document.querySelector('hudong-poll').spec = { question: 'Which size?', options: [{ id: 's', label: 'Small' }, { id: 'l', label: 'Large' }] };
  });
  await expect(page.locator('#room .hd-poll').getByRole('heading', { name: 'Which size?' })).toBeVisible();
  await page.evaluate(() => document.querySelector('hudong-poll').remove());
  await expect(page.locator('#room .hd-poll')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a widget element on its own is a room of its own, here in light DOM', async ({ page }) => {
  await open(page, 'elements.html');
  const likes = page.locator('#likes .hd-likes');
  await expect(likes).toBeVisible();
  expect(await page.evaluate(() => document.querySelector('#likes hudong-room').shadowRoot)).toBeNull();
  expect(await page.evaluate(() => document.querySelector('#likes .hd-likes') !== null)).toBe(true); // light DOM: plain querySelector finds it
  await expect(likes.locator('.hd-goal-text')).toContainText('A coupon');
  await likes.getByRole('button', { name: /Like/ }).click();
  await expect.poll(() => page.evaluate(() => window.seen.events)).toContain('like.sent');
});

test('bad element input is a hudong-error event on the element, not an exception', async ({ page }) => {
  const { errors } = await open(page, 'elements.html');
  await expect.poll(() => page.evaluate(() => window.seen.errors)).toEqual([
    expect.objectContaining({ from: 'broken', code: 'invalid_field', message: expect.stringContaining('not JSON') }),
  ]);
  // A room without a room-id says so.
  const error = await page.evaluate(() => new Promise((resolve) => {
    const el = document.createElement('hudong-room');
    el.addEventListener('hudong-error', (e) => resolve(e.detail), { once: true });
    document.body.append(el);
  }));
  expect(error).toEqual(expect.objectContaining({ code: 'invalid_options', message: expect.stringContaining('room-id') }));
  // A command the SDK refuses comes back as a typed result and an event.
  const refused = await page.evaluate(async () => {
    const el = document.querySelector('#room');
    await el.ready;
    const got = new Promise((resolve) => el.addEventListener('hudong-error', (e) => resolve(e.detail.code), { once: true }));
    return { result: el.apply({ type: 'poll.tally', widget_id: 'p1', counts: 'many' }), event: await got };
  });
  expect(refused.result.ok).toBe(false);
  expect(refused.event).toBe(refused.result.error.code);
  expect(errors).toEqual([]);
  // A room with no height would draw its cards outside itself: the developer is told why.
  const warning = page.waitForEvent('console', (m) => m.type() === 'warning' && m.text().includes('has no height'));
  await page.evaluate(() => {
    const el = document.createElement('hudong-room');
    el.setAttribute('room-id', 'flat');
    el.setAttribute('persist', 'false');
    document.body.append(el);
    el.apply({ type: 'likes.open', widget_id: 'l' });
  });
  expect((await warning).text()).toContain('<hudong-room>');
});

test('one classic script tag: window.Hudong queues until the video plays, then loads beside itself', async ({ page }) => {
  const { errors, requests } = await open(page, 'script-tag.html');
  expect(await page.evaluate(() => window.scriptTag.queued)).toEqual({ ok: true, queued: true });
  expect(requests.filter((p) => p.startsWith('/dist/'))).toEqual(['/dist/hudong.global.js']);
  expect(await page.evaluate(() => typeof customElements.get('hudong-room'))).toBe('function');

  await page.evaluate(() => window.scriptTag.play());
  await expect(page.locator('#overlay .hd-poll').getByRole('heading', { name: 'Which one?' })).toBeVisible();
  expect(requests).toContain('/dist/index.js');
  expect(requests).toContain('/dist/hudong_wasm_bg.wasm');
  await page.locator('#overlay .hd-poll').getByRole('button', { name: 'Ruby' }).click();
  await expect.poll(() => page.evaluate(() => window.scriptTag.events)).toEqual(['widget.shown', 'poll.vote']);
  // createRoom through the global works too.
  const ok = await page.evaluate(async () => {
    const room = await Hudong.createRoom({ roomId: 'tag-2', persist: false });
    const r = room.apply({ type: 'likes.open', widget_id: 'l' });
    room.destroy();
    return r;
  });
  expect(ok).toEqual({ ok: true });
  expect(errors).toEqual([]);
});

test('the overlay speaks zh-TW, id, th and vi, with prices and counts formatted by Intl', async ({ page }) => {
  const { errors, requests } = await open(page, 'i18n.html');
  // The built-in languages fetch no pack.
  await page.evaluate(async () => {
    for (const locale of ['zh-CN', 'en-GB']) (await Hudong.createRoom({ roomId: locale, mount: '#overlay', locale, persist: false })).destroy();
  });
  expect(requests.filter((p) => p.startsWith('/dist/locales/'))).toEqual([]);
  const cases = [
    { locale: 'zh-TW', currency: 'TWD', price: 129900, badge: '限時搶購', grab: '開搶提醒我', money: '$1,299.00', poll: '投票', votes: '12,345 票' },
    { locale: 'id-ID', currency: 'IDR', price: 8900000, badge: 'Flash sale', grab: 'Ingatkan saya', money: 'Rp 89.000', poll: 'Polling', votes: '12.345 suara' },
    { locale: 'th', currency: 'THB', price: 19900, badge: 'แฟลชเซล', grab: 'เตือนฉัน', money: '฿199.00', poll: 'โหวต', votes: '12,345 โหวต' },
    { locale: 'vi', currency: 'VND', price: 89000, badge: 'Flash sale', grab: 'Nhắc tôi', money: '89.000 ₫', poll: 'Bình chọn', votes: '12.345 phiếu' },
  ];
  for (const c of cases) {
    const shown = await page.evaluate(async ({ locale, currency, price }) => {
      const room = await Hudong.createRoom({ roomId: `i18n-${locale}`, mount: '#overlay', locale, persist: false });
      await room.prefetch(['flash_sale', 'poll']); // drawn in the next frames, not when their code arrives
      room.apply({ type: 'room.layout', max_cards: 2 }); // both cards open at once
      const now = Date.now();
      room.apply({ type: 'flash.open', widget_id: 'f', product: { name: 'Tint', price, currency }, stock_total: 5, starts_at: now + 60_000, ends_at: now + 120_000 });
      room.apply({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
      room.apply({ type: 'poll.close', widget_id: 'p' });
      room.apply({ type: 'poll.tally', widget_id: 'p', counts: { a: 12000, b: 345 } });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const root = document.querySelector('#overlay').shadowRoot;
      const text = (sel) => root.querySelector(sel)?.textContent.replace(/\u00a0/g, ' ').trim();
      const out = {
        lang: root.querySelector('.hd-overlay').lang,
        badge: text('.hd-flash .hd-badge'),
        remind: text('.hd-flash button'),
        money: text('.hd-flash .hd-price-now'),
        poll: text('.hd-poll .hd-badge'),
        votes: text('.hd-poll .hd-total'),
      };
      room.destroy();
      return out;
    }, c);
    expect(shown).toEqual({ lang: c.locale, badge: c.badge, remind: c.grab, money: c.money, poll: c.poll, votes: `· ${c.votes}` });
  }
  // Each language's pack was fetched once, only for the room that needed it.
  expect(requests.filter((p) => p.startsWith('/dist/locales/'))).toEqual(['/dist/locales/zh-TW.json', '/dist/locales/id.json', '/dist/locales/th.json', '/dist/locales/vi.json']);
  expect(errors).toEqual([]);
});

test('room.setLocale() switches the language live: the widgets keep their state, a pack is fetched once', async ({ page }) => {
  const { errors, requests } = await open(page, 'i18n.html');
  await page.evaluate(async () => {
    window.room = await Hudong.createRoom({ roomId: 'live-locale', userId: 'u-1', mount: '#overlay', locale: 'zh-CN', strings: { tap_to_vote: '点一下就投' }, persist: false });
    await room.prefetch(['poll']);
    room.apply({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    room.apply({ type: 'poll.tally', widget_id: 'p', counts: { a: 12000, b: 345 } });
    room.vote('p', 'a');
  });
  const root = page.locator('#overlay');
  const badge = root.locator('.hd-poll .hd-badge');
  await expect(badge).toHaveText('投票');
  await expect(root.locator('.hd-poll button[aria-pressed="true"]')).toHaveCount(1);
  // English is built in: nothing is fetched, the vote stays.
  expect(await page.evaluate(() => room.setLocale('en'))).toEqual({ ok: true });
  await expect(badge).toHaveText('Poll');
  await expect(root.locator('.hd-overlay')).toHaveAttribute('lang', 'en');
  await expect(root.locator('.hd-poll button[aria-pressed="true"]')).toHaveCount(1);
  // Thai comes as a pack; numbers follow the language too.
  expect(await page.evaluate(() => room.setLocale('th'))).toEqual({ ok: true });
  await expect(badge).toHaveText('โหวต');
  await expect(root.locator('.hd-poll .hd-total')).toContainText('12,346 โหวต');
  // The host's own texts stay on top in every language, until it gives others.
  await expect(root.locator('.hd-poll .hd-hint')).toHaveCount(0); // voted: no hint to tap
  expect(await page.evaluate(() => room.setLocale('zh-CN', { strings: { poll: '人气投票' } }))).toEqual({ ok: true });
  await expect(badge).toHaveText('人气投票');
  // A malformed tag or an unknown key is refused and changes nothing.
  const refused = await page.evaluate(async () => [await room.setLocale('not a tag!'), await room.setLocale('en', { strings: { no_such_key: 'x' } })]);
  expect(refused.map((r) => [r.ok, r.error.code])).toEqual([[false, 'invalid_field'], [false, 'invalid_field']]);
  await expect(badge).toHaveText('人气投票');
  // Other texts of the host's replace them; none, the language's own.
  expect(await page.evaluate(() => room.setLocale('th', { strings: {} }))).toEqual({ ok: true });
  await expect(badge).toHaveText('โหวต');
  expect(requests.filter((p) => p.startsWith('/dist/locales/'))).toEqual(['/dist/locales/th.json']);
  await page.evaluate(() => room.destroy());
  expect(await page.evaluate(() => room.setLocale('en').then((r) => r.error.code))).toBe('not_open');
  expect(errors).toEqual([]);
});

test('a language pack that cannot load leaves the built-in texts and says so', async ({ page }) => {
  const { errors } = await open(page, 'i18n.html');
  await page.evaluate(async () => {
    window.seen = [];
    window.room = await Hudong.createRoom({ roomId: 'no-pack', mount: '#overlay', locale: 'th', localesUrl: '/nowhere/', persist: false });
    room.on('error', (e) => seen.push(e));
    room.apply({ type: 'likes.open', widget_id: 'l' });
  });
  // The likes view is its own chunk: wait until it is on screen and the failed pack has been reported.
  await page.waitForFunction(() => window.seen.length > 0 && document.querySelector('#overlay').shadowRoot.querySelector('.hd-like'));
  const result = await page.evaluate(() => {
    const root = document.querySelector('#overlay').shadowRoot;
    const out = { seen: window.seen, lang: root.querySelector('.hd-overlay').lang, like: root.querySelector('.hd-like').getAttribute('aria-label') };
    room.destroy();
    return out;
  });
  expect(result.seen).toEqual([expect.objectContaining({ type: 'error', code: 'locale_unavailable', message: expect.stringContaining('/nowhere/th.json') })]);
  expect(result.lang).toBe('th'); // numbers and dates still Thai
  expect(result.like).toMatch(/^Like \(/); // English words, not Chinese, for a Thai viewer
  expect(errors.filter((e) => !e.startsWith('404 ') && !e.startsWith('Failed to load resource'))).toEqual([]);
});

test('the host replaces any text by key; unknown keys and malformed locales are TypeErrors', async ({ page }) => {
  const { errors } = await open(page, 'i18n.html');
  const result = await page.evaluate(async () => {
    const room = await Hudong.createRoom({ roomId: 'own-words', userId: 'u-1', mount: '#overlay', strings: { poll: '人气投票', tap_to_vote: '点一下就投' }, persist: false });
    await room.prefetch(['poll']);
    room.apply({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const root = document.querySelector('#overlay').shadowRoot;
    const shown = [root.querySelector('.hd-poll .hd-badge').textContent, root.querySelector('.hd-poll .hd-hint').textContent];
    room.destroy();
    const refused = async (options) => {
      try {
        await Hudong.createRoom({ roomId: 'bad', mount: '#overlay', persist: false, ...options });
        return 'created';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    return {
      shown,
      unknown: await refused({ strings: { pol: 'x' } }),
      notText: await refused({ strings: { poll: 42 } }),
      locale: await refused({ locale: 'zh CN' }),
      left: document.querySelector('#overlay').shadowRoot.querySelectorAll('.hd-root').length,
      keys: Hudong.stringKeys(),
    };
  });
  expect(result.shown).toEqual(['人气投票', '点一下就投']);
  expect(result.unknown).toMatch(/^TypeError: .*strings\.pol is not one of Hudong's strings/);
  expect(result.notText).toMatch(/^TypeError: invalid room options/);
  expect(result.locale).toMatch(/^TypeError: .*locale "zh CN" is not a language tag/);
  expect(result.left).toBe(0); // a refused room leaves nothing behind
  // The published types list exactly the keys the SDK accepts.
  const dts = readFileSync(join(repo, 'dist', 'index.d.ts'), 'utf8');
  const typed = [...dts.match(/export type HudongStringKey =([^;]*);/)[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
  expect(typed).toEqual(result.keys);
  // 191, and the singular of the four nouns that follow a count (vote, unit, point, winner).
  expect(result.keys).toHaveLength(195);
  expect(result.keys).toEqual(expect.arrayContaining(['vote', 'votes', 'unit', 'units', 'point', 'points', 'winner_count', 'winners_count']));
  expect(errors).toEqual([]);
});

test('GA4: Hudong events reach the data layer or gtag as recommended or hudong_ events, once each', async ({ page }) => {
  const { errors } = await open(page, 'i18n.html');
  const got = await page.evaluate(async () => {
    const { connectGa4 } = await import('/dist/analytics.js');
    window.dataLayer = [];
    const calls = [];
    const room = await Hudong.createRoom({ roomId: 'ga4-room', userId: 'viewer-42', mount: '#overlay', locale: 'en', persist: false });
    const stopLayer = connectGa4(room);
    const stopGtag = connectGa4(room, { gtag: (...args) => calls.push(args), filter: (e) => e.type !== 'widget.shown' });
    room.apply({ type: 'products.open', widget_id: 'shelf' });
    room.apply({ type: 'product.present', widget_id: 'shelf', product: { sku: 'LIP-1', name: 'Velvet tint', price: 8900, currency: 'CNY' } });
    room.act({ type: 'product.add_to_cart', widget_id: 'shelf', sku: 'LIP-1' });
    room.apply({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    room.vote('p', 'b');
    room.apply({ type: 'poll.tally', widget_id: 'p', counts: 'bad' }); // an error: never sent to GA4
    stopLayer();
    stopGtag();
    room.vote('p', 'a'); // after disconnecting: not sent
    room.destroy();
    return { layer: window.dataLayer, calls };
  });
  const events = got.layer.filter((e) => e.event);
  expect(events.map((e) => e.event)).toEqual(['hudong_widget_shown', 'view_item', 'add_to_cart', 'hudong_widget_shown', 'hudong_poll_vote']);
  const cart = events[2];
  expect(cart.ecommerce).toEqual({ currency: 'CNY', value: 89, items: [{ item_id: 'LIP-1', price: 89, quantity: 1 }] });
  expect(got.layer[got.layer.indexOf(cart) - 1]).toEqual({ ecommerce: null }); // GTM: clear the last ecommerce object first
  expect(events[4]).toEqual(expect.objectContaining({ room_id: 'ga4-room', widget_id: 'p', widget_kind: 'poll', option_ids: 'b', revote: false }));
  for (const e of events) expect(e.hudong_event_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(new Set(events.map((e) => e.hudong_event_id)).size).toBe(events.length); // once each
  expect(JSON.stringify(got.layer)).not.toContain('viewer-42'); // no personal fields
  // gtag gets the same events, filtered, with items in the parameters.
  expect(got.calls.map(([cmd, name]) => `${cmd}:${name}`)).toEqual(['event:view_item', 'event:add_to_cart', 'event:hudong_poll_vote']);
  expect(got.calls[1][2]).toEqual(expect.objectContaining({ currency: 'CNY', value: 89, items: [{ item_id: 'LIP-1', price: 89, quantity: 1 }] }));
  expect(errors).toEqual([]);
});

test('GA4: prices convert with the SDK\'s own minor units, for every currency the browser knows', async ({ page }) => {
  await open(page, 'i18n.html');
  const mismatches = await page.evaluate(async () => {
    const analytics = await import('/dist/analytics.js');
    const codes = Intl.supportedValuesOf('currency');
    return {
      count: codes.length,
      differ: codes.filter((c) => analytics.minorDigits(c) !== Hudong.minorDigits(c)),
      // Not events of the show: never sent.
      local: [analytics.ga4Event({ type: 'channel.state', state: 'live' }), analytics.ga4Event({ type: 'error', code: 'x', message: 'y' })],
    };
  });
  expect(mismatches.local).toEqual([null, null]);
  expect(mismatches.count).toBeGreaterThan(100);
  expect(mismatches.differ).toEqual([]);
});
