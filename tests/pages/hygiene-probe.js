// Loaded before anything else: keeps count of what a page holds open (listeners, timers,
// animation frames, sockets, event sources, camera tracks, observers), so a test can see
// what is left after destroy().
(() => {
  const live = { listeners: new Set(), timeouts: new Map(), intervals: new Map(), frames: new Map(), sockets: new Set(), sources: new Set(), tracks: new Set(), observers: new Set(), channels: new Set() };
  let seq = 0;
  const created = [];
  const note = (kind) => (created.push([kind, ++seq]), seq);
  const label = (t) => (t === window ? 'window' : t === document ? 'document' : t instanceof Node ? (t.localName || t.nodeName) + (t.className ? `.${String(t.className).split(' ')[0]}` : '') : t?.constructor?.name ?? '?');
  const ids = new WeakMap();
  let lastId = 0;
  const idOf = (t) => ids.get(t) ?? (ids.set(t, ++lastId), lastId);
  const where = () => new Error().stack.split('\n').slice(3, 5).join(' | ');

  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const capture = (o) => (typeof o === 'boolean' ? o : !!o?.capture);
  const find = (target, type, fn, cap) => [...live.listeners].find((l) => l.target === target && l.type === type && l.fn === fn && l.capture === cap);
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    add.call(this, type, fn, options);
    if (!fn || find(this, type, fn, capture(options))) return;
    const entry = { target: this, type, fn, capture: capture(options), seq: note('listeners'), at: where() };
    live.listeners.add(entry);
    if (options?.once) add.call(this, type, () => live.listeners.delete(entry), { once: true, capture: capture(options) });
    options?.signal?.addEventListener?.('abort', () => live.listeners.delete(entry));
  };
  EventTarget.prototype.removeEventListener = function (type, fn, options) {
    remove.call(this, type, fn, options);
    const entry = find(this, type, fn, capture(options));
    if (entry) live.listeners.delete(entry);
  };

  const timer = (setName, clearName, map, repeat) => {
    const set = window[setName];
    const clear = window[clearName];
    window[setName] = function (fn, ms, ...args) {
      const id = set.call(window, typeof fn === 'function' ? (...a) => {
        if (!repeat) map.delete(id);
        fn(...a);
      } : fn, ms, ...args);
      map.set(id, { seq: note(repeat ? 'intervals' : 'timeouts'), ms, at: where() });
      return id;
    };
    window[clearName] = function (id) {
      map.delete(id);
      return clear.call(window, id);
    };
  };
  timer('setTimeout', 'clearTimeout', live.timeouts, false);
  timer('setInterval', 'clearInterval', live.intervals, true);
  const raf = window.requestAnimationFrame;
  const caf = window.cancelAnimationFrame;
  window.requestAnimationFrame = (fn) => {
    const id = raf.call(window, (t) => {
      live.frames.delete(id);
      fn(t);
    });
    live.frames.set(id, { seq: note('frames'), at: where() });
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    live.frames.delete(id);
    caf.call(window, id);
  };

  const track = (Name, set, entry, kind = Name) => {
    const Base = window[Name];
    if (!Base) return;
    window[Name] = class extends Base {
      constructor(...args) {
        super(...args);
        set.add(entry(this, note(kind)));
      }
    };
  };
  track('WebSocket', live.sockets, (s, n) => ({ s, seq: n, open: () => s.readyState < 2, url: s.url }));
  track('EventSource', live.sources, (s, n) => ({ s, seq: n, open: () => s.readyState !== 2, url: s.url }));
  track('BroadcastChannel', live.channels, (c, n) => {
    const e = { c, seq: n, closed: false, open: () => !e.closed, url: c.name };
    const close = c.close.bind(c);
    c.close = () => ((e.closed = true), close());
    return e;
  });
  for (const Name of ['ResizeObserver', 'IntersectionObserver', 'MutationObserver']) {
    track(Name, live.observers, (o, n) => {
      const e = { o, seq: n, watching: 0, open: () => e.watching > 0, url: Name };
      const observe = o.observe.bind(o);
      const disconnect = o.disconnect.bind(o);
      o.observe = (...a) => ((e.watching += 1), observe(...a));
      o.disconnect = () => ((e.watching = 0), disconnect());
      return e;
    });
  }
  const gum = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
  if (gum) {
    navigator.mediaDevices.getUserMedia = async (c) => {
      const stream = await gum(c);
      for (const t of stream.getTracks()) live.tracks.add({ t, seq: note('tracks'), open: () => t.readyState !== 'ended', url: t.kind });
      return stream;
    };
  }

  window.probe = {
    mark: () => seq,
    /** What was opened after `mark` and is still held. */
    leftSince(mark) {
      const after = (e) => e.seq > mark;
      const listeners = [...live.listeners].filter(after);
      return {
        // Listeners on the window, the document or anything still in the page.
        listeners: listeners.filter((l) => !(l.target instanceof Node) || l.target.isConnected).map((l) => `${label(l.target)} ${l.type} @ ${l.at}`),
        // On detached nodes (unreachable from the page, kept only by what holds the node).
        detached: listeners.filter((l) => l.target instanceof Node && !l.target.isConnected).map((l) => ({ node: idOf(l.target), label: label(l.target), type: l.type, capture: l.capture })),
        timeouts: [...live.timeouts.values()].filter(after).map((t) => `${t.ms}ms @ ${t.at}`),
        intervals: [...live.intervals.values()].filter(after).map((t) => `${t.ms}ms @ ${t.at}`),
        frames: [...live.frames.values()].filter(after).map((t) => t.at),
        sockets: [...live.sockets].filter((s) => after(s) && s.open()).map((s) => s.url),
        sources: [...live.sources].filter((s) => after(s) && s.open()).map((s) => s.url),
        channels: [...live.channels].filter((s) => after(s) && s.open()).map((s) => s.url),
        observers: [...live.observers].filter((s) => after(s) && s.open()).map((s) => s.url),
        tracks: [...live.tracks].filter((s) => after(s) && s.open()).map((s) => s.url),
      };
    },
    /** How many of each were opened after `mark` (to show the test exercised them). */
    openedSince(mark) {
      const counts = {};
      for (const [kind, n] of created) if (n > mark) counts[kind] = (counts[kind] ?? 0) + 1;
      return counts;
    },
  };
})();
