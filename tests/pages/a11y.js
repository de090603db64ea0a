// Every widget in the states a viewer meets, one scenario at a time, for the axe checks.
import { createRoom, load } from '/dist/index.js';

const now = () => Date.now();
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
// A flash sale's product has no SKU of its own (the host's checkout knows it).
const flashProduct = { name: 'Velvet tint F1', price: 8900, original_price: 12900, currency: 'CNY' };
const product = (sku, price) => ({ sku, name: `Velvet tint ${sku}`, price, original_price: price + 4000, currency: 'CNY' });

let room = null;
const events = [];
// Everything that crossed the API, for the check that the published types describe it.
const seen = { commands: [], actions: [], events: [], widgets: [], snapshots: [] };

async function fresh(locale, theme, layout) {
  room?.destroy();
  events.length = 0;
  room = await createRoom({ roomId: 'a11y', userId: 'u-1', mount: '#overlay', locale, theme, persist: false });
  // Every view's code first: the scenarios check the markup as soon as a widget opens.
  if (!(await room.prefetch())) throw new Error('the widgets\' code did not arrive');
  room.on('*', (e) => {
    events.push(e);
    if (e.type !== 'channel.state' && e.type !== 'error') seen.events.push(e);
  });
  const { apply, act } = room;
  room.apply = (c) => (seen.commands.push(c), apply.call(room, c));
  room.act = (a) => (seen.actions.push(a), act.call(room, a));
  // Every card expanded for the markup checks; `layout: null` keeps the SDK's default.
  if (layout) room.apply({ type: 'room.layout', ...layout });
  return room;
}
const last = (type) => [...events].reverse().find((e) => e.type === type);
const must = (result) => {
  if (result?.ok === false) throw new Error(`${result.error.code}: ${result.error.message}`);
};

