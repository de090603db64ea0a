// Every widget opened with one hostile text in every field a command can fill, and the
// viewer's own question carrying it too; `window.hostile.show(text)` returns what the page
// made of it.
import { createRoom, load } from '/dist/index.js';

const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
let room = null;
const events = [];
// `?css=hostile`: the page's own aggressive global stylesheet.
if (new URLSearchParams(location.search).get('css') === 'hostile') {
  const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: 'hostile-css.css' });
  await new Promise((done) => {
    link.onload = done;
    document.head.append(link);
  });
}

function commands(t, now) {
  // Fields held to 20 or 40 characters get that much of the payload.
  const short = [...t].slice(0, 20).join('');
  const mid = [...t].slice(0, 40).join('');
  const product = (sku) => ({ sku, name: t, price: 8900, original_price: 12900, currency: 'CNY' });
  return [
    { type: 'room.layout', max_cards: 6 },
    { type: 'poll.open', widget_id: 'poll', question: t, options: [{ id: 'a', label: t }, { id: 'b', label: `${t} 2` }] },
    { type: 'quiz.open', widget_id: 'quiz', title: t },
    { type: 'quiz.question', widget_id: 'quiz', question_id: 'q1', text: t, options: [{ id: 'a', label: t }, { id: 'b', label: 'B' }], closes_at: now + 20_000 },
    { type: 'quiz.leaderboard', widget_id: 'quiz', top: [{ name: mid, score: 30 }] },
    { type: 'flash.open', widget_id: 'flash', product: { name: t, price: 8900, original_price: 12900 }, stock_total: 10, starts_at: now - 1_000, ends_at: now + 60_000 },
    { type: 'redeem.open', widget_id: 'shop', title: t, tiers: [{ id: 'new', name: short }], items: [{ item_id: 'c', name: t, cost: 100, stock: 5 }] },
    { type: 'redeem.account', widget_id: 'shop', user_id: 'u-1', balance: 250, tier: 'new' },
    { type: 'lottery.open', widget_id: 'bag', prize: { name: t, count: 3 }, condition: 'keyword', keyword: short, draw_at: now + 60_000 },
    { type: 'coupon.open', widget_id: 'cp', kind: 'coupon', name: mid, value: 2000, threshold: 9900, quantity: 100, ends_at: now + 60_000, valid_ms: 604_800_000 },
    { type: 'lead.open', widget_id: 'lead', target: 'wecom_group', title: mid, perk: mid, perk_until: now + 30_000, url: 'https://work.weixin.qq.com/gm/abc', code: 'fans-01', purpose: t },
    { type: 'products.open', widget_id: 'shelf' },
    { type: 'product.present', widget_id: 'shelf', product: product('P1') },
    { type: 'questions.open', widget_id: 'ask', prompt: t },
    { type: 'question.queue', widget_id: 'ask', items: [{ question_id: 'q8', text: t, votes: 4, state: 'queued' }], waiting: 3 },
    { type: 'tasks.open', widget_id: 'tasks', tasks: [{ task_id: 'w', kind: 'watch', target: 5, reward: mid }] },
    { type: 'likes.open', widget_id: 'likes', goal: { target: 20_000, reward: mid } },
    { type: 'tryon.open', widget_id: 'ar', product: { name: t, sku: 'SUN-1', image: '/sunglasses.svg', price: 12900 } },
  ];
}

window.hostile = {
  get room() {
    return room;
  },
  events,
  async show(text) {
    room?.destroy();
    room = await createRoom({ roomId: 'hostile', userId: 'u-1', mount: '#overlay', locale: 'en', persist: false });
    await room.prefetch(); // every widget is drawn in the next frames, not when its code arrives
    room.on('*', (e) => events.push(e.type));
    const refused = [];
    room.apply({ type: 'room.layout', max_cards: 6 }); // every card open, every field drawn
    for (const c of commands(text, Date.now())) {
      const r = room.apply(c);
      if (!r.ok) refused.push(`${c.type}: ${r.error.code} ${r.error.message}`);
    }
    const asked = room.act({ type: 'question.ask', widget_id: 'ask', text });
    if (!asked.ok) refused.push(`question.ask: ${asked.error.code}`);
    await frames();
    const root = document.querySelector('#overlay').shadowRoot;
    const all = [...root.querySelectorAll('*')];
    return {
      refused,
      widgets: room.widgets.length,
      // How often the text (its first 20 characters: some fields hold no more) shows up,
      // as text.
      shown: root.textContent.split([...text].slice(0, 20).join('')).length - 1,
      elements: all.reduce((n, e) => ({ ...n, [e.localName]: (n[e.localName] ?? 0) + 1 }), {}),
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName}[${a.name}]`)),
      urls: all.flatMap((e) => ['href', 'src', 'action', 'formaction', 'xlink:href'].map((n) => e.getAttribute(n)).filter((u) => u && /^\s*(javascript|data:text|vbscript)/i.test(u))),
    };
  },
  /** Opens a poll whose option shows `image`: the result of the command. */
  image(image) {
    room?.destroy();
    return createRoom({ roomId: 'hostile', mount: '#overlay', persist: false }).then((r) => {
      room = r;
      return r.apply({ type: 'poll.open', widget_id: 'p', question: 'Q', options: [{ id: 'a', label: 'A', image }, { id: 'b', label: 'B' }] });
    });
  },
};
await load();
document.body.dataset.ready = 'true';
