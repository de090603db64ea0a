// Two rooms with every widget, live command channels (WebSocket and SSE), event transports
// (WebSocket and HTTP), the clock sync, a tracker and the camera; then destroy().
import { createRoom, load } from '/dist/index.js';
import { scriptedTracker } from '/dist/testing.js';

const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = async (what, ok) => {
  for (let i = 0; i < 400; i++) {
    if (ok()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
};

function widgets(now) {
  return [
    { type: 'poll.open', widget_id: 'poll', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }], closes_at: now + 60_000 },
    { type: 'quiz.open', widget_id: 'quiz', title: 'Lip quiz' },
    { type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: 'First?', options: [{ id: 'a', label: 'Liner' }, { id: 'b', label: 'Balm' }], closes_at: now + 20_000 },
    { type: 'flash.open', widget_id: 'flash', product: { name: 'Tint', price: 8900 }, stock_total: 10, starts_at: now + 2_000, ends_at: now + 60_000 },
    { type: 'redeem.open', widget_id: 'shop', items: [{ item_id: 'c', name: 'Coupon', cost: 100, stock: 5 }] },
    { type: 'lottery.open', widget_id: 'bag', prize: { name: 'Gloss', count: 3 }, draw_at: now + 60_000 },
    { type: 'coupon.open', widget_id: 'cp', kind: 'coupon', name: '20 off', value: 2000, quantity: 100, ends_at: now + 60_000, valid_ms: 604_800_000 },
    { type: 'lead.open', widget_id: 'lead', target: 'wecom_group', title: 'Fan group', url: 'https://work.weixin.qq.com/gm/abc', purpose: 'Fan offers' },
    { type: 'products.open', widget_id: 'shelf' },
    { type: 'product.present', widget_id: 'shelf', product: { sku: 'P1', name: 'Serum', price: 8900 } },
    { type: 'questions.open', widget_id: 'ask' },
    { type: 'tasks.open', widget_id: 'tasks', tasks: [{ task_id: 'w', kind: 'watch', target: 5, reward: 'points' }] },
    { type: 'likes.open', widget_id: 'likes', goal: { target: 20_000, reward: 'A coupon' } },
    { type: 'tryon.open', widget_id: 'ar', product: { name: 'Sunglasses', sku: 'SUN-1', image: '/sunglasses.svg', price: 12900 } },
  ];
}

const errors = [];
window.hygiene = {
  mark: () => window.probe.mark(),
  async cycle(n) {
    const id = `hygiene-${n}-${Date.now()}`;
    const a = await createRoom({
      roomId: id, userId: 'u-1', mount: '#a', locale: 'en',
      commands: { type: 'websocket', url: `/rooms/${id}/ws?user=u-1` }, timeUrl: '/time',
      transport: { type: 'websocket', url: '/collect/ws' },
      tryOn: { tracker: scriptedTracker({ path: (ms) => ({ x: 0.5, y: 0.4 + ms / 1e6 }) }) },
    });
    const b = await createRoom({
      roomId: `${id}-b`, userId: 'u-2', mount: '#b', locale: 'zh-CN',
      commands: { type: 'sse', url: `/rooms/${id}-b/events?user=u-2`, snapshotUrl: `/rooms/${id}-b/snapshot?tail` },
      transport: { type: 'http', url: '/collect' },
    });
    a.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    try {
      await until('both channels live', () => a.channelState === 'live' && b.channelState === 'live');
      // The room's commands come from the hub, as in a live room (a command applied only
      // locally would be undone by the next snapshot the channel brings).
      for (const [room, rid] of [[a, id], [b, `${id}-b`]]) {
        for (const c of widgets(Date.now())) {
          const out = await (await fetch(`/rooms/${rid}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) })).json();
          if (!out.ok) throw new Error(`${c.type}: ${JSON.stringify(out.error)}`);
        }
        await until(`the widgets of ${rid}`, () => room.widgets.length === 12);
      }
      await frames();
      // Act in both, and take the camera in the first.
      for (const room of [a, b]) {
        room.vote('poll', 'a');
        room.act({ type: 'like.tap', widget_id: 'likes' });
      }
      a.act({ type: 'tryon.start', widget_id: 'ar' });
      a.act({ type: 'tryon.allow_camera', widget_id: 'ar' });
      try {
        await until('the camera', () => a.widgets.find((w) => w.kind === 'try_on')?.phase.phase === 'live');
      } catch (e) {
        throw new Error(`${e.message}: ${JSON.stringify(a.widgets.find((w) => w.kind === 'try_on'))} ${JSON.stringify(errors)}`);
      }
      await until('the tracker', () => a.widgets.find((w) => w.kind === 'try_on')?.tracker === 'attached');
      a.flush();
      b.flush();
      await sleep(300);
    } finally {
      a.destroy();
      b.destroy();
    }
  },
};
await load();
document.body.dataset.ready = 'true';
