// The poll in plain DOM JavaScript: the practical floor. Renders the same markup as
// Hudong's poll card, updating text and attributes in place.
import { STRINGS as S, reduce, vote, percentages, total } from './model.js';

export function mountPoll(host, cssHref, onVote) {
  const root = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = cssHref;
  const overlay = document.createElement('div');
  overlay.className = 'hd-overlay';
  overlay.dataset.theme = 'auto';
  overlay.lang = S.lang;
  overlay.setAttribute('role', 'region');
  overlay.setAttribute('aria-label', S.overlay);
  root.append(link, overlay);
  let poll = null;
  let card = null;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };

  function build() {
    card = el('section', 'hd-card hd-poll open');
    card.setAttribute('aria-labelledby', `hd-${poll.id}-q`);
    card.dataset.widgetId = poll.id;
    card.dataset.phase = 'open';
    const head = el('header', 'hd-head');
    head.append(el('span', 'hd-badge', S.poll));
    const q = el('h2', 'hd-q', poll.question);
    q.id = `hd-${poll.id}-q`;
    card.hint = el('p', 'hd-hint', S.tapToVote);
    const list = el('ul', 'hd-options');
    card.buttons = poll.options.map((o, i) => {
      const li = el('li');
      const b = el('button', 'hd-opt');
      b.type = 'button';
      b.setAttribute('aria-pressed', 'false');
      b.dataset.optionId = o.id;
      b.append(el('span', 'hd-opt-label', o.label));
      b.addEventListener('click', () => {
        if (poll.mine >= 0) return;
        poll = vote(poll, i);
        onVote?.(poll.id, o.id);
        render();
      });
      li.append(b);
      list.append(li);
      return b;
    });
    card.status = el('p', 'hd-status');
    card.status.setAttribute('role', 'status');
    card.append(head, q, card.hint, list, card.status);
    overlay.append(card);
  }

  function render() {
    if (!card) build();
    const voted = poll.mine >= 0;
    card.hint.hidden = voted;
    if (!voted) return;
    const pct = percentages(poll.counts);
    card.buttons.forEach((b, i) => {
      const mine = i === poll.mine;
      b.classList.toggle('hd-mine', mine);
      b.setAttribute('aria-pressed', String(mine));
      b.disabled = true;
      if (!b.pct) {
        if (mine) b.append(el('span', 'hd-tag', S.yourChoice));
        b.pct = el('span', 'hd-opt-pct');
        b.bar = el('progress', 'hd-bar');
        b.bar.max = 100;
        b.bar.setAttribute('aria-hidden', 'true');
        b.append(b.pct, b.bar);
      }
      b.pct.textContent = `${pct[i]}%`;
      b.bar.value = pct[i];
    });
    if (!card.total) {
      card.status.textContent = S.voted;
      card.total = el('span', 'hd-total');
      card.status.append(card.total);
    }
    card.total.textContent = ` · ${total(poll)} ${S.votes}`;
  }

  return {
    root,
    apply(cmd) {
      const next = reduce(poll, cmd);
      if (next !== poll) {
        if (cmd.type === 'poll.open' && card) { card.remove(); card = null; }
        poll = next;
        render();
      }
      return { ok: true };
    },
    vote(id, optionId) {
      card?.buttons[poll.options.findIndex((o) => o.id === optionId)]?.click();
    },
  };
}
