// A viewer going through point-redeem and the AR try-on in the demo sandbox, against the
// reference backend and Chromium's synthetic camera.
import { test, expect } from '@playwright/test';

async function openDemo(page) {
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`/?room=e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const log = (page, type) => page.locator(`#log li[data-type="${type}"]`);

test.describe('point redeem', () => {
  test.beforeEach(async ({ page }) => openDemo(page));
  // The slow network is the backend's, for every room: back to normal after each test.
  test.afterEach(async ({ request }) => {
    await request.post('/collect/faults', { data: { delay_ms: 0 } });
  });

  test('points arrive with their reason; confirm → pending → voucher; history', async ({ page }) => {
    await page.getByRole('button', { name: 'Open catalog' }).click();
    const card = page.locator('#overlay section.hd-redeem');
    const balance = card.locator('.hd-balance-n');
    await expect(balance).toHaveText('260');
    await expect(card.locator('.hd-points .hd-tier')).toHaveText('新手');

    await page.getByRole('button', { name: '+10 watched 5 min' }).click();
    await expect(balance).toHaveText('270');
    await expect(card.locator('.hd-gain')).toHaveText('+10 看播5分钟');
    await expect(log(page, 'redeem.points')).toContainText('"reason":"看播5分钟"');

    // Tier too low: the viewer sees why, and cannot send a request the server would refuse.
    const gift = card.locator('li[data-item-id="giftbox"]');
    await expect(gift.getByRole('button', { name: '兑换' })).toBeDisabled();
    await expect(gift).toContainText('等级不足');

    const coupon = card.locator('li[data-item-id="coupon"]');
    await coupon.getByRole('button', { name: '兑换' }).click();
    // The confirm step: nothing is sent until the viewer confirms.
    await expect(log(page, 'redeem.request')).toHaveCount(0);
    await coupon.getByRole('button', { name: '确认兑换' }).click();
    await expect(log(page, 'redeem.request')).toHaveCount(1);
    await expect(log(page, 'redeem.request')).toContainText('"item_id":"coupon","cost":100');
    await expect(balance).toHaveText('170');

    await expect(log(page, 'redeem.result')).toContainText('"outcome":"success"');
    await expect(card.locator('.hd-status')).toContainText(/兑换成功，券码 V-\d{6}/);
    await expect(balance).toHaveText('170');
    await expect(coupon).toContainText('剩余 29');
    await card.locator('.hd-history summary').click();
    await expect(card.locator('.hd-history li')).toHaveCount(1);
    await expect(card.locator('.hd-history li')).toContainText(/V-\d{6}/);
  });

  test('a phone on viewer.html gets the starting balance, redeems, and the server keeps its own account', async ({ page, browser }) => {
    const room = new URL(page.url()).searchParams.get('room');
    const phone = await browser.newPage();
    phone.on('pageerror', (err) => {
      throw err;
    });
    await phone.goto(`/viewer.html?room=${room}&lang=zh-CN`);
    await expect(phone.locator('body')).toHaveAttribute('data-ready', 'true');
    await page.getByRole('button', { name: 'Open catalog' }).click();
    const card = phone.locator('#overlay section.hd-redeem');
    await expect(card.locator('.hd-balance-n')).toHaveText('260');
    const coupon = card.locator('li[data-item-id="coupon"]');
    await coupon.getByRole('button', { name: '兑换' }).click();
    await coupon.getByRole('button', { name: '确认兑换' }).click();
    await expect(card.locator('.hd-status')).toContainText(/兑换成功，券码 V-\d{6}/);
    await expect(card.locator('.hd-balance-n')).toHaveText('160');
    // The console's own phone still starts from 260: each viewer has an account of their own.
    await expect(page.locator('#overlay section.hd-redeem .hd-balance-n')).toHaveText('260');
    await phone.close();
  });

  test('a failure the server decides rolls the optimistic balance back exactly', async ({ page }) => {
    await page.getByLabel("Viewer's points").fill('300');
    await page.getByLabel('Slow network to the backend (events arrive 3 s late)').check();
    await page.getByRole('button', { name: 'Open catalog' }).click();
    const card = page.locator('#overlay section.hd-redeem');
    const balance = card.locator('.hd-balance-n');
    await expect(balance).toHaveText('300');

    const lip = card.locator('li[data-item-id="lipstick"]');
    await lip.getByRole('button', { name: '兑换' }).click();
    await lip.getByRole('button', { name: '确认兑换' }).click();
    await expect(balance).toHaveText('100'); // optimistic during pending
    await expect(card).toHaveAttribute('data-pending', 'true');
    await expect(lip.getByRole('button', { name: '兑换中…' })).toBeDisabled();
    // Other buttons are held too: a double tap cannot start a second request.
    await expect(card.locator('li[data-item-id="coupon"]').getByRole('button', { name: '兑换' })).toBeDisabled();

    // Meanwhile the last lipstick goes to someone else, and points arrive.
    await page.getByRole('button', { name: 'Others take the last lipstick' }).click();
    await page.getByRole('button', { name: '+30 shared' }).click();
    await expect(balance).toHaveText('130');

    await expect(log(page, 'redeem.result')).toContainText('"outcome":"out_of_stock"', { timeout: 8_000 });
    await expect(balance).toHaveText('330'); // 300 + 30: the hold released, nothing taken
    await expect(card).toHaveAttribute('data-pending', 'false');
    await expect(card.locator('.hd-status')).toHaveText('已兑完');
    await expect(lip).toContainText('剩余 0');
    await expect(card.locator('.hd-history')).toHaveCount(0);
  });
});

test.describe('AR try-on', () => {
  /** The <video> and the product inside the overlay's shadow root. */
  const stage = (page) => page.locator('#overlay section.hd-tryon');

  test('camera only after a tap, tracker follows and loses, snapshot, cart, camera released on close', async ({ browser }) => {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    await openDemo(page);
    await page.getByRole('button', { name: 'Open try-on' }).click();
    const card = stage(page);
    await expect(card).toHaveAttribute('data-phase', 'idle');
    await card.getByRole('button', { name: '试穿 / 试色' }).click();
    await expect(card).toHaveAttribute('data-phase', 'explain');
    await expect(card).toContainText('画面只在本机处理');
    await expect(log(page, 'tryon.opened')).toHaveCount(1);
    // No camera yet: the explanation comes first.
    expect(await card.locator('video').evaluate((v) => v.srcObject)).toBeNull();

    await card.getByRole('button', { name: '开启摄像头' }).click();
    await expect(card).toHaveAttribute('data-phase', 'live_camera');
    await expect(log(page, 'tryon.permission')).toContainText('"result":"granted"');
    await expect.poll(() => card.locator('video').evaluate((v) => v.readyState >= 2 && v.videoWidth)).toBe(640);

    // The demo tracker attaches to the video and moves the product.
    await expect(card).toHaveAttribute('data-tracker', 'attached');
    await expect(log(page, 'tryon.tracker')).toContainText('"state":"attached"');
    expect(await page.evaluate(() => window.hudongTracker.source?.tagName)).toBe('VIDEO');
    const product = card.locator('img.hd-ar-product');
    const p1 = await product.getAttribute('data-pose');
    await expect.poll(() => product.getAttribute('data-pose')).not.toBe(p1);

    // Lost, then found.
    await page.getByLabel('The tracker loses the face').check();
    await expect(card).toHaveAttribute('data-tracker', 'lost');
    await expect(card).toContainText('没有找到脸部');
    await page.getByLabel('The tracker loses the face').uncheck();
    await expect(card).toHaveAttribute('data-tracker', 'found');
    await expect(log(page, 'tryon.tracker')).toHaveCount(3);

    // The tracker runs at most once per new video frame, capped at 30 a second.
    const calls0 = await page.evaluate(() => window.hudongTracker.calls);
    await page.waitForTimeout(1000);
    const perSecond = (await page.evaluate(() => window.hudongTracker.calls)) - calls0;
    expect(perSecond).toBeGreaterThan(0); // it runs; how often depends on the frames a busy machine draws
    expect(perSecond).toBeLessThanOrEqual(32);

    await card.getByRole('button', { name: '拍照' }).click();
    await expect(log(page, 'tryon.snapshot')).toContainText('"source":"camera"');
    await expect(log(page, 'host.snapshot')).toContainText('"mime":"image/jpeg"');
    await expect(card.locator('figure.hd-shot img')).toBeVisible();
    const bytes = JSON.parse((await log(page, 'host.snapshot').locator('.meta').textContent()) ?? '{}').bytes;
    expect(bytes).toBeGreaterThan(2000);

    await card.getByRole('button', { name: '加入购物车' }).click();
    await expect(log(page, 'tryon.add_to_cart')).toContainText('"sku":"SUN-GOLD-01"');

    // Close: the camera's tracks end and the session reports its duration.
    await card.locator('video').evaluate((v) => (window.__stream = v.srcObject));
    await card.getByRole('button', { name: '关闭' }).click();
    await expect(card).toHaveAttribute('data-phase', 'idle');
    expect(await page.evaluate(() => window.__stream.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    expect(await page.evaluate(() => window.hudongTracker.disposed)).toBe(true);
    const closed = JSON.parse((await log(page, 'tryon.closed').locator('.meta').textContent()) ?? '{}');
    expect(closed.duration_ms).toBeGreaterThan(1000);
    expect(closed.snapshots).toBe(1);
    expect(closed.source).toBe('camera');
    await context.close();
  });

  test('removing the widget or hiding the page releases the camera', async ({ browser }) => {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    await openDemo(page);
    await page.getByRole('button', { name: 'Open try-on' }).click();
    const card = stage(page);
    await card.getByRole('button', { name: '试穿 / 试色' }).click();
    await card.getByRole('button', { name: '开启摄像头' }).click();
    await expect(card).toHaveAttribute('data-phase', 'live_camera');
    await expect.poll(() => card.locator('video').evaluate((v) => v.readyState >= 2)).toBe(true);
    await card.locator('video').evaluate((v) => (window.__stream = v.srcObject));

    // The page goes to the background. Headless Chromium never hides a page (another tab
    // in front or a minimised window leave it "visible": w3c/webdriver#1718,
    // microsoft/playwright#2286), so the browser's signal is given by hand; the camera it
    // releases is the real one.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect(card).toHaveAttribute('data-phase', 'paused');
    await expect(card).toContainText('摄像头已关闭');
    expect(await page.evaluate(() => window.__stream.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    await page.evaluate(() => {
      delete document.hidden;
      delete document.visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await card.getByRole('button', { name: '继续试穿' }).click();
    await expect(card).toHaveAttribute('data-phase', 'live_camera');
    await expect.poll(() => card.locator('video').evaluate((v) => v.readyState >= 2)).toBe(true);
    await card.locator('video').evaluate((v) => (window.__stream = v.srcObject));

    await page.locator('#tryon-remove').click();
    await expect(card).toHaveCount(0);
    expect(await page.evaluate(() => window.__stream.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    await expect(log(page, 'tryon.closed')).toHaveCount(1);
    await context.close();
  });

  test('camera refused: a clear message, then a photo, placed by drag and keyboard', async ({ browser }) => {
    const context = await browser.newContext(); // no camera permission: Chromium refuses
    const page = await context.newPage();
    await openDemo(page);
    await page.getByLabel('Use the demo tracker').uncheck();
    await page.getByRole('button', { name: 'Open try-on' }).click();
    const card = stage(page);
    await card.getByRole('button', { name: '试穿 / 试色' }).click();
    await card.getByRole('button', { name: '开启摄像头' }).click();
    await expect(card).toHaveAttribute('data-phase', 'failed');
    await expect(card.getByRole('alert')).toHaveAttribute('data-result', 'denied');
    await expect(card.getByRole('alert')).toContainText('没有获得摄像头权限');
    await expect(log(page, 'tryon.permission')).toContainText('"result":"denied"');

    // A photo instead: a 320×400 picture made on the spot.
    const png = Buffer.from(
      (await page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = 320;
        c.height = 400;
        const g = c.getContext('2d');
        g.fillStyle = '#e8c4a8';
        g.fillRect(0, 0, 320, 400);
        return c.toDataURL('image/png');
      })).split(',')[1],
      'base64',
    );
    const chooser = page.waitForEvent('filechooser');
    await card.getByRole('button', { name: '用照片试穿' }).click();
    await (await chooser).setFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await expect(card).toHaveAttribute('data-phase', 'live_photo');
    await expect(log(page, 'tryon.photo')).toHaveCount(1);

    const product = card.locator('img.hd-ar-product');
    await expect(product).toBeVisible();
    await expect(product).toHaveAttribute('data-pose', '0.500,0.500,1.000,0.000');
    // Drag by a quarter of the stage's width to the right.
    const box = await card.locator('.hd-ar-stage').boundingBox();
    const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + box.width / 4, start.y, { steps: 5 });
    await page.mouse.up();
    await expect(product).toHaveAttribute('data-pose', /^0\.75\d,0\.500,1\.000,0\.000$/);
    // Keyboard: → moves, + enlarges.
    await product.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('+');
    await expect(product).toHaveAttribute('data-pose', /^0\.77\d,0\.500,1\.100,0\.000$/);
    const state = await page.evaluate(() => window.hudongRoom.widgets.find((w) => w.kind === 'try_on'));
    expect(state.pose.scale).toBeCloseTo(1.1, 5);

    await card.getByRole('button', { name: '拍照' }).click();
    await expect(log(page, 'tryon.snapshot')).toContainText('"source":"photo"');
    await context.close();
  });
});
