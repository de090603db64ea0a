// Counts what a page has left running: timers, intervals, animation frames and event
// listeners, by wrapping the browser's own functions before anything else loads.
(function () {
  // Listeners are kept by weak reference: the probe must not itself keep removed nodes alive.
  const live = { timeouts: new Set(), intervals: new Set(), frames: new Set(), listeners: new WeakMap(), targets: [] };
  const targets = function* () {
    for (const ref of live.targets) {
      const t = ref.deref();
      if (t) yield [t, live.listeners.get(t)];
    }
  };
  const w = window;
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci, requestAnimationFrame: raf, cancelAnimationFrame: caf } = w;
  w.setTimeout = function (fn, ms, ...args) {
    const id = st.call(w, (...a) => { live.timeouts.delete(id); typeof fn === 'function' ? fn(...a) : undefined; }, ms, ...args);
    live.timeouts.add(id);
    return id;
  };
  w.clearTimeout = (id) => { live.timeouts.delete(id); ct.call(w, id); };
  w.setInterval = function (...a) { const id = si.apply(w, a); live.intervals.add(id); return id; };
  w.clearInterval = (id) => { live.intervals.delete(id); ci.call(w, id); };
  w.requestAnimationFrame = (fn) => { const id = raf.call(w, (t) => { live.frames.delete(id); fn(t); }); live.frames.add(id); return id; };
  w.cancelAnimationFrame = (id) => { live.frames.delete(id); caf.call(w, id); };
  // Listeners on nodes that are gone from the page die with them; only those on objects
  // still reachable from the page (window, document, the mount element) are counted.
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const key = (type, fn, opts) => `${type}|${typeof opts === 'boolean' ? opts : !!opts?.capture}`;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (fn) {
      let m = live.listeners.get(this);
      if (!m) {
        live.listeners.set(this, (m = new Map()));
        live.targets.push(new WeakRef(this));
      }
      let fns = m.get(key(type, fn, opts));
      if (!fns) m.set(key(type, fn, opts), (fns = new Set()));
      fns.add(fn);
    }
    return add.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    live.listeners.get(this)?.get(key(type, fn, opts))?.delete(fn);
    return remove.call(this, type, fn, opts);
  };
  const name = (t) => (t === window ? 'window' : t === document ? 'document' : t instanceof ShadowRoot ? 'shadow root' : t.nodeName ?? String(t));
  window.probe = {
    /** Each live listener as "target type", for finding what leaked. */
    details() {
      const out = [];
      for (const [target, m] of targets()) {
        for (const [k, fns] of m) if (fns.size) out.push(`${name(target)}${target.isConnected === false ? ' (detached)' : ''} ${k} ×${fns.size}`);
      }
      return out;
    },
    /** What is still registered on targets that are still in the page. */
    /** Takes the page's own listeners (before any room) as the baseline. */
    baseline() { live.base = 0; live.base = probe.count().listeners; },
    count() {
      let listeners = 0;
      for (const [target, m] of targets()) {
        const attached = target === window || target === document || (target instanceof Node && target.isConnected)
          || (target instanceof ShadowRoot && target.host.isConnected);
        if (!attached && target instanceof Node) continue;
        for (const fns of m.values()) listeners += fns.size;
      }
      return { timeouts: live.timeouts.size, intervals: live.intervals.size, frames: live.frames.size, listeners: listeners - (live.base ?? 0) };
    },
  };
})();
