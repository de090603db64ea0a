// The poll in React 19 (react-dom/client): the stack most live-commerce SDKs are built on.
// Same markup, strings and rules as Hudong's poll card.
import { useState, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { STRINGS as S, reduce, vote, percentages, total } from './model.js';

function Poll({ poll, onVote }) {
  const voted = poll.mine >= 0;
  const pct = percentages(poll.counts);
  const qId = `hd-${poll.id}-q`;
  return (
    <section className="hd-card hd-poll open" aria-labelledby={qId} data-widget-id={poll.id} data-phase="open">
      <header className="hd-head"><span className="hd-badge">{S.poll}</span></header>
      <h2 className="hd-q" id={qId}>{poll.question}</h2>
      {!voted && <p className="hd-hint">{S.tapToVote}</p>}
      <ul className="hd-options">
        {poll.options.map((o, i) => {
          const mine = i === poll.mine;
          return (
            <li key={o.id}>
              <button type="button" className={mine ? 'hd-opt hd-mine' : 'hd-opt'} aria-pressed={mine ? 'true' : 'false'}
                disabled={voted} data-option-id={o.id} onClick={() => onVote(i)}>
                <span className="hd-opt-label">{o.label}</span>
                {mine && <span className="hd-tag">{S.yourChoice}</span>}
                {voted && <><span className="hd-opt-pct">{pct[i]}%</span>
                  <progress className="hd-bar" max="100" value={pct[i]} aria-hidden="true" /></>}
              </button>
            </li>
          );
        })}
      </ul>
      <p className="hd-status" role="status">
        {voted && S.voted}
        {voted && <span className="hd-total">{` · ${total(poll)} ${S.votes}`}</span>}
      </p>
    </section>
  );
}

export function mountPoll(host, cssHref, onVote) {
  const root = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = cssHref;
  const container = document.createElement('div');
  root.append(link, container);
  // State lives in React (useState, batched by React 19's automatic batching); commands
  // reach it through the setter the component hands out when it mounts.
  let poll = null;
  let setState = null;
  const set = (next) => {
    if (next === poll) return;
    poll = next;
    setState?.(next);
  };
  function Overlay() {
    const [p, setP] = useState(poll);
    useEffect(() => {
      setState = setP;
      setP(poll);
      return () => { setState = null; };
    }, []);
    return (
      <div className="hd-overlay" data-theme="auto" lang={S.lang} role="region" aria-label={S.overlay}>
        {p && <Poll poll={p} onVote={(i) => {
          if (poll.mine >= 0) return;
          set(vote(poll, i));
          onVote?.(poll.id, poll.options[i].id);
        }} />}
      </div>
    );
  }
  createRoot(container).render(<Overlay />);
  return {
    root,
    apply(cmd) {
      set(reduce(poll, cmd));
      return { ok: true };
    },
    vote(_id, optionId) {
      root.querySelector(`[data-option-id="${optionId}"]`)?.click();
    },
  };
}
