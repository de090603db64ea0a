// Mounts and destroys rooms with every widget, so the bench can see what is left behind.
import init from '/dist/hudong_wasm.js';
import { createRoom } from '/dist/index.js';

const now = Date.now();
const GROUPS = [
  [
    { type: 'poll.open', widget_id: 'poll', question: 'Which one?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], closes_at: now + 600_000 },
    { type: 'quiz.open', widget_id: 'quiz', title: 'Quiz' },
    { type: 'flash.open', widget_id: 'flash', product: { name: 'Lip tint', price: 4900, original_price: 8900 }, stock_total: 100, starts_at: now - 1000, ends_at: now + 600_000 },
    { type: 'redeem.open', widget_id: 'shop', title: 'Points shop', tiers: [{ id: 'new', name: 'New' }], items: [{ item_id: 'c', name: 'Coupon', cost: 100, stock: 50, per_viewer_limit: 2 }] },
    { type: 'lottery.open', widget_id: 'bag', prize: { name: 'Lucky bag', count: 3 }, condition: 'none', draw_at: now + 600_000 },
    { type: 'lead.open', widget_id: 'lead', target: 'wecom_group', title: 'Join the fan group', url: 'https://work.weixin.qq.com/gm/abc', purpose: 'Send you member offers' },
  ],
  [
    { type: 'likes.open', widget_id: 'likes', goal: { target: 1000, reward: 'A red packet' } },
    { type: 'products.open', widget_id: 'shelf' },
    { type: 'product.present', widget_id: 'shelf', product: { sku: 'S1', name: 'Serum', price: 9900, stock_left: 5 } },
    { type: 'coupon.open', widget_id: 'coupon', kind: 'coupon', name: '20 off 100', value: 2000, threshold: 10000, quantity: 100, ends_at: now + 600_000, valid_ms: 86_400_000, gate: 'none' },
    { type: 'questions.open', widget_id: 'qs' },
    { type: 'tasks.open', widget_id: 'tasks', tasks: [{ task_id: 'watch', kind: 'watch', target: 60, reward: '10 points' }] },
  ],
  [{ type: 'tryon.open', widget_id: 'ar', product: { name: 'Sunglasses', sku: 'SUN-1', image: '/sun.svg', anchor: { x: 0.5, y: 0.3 } } }],
];
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const exportsP = init();
const mount = document.querySelector('#overlay');


async function cycle(i) {
  const room = await createRoom({ roomId: `churn-${i}`, userId: 'viewer-1', mount, locale: 'en', persist: false });
  // Every view's code is fetched on the first cycle and kept for the page's life; the churn
  // measures what rooms leave behind, not the first download.
  if (!(await room.prefetch())) throw new Error('the views could not be fetched');
  room.apply({ type: 'room.layout', max_cards: 6 });
  for (const group of GROUPS) {
    for (const cmd of group) {
      const r = room.apply(cmd);
      if (!r.ok) throw new Error(`${cmd.type}: ${r.error.message}`);
    }
    await frame();
    await frame();
    const shown = mount.shadowRoot.querySelectorAll('[data-widget-id]').length;
    if (shown < group.filter((c) => c.type.endsWith('.open')).length) throw new Error(`only ${shown} widgets painted`);
    for (const cmd of group) if (cmd.type.endsWith('.open')) room.apply({ type: 'widget.remove', widget_id: cmd.widget_id });
  }
  room.destroy();
}

window.churn = async (cycles) => {
  for (let i = 0; i < cycles; i++) await cycle(i);
  await frame();
  const wasm = await exportsP;
  return { wasmBytes: wasm.memory.buffer.byteLength, nodes: mount.shadowRoot ? mount.shadowRoot.querySelectorAll('*').length : 0, ...probe.count() };
};
document.body.dataset.ready = 'true';