const SCENARIOS = {
  // First sight: three cards open.
  'poll, quiz question, flash preview': (r) => {
    must(r.apply({ type: 'poll.open', widget_id: 'poll', question: 'Which shade suits the host?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }, { id: 'c', label: 'Coral' }], closes_at: now() + 60_000 }));
    must(r.apply({ type: 'quiz.open', widget_id: 'quiz', title: 'Lip quiz' }));
    must(r.apply({ type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: 'What goes on first?', options: [{ id: 'a', label: 'Liner' }, { id: 'b', label: 'Balm' }], closes_at: now() + 20_000 }));
    must(r.apply({ type: 'flash.open', widget_id: 'flash', product: flashProduct, stock_total: 10, starts_at: now() + 60_000, ends_at: now() + 120_000 }));
  },
  'redeem with an account, lottery, coupon': (r) => {
    must(r.apply({ type: 'redeem.open', widget_id: 'shop', title: 'Points shop', tiers: [{ id: 'new', name: 'Newcomer' }, { id: 'pro', name: 'Pro' }], items: [{ item_id: 'c', name: 'Coupon', cost: 100, stock: 5 }, { item_id: 'g', name: 'Gift box', cost: 50, stock: 5, tier: 'pro' }, { item_id: 'big', name: 'Big prize', cost: 900, stock: 1 }] }));
    must(r.apply({ type: 'redeem.account', widget_id: 'shop', user_id: 'u-1', balance: 250, tier: 'new' }));
    must(r.apply({ type: 'lottery.open', widget_id: 'bag', prize: { name: 'Lip gloss', count: 3 }, condition: 'keyword', keyword: 'I want it', draw_at: now() + 60_000 }));
    must(r.apply({ type: 'coupon.open', widget_id: 'cp', kind: 'coupon', name: '20 off 99', value: 2000, threshold: 9900, quantity: 100, ends_at: now() + 60_000, valid_ms: 604_800_000 }));
  },
  'lead, products, questions': (r) => {
    must(r.apply({ type: 'lead.open', widget_id: 'lead', target: 'wecom_group', title: 'Join the fan group', perk: 'A coupon for joining', perk_until: now() + 30_000, url: 'https://work.weixin.qq.com/gm/abc', code: 'fans-01', purpose: 'Show reminders and fan offers' }));
    must(r.apply({ type: 'products.open', widget_id: 'shelf' }));
    must(r.apply({ type: 'product.present', widget_id: 'shelf', product: { ...product('P1', 8900), stock_left: 3 } }));
    must(r.apply({ type: 'questions.open', widget_id: 'ask' }));
  },
  'tasks, likes, try-on': (r) => {
    must(r.apply({ type: 'tasks.open', widget_id: 'tasks', tasks: [{ task_id: 'w', kind: 'watch', target: 5, reward: '10 points' }, { task_id: 'l', kind: 'like', target: 20, reward: '5 points' }, { task_id: 's', kind: 'share', target: 1, reward: 'A coupon' }] }));
    must(r.apply({ type: 'likes.open', widget_id: 'likes', goal: { target: 20_000, reward: 'A coupon' } }));
    must(r.apply({ type: 'tryon.open', widget_id: 'ar', product: { name: 'Gold sunglasses', sku: 'SUN-1', image: '/sunglasses.svg', price: 12900 } }));
  },
  // After the viewer acted, and the results.
  'poll voted then revealed, quiz answered, flash live': (r) => {
    must(r.apply({ type: 'poll.open', widget_id: 'poll', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] }));
    must(r.vote('poll', 'b'));
    must(r.apply({ type: 'poll.tally', widget_id: 'poll', counts: { a: 1200, b: 3400 } }));
    must(r.apply({ type: 'poll.reveal', widget_id: 'poll' }));
    must(r.apply({ type: 'quiz.open', widget_id: 'quiz', title: 'Lip quiz' }));
    must(r.apply({ type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: 'What goes on first?', options: [{ id: 'a', label: 'Liner' }, { id: 'b', label: 'Balm' }], closes_at: now() + 20_000 }));
    must(r.act({ type: 'quiz.answer', widget_id: 'quiz', question_id: 'q1', option_id: 'a' }));
    must(r.apply({ type: 'flash.open', widget_id: 'flash', product: flashProduct, stock_total: 10, starts_at: now() - 1_000, ends_at: now() + 60_000 }));
  },
  'quiz revealed, flash won, lottery entered': (r) => {
    must(r.apply({ type: 'quiz.open', widget_id: 'quiz', title: 'Lip quiz' }));
    must(r.apply({ type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: 'What goes on first?', options: [{ id: 'a', label: 'Liner' }, { id: 'b', label: 'Balm' }], closes_at: now() + 20_000 }));
    must(r.act({ type: 'quiz.answer', widget_id: 'quiz', question_id: 'q1', option_id: 'a' }));
    must(r.apply({ type: 'quiz.close', widget_id: 'quiz', question_id: 'q1' }));
    must(r.apply({ type: 'quiz.reveal', widget_id: 'quiz', question_id: 'q1', correct: ['a'] }));
    must(r.apply({ type: 'flash.open', widget_id: 'flash', product: flashProduct, stock_total: 10, starts_at: now() - 1_000, ends_at: now() + 60_000 }));
    must(r.act({ type: 'flash.grab', widget_id: 'flash' }));
    must(r.apply({ type: 'flash.result', widget_id: 'flash', request_id: last('flash.grab').request_id, outcome: 'success', order_ref: 'ORD-1' }));
    must(r.apply({ type: 'lottery.open', widget_id: 'bag', prize: { name: 'Lip gloss', count: 3 }, condition: 'none', draw_at: now() + 60_000 }));
    must(r.act({ type: 'lottery.enter', widget_id: 'bag' }));
    must(r.apply({ type: 'lottery.entry', widget_id: 'bag', request_id: last('lottery.enter').request_id, outcome: 'entered' }));
  },
  'redeem asking to confirm': async (r) => {
    SCENARIOS['redeem with an account, lottery, coupon'](r);
    await frames();
    const redeem = [...document.querySelector('#overlay').shadowRoot.querySelectorAll('.hd-redeem li button')].find((b) => !b.disabled);
    redeem.click();
  },
  // The one modal: try-on explaining the camera, alone on screen.
  'try-on asking for the camera': (r) => {
    SCENARIOS['tasks, likes, try-on'](r);
    must(r.act({ type: 'tryon.start', widget_id: 'ar' }));
  },
};

// Each widget alone, in the state a viewer first meets it (and a few later ones).
const ALONE = {
  'poll with four options': (r) => must(r.apply({ type: 'poll.open', widget_id: 'poll', question: 'Which shade suits the host?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }, { id: 'c', label: 'Coral' }, { id: 'd', label: 'Nude' }], closes_at: now() + 60_000 })),
  'poll revealed': (r) => {
    must(r.apply({ type: 'poll.open', widget_id: 'poll', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }, { id: 'c', label: 'Coral' }] }));
    must(r.vote('poll', 'b'));
    must(r.apply({ type: 'poll.tally', widget_id: 'poll', counts: { a: 1200, b: 3400, c: 800 } }));
    must(r.apply({ type: 'poll.reveal', widget_id: 'poll' }));
  },
  'quiz question': (r) => {
    must(r.apply({ type: 'quiz.open', widget_id: 'quiz', title: 'Lip quiz' }));
    must(r.apply({ type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: 'What goes on first?', options: [{ id: 'a', label: 'Liner' }, { id: 'b', label: 'Balm' }, { id: 'c', label: 'Gloss' }], closes_at: now() + 20_000 }));
  },
  'flash sale live': (r) => must(r.apply({ type: 'flash.open', widget_id: 'flash', product: flashProduct, stock_total: 10, starts_at: now() - 1_000, ends_at: now() + 60_000 })),
  'flash sale won': (r) => {
    must(r.apply({ type: 'flash.open', widget_id: 'flash', product: flashProduct, stock_total: 10, starts_at: now() - 1_000, ends_at: now() + 60_000 }));
    must(r.act({ type: 'flash.grab', widget_id: 'flash' }));
    must(r.apply({ type: 'flash.result', widget_id: 'flash', request_id: last('flash.grab').request_id, outcome: 'success', order_ref: 'ORD-1' }));
  },
  'points shop': (r) => {
    must(r.apply({ type: 'redeem.open', widget_id: 'shop', title: 'Points shop', items: [{ item_id: 'c', name: 'Coupon', cost: 100, stock: 5 }, { item_id: 'g', name: 'Gift box', cost: 50, stock: 5 }, { item_id: 'big', name: 'Big prize', cost: 900, stock: 1 }] }));
    must(r.apply({ type: 'redeem.account', widget_id: 'shop', user_id: 'u-1', balance: 250 }));
  },
  'lucky bag': (r) => must(r.apply({ type: 'lottery.open', widget_id: 'bag', prize: { name: 'Lip gloss', count: 3 }, condition: 'keyword', keyword: 'I want it', draw_at: now() + 60_000 })),
  coupon: (r) => must(r.apply({ type: 'coupon.open', widget_id: 'cp', kind: 'coupon', name: '20 off 99', value: 2000, threshold: 9900, quantity: 100, ends_at: now() + 60_000, valid_ms: 604_800_000 })),
  'red packet': (r) => must(r.apply({ type: 'coupon.open', widget_id: 'rp', kind: 'red_packet', name: 'Host red packet', value: 888, quantity: 100, ends_at: now() + 60_000, valid_ms: 86_400_000 })),
  'fan group card': (r) => must(r.apply({ type: 'lead.open', widget_id: 'lead', target: 'wecom_group', title: 'Join the fan group', perk: 'A coupon for joining', perk_until: now() + 30_000, url: 'https://work.weixin.qq.com/gm/abc', code: 'fans-01', purpose: 'Show reminders and fan offers' })),
  'product card': (r) => {
    must(r.apply({ type: 'products.open', widget_id: 'shelf' }));
    must(r.apply({ type: 'product.present', widget_id: 'shelf', product: { ...product('P1', 8900), stock_left: 3 } }));
  },
  'question queue': (r) => must(r.apply({ type: 'questions.open', widget_id: 'ask' })),
  tasks: (r) => must(r.apply({ type: 'tasks.open', widget_id: 'tasks', tasks: [{ task_id: 'w', kind: 'watch', target: 5, reward: '10 points' }, { task_id: 'l', kind: 'like', target: 20, reward: '5 points' }, { task_id: 's', kind: 'share', target: 1, reward: 'A coupon' }] })),
  likes: (r) => must(r.apply({ type: 'likes.open', widget_id: 'likes', goal: { target: 20_000, reward: 'A coupon' } })),
  'try-on offer': (r) => must(r.apply({ type: 'tryon.open', widget_id: 'ar', product: { name: 'Gold sunglasses', sku: 'SUN-1', image: '/sunglasses.svg', price: 12900 } })),
};

window.a11y = {
  names: Object.keys(SCENARIOS),
  alone: Object.keys(ALONE),
  get room() { return room; },
  seen,
  async run(name, { locale = 'en', theme = 'light', layout = { max_cards: 3 } } = {}) {
    const r = await fresh(locale, theme, layout);
    await (SCENARIOS[name] ?? ALONE[name])(r);
    await frames();
    seen.widgets.push(...room.widgets);
    seen.snapshots.push(room.snapshot());
    // Measure and check the overlay as styled: wait for its stylesheet.
    const overlay = () => document.querySelector('#overlay').shadowRoot.querySelector('.hd-overlay');
    for (let i = 0; i < 100 && getComputedStyle(overlay()).position !== 'absolute'; i++) await new Promise((res) => setTimeout(res, 20));
    // And until the cards have arrived (their entrance animations end; a countdown's pulse runs on).
    const root = document.querySelector('#overlay').shadowRoot;
    await Promise.all(root.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => {})));
    return events.filter((e) => e.type === 'error').map((e) => `${e.code}: ${e.message}`);
  },
};
await load();
document.body.dataset.ready = 'true';
