// Shared measuring code for the poll pages (Hudong, React, plain DOM). A classic script,
// loaded first, so every page is measured by the same code in the same way.
//
// "Painted" means: a requestAnimationFrame callback found the change in the DOM, and the
// frame it belongs to has been painted (a MessageChannel task posted from the callback runs
// after that frame's rendering). Each renderer gets its chance to update before the check:
// the check is requested after the command was applied, and frame callbacks run in order.
(function () {
  const OPEN = {
    type: 'poll.open', widget_id: 'p1', question: 'Which shade should we try next?',
    options: [{ id: 'a', label: 'Ruby red' }, { id: 'b', label: 'Rose nude' }, { id: 'c', label: 'Coral' }],
  };
  const afterPaint = () => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(performance.now());
    ch.port2.postMessage(0);
  });
  /** Resolves with the time the frame in which `cond()` first holds has been painted. */
  const paintedWhen = (cond, limitMs) => frameWhen(cond, limitMs).then((f) => f.painted);
  /**
   * Resolves with `{ frame, painted, frames }`: when the frame that first shows `cond()`
   * began (its animation-frame callback), when it had been painted, and how many frames it took.
   */
  function frameWhen(cond, limitMs = 10_000) {
    const t0 = performance.now();
    let frames = 0;
    return new Promise((resolve, reject) => {
      const check = () => {
        frames++;
        const frame = performance.now();
        if (cond()) afterPaint().then((painted) => resolve({ frame, painted, frames }));
        else if (performance.now() - t0 > limitMs) reject(new Error('not painted in time'));
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const totalText = (peer) => peer.root.querySelector('.hd-total')?.textContent ?? '';
  // Hudong formats counts for the locale ("40,834 votes"); the peers print digits alone.
  const shows = (peer, n) => totalText(peer).replace(/[^\d\s]/g, '').includes(` ${n} `);

  let counts = { a: 10, b: 10, c: 10 };
  const tally = (step = 1) => {
    counts = { a: counts.a + step, b: counts.b + 2 * step, c: counts.c + step };
    return { type: 'poll.tally', widget_id: 'p1', counts };
  };
  const sum = (c) => c.a + c.b + c.c;

  const harness = {
    /** Called by the page's module as it starts, before it asks its renderer for anything. */
    start() { harness.called = performance.now(); },
    /** The page has its renderer; show the poll and record when it was painted. */
    async ready(peer) {
      harness.peer = peer;
      peer.apply(OPEN);
      const painted = await paintedWhen(() => peer.root.querySelector('.hd-poll .hd-opt'));
      window.ttfw = { fromNavigation: painted, fromCall: painted - harness.called };
      document.body.dataset.ready = 'true';
    },
    /** Command → paint latency of tally updates, after the viewer voted (results showing). */
    async latency({ samples = 200 } = {}) {
      const peer = harness.peer;
      peer.vote('p1', 'a');
      peer.apply(tally());
      await paintedWhen(() => shows(peer, sum(counts)));
      const out = [];
      for (let i = 0; i < samples; i++) {
        await sleep(20 + Math.random() * 17); // sample every phase of the frame
        const cmd = tally();
        const want = sum(counts);
        const t0 = performance.now();
        const r = peer.apply(cmd);
        if (r && r.ok === false) throw new Error(`tally refused: ${JSON.stringify(r.error)}`);
        const f = await frameWhen(() => shows(peer, want));
        out.push({ toFrame: f.frame - t0, toPainted: f.painted - t0, frames: f.frames });
      }
      return out;
    },
    /** `rate` tally commands a second for `seconds`: long tasks and frames per second. */
    async flood({ rate = 1000, seconds = 10 } = {}) {
      const peer = harness.peer;
      const long = [];
      const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); });
      obs.observe({ type: 'longtask' });
      let frames = 0;
      let running = true;
      const frame = () => { frames++; if (running) requestAnimationFrame(frame); };
      requestAnimationFrame(frame);
      const t0 = performance.now();
      let sent = 0;
      await new Promise((done) => {
        const id = setInterval(() => {
          const due = Math.min(rate * seconds, Math.floor(((performance.now() - t0) * rate) / 1000));
          while (sent < due) { peer.apply(tally()); sent++; }
          if (sent >= rate * seconds) { clearInterval(id); done(); }
        }, 4);
      });
      const elapsed = performance.now() - t0;
      const f = frames;
      running = false;
      await paintedWhen(() => shows(peer, sum(counts)));
      await sleep(100);
      obs.disconnect();
      return { sent, elapsedMs: elapsed, fps: (f * 1000) / elapsed, longTasks: long.length, longestMs: long.length ? Math.max(...long) : 0 };
    },
  };
  window.harness = harness;
})();
