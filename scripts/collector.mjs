// A development event collector: the HTTP batch endpoint, the beacon endpoint and the
// WebSocket path Hudong's transports speak, deduplicating by event_id, with fault
// injection for tests. (The reference backend replaces it for production-like use.)
//
//   POST /collect            a batch (JSON, or text/plain from sendBeacon) → 200 {"ok":true}
//   WS   /collect/ws         batches as text frames → {"ack": batch_id}
//   GET  /collect/stats      {received, unique, duplicates, batches, dropped_reported, ...}
//   GET  /collect/events     the unique events, in arrival order
//   POST /collect/faults     set faults: {failRate, retryAfterS, delayMs, down, status, wsDropRate}
//   POST /collect/reset      forget everything
import { WebSocketServer } from 'ws';

export function createCollector() {
  const state = {
    events: new Map(), // event_id → event (first copy)
    copies: 0,
    batches: 0,
    beacons: 0,
    failed: 0,
    droppedReported: 0,
    wsDropped: 0,
    faults: { failRate: 0, retryAfterS: null, delayMs: 0, down: false, status: null, wsDropRate: 0 },
  };

  function record(batch) {
    const events = Array.isArray(batch.events) ? batch.events : Array.isArray(batch.batch) ? batch.batch : null;
    if (!events) return false;
    state.batches++;
    state.droppedReported += Number(batch.dropped ?? 0);
    for (const e of events) {
      const id = e.event_id ?? e.messageId;
      if (typeof id !== 'string') continue;
      state.copies++;
      if (!state.events.has(id)) state.events.set(id, e);
    }
    return true;
  }

  function stats() {
    return {
      received: state.copies,
      unique: state.events.size,
      duplicates: state.copies - state.events.size,
      batches: state.batches,
      beacons: state.beacons,
      failed: state.failed,
      dropped_reported: state.droppedReported,
      ws_dropped: state.wsDropped,
      faults: state.faults,
    };
  }

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };

  const readBody = (req) =>
    new Promise((done, fail) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > 1024 * 1024) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      req.on('error', fail);
    });

  /** Handles /collect requests; returns false for other paths. */
  async function handle(req, res, pathname) {
    if (!pathname.startsWith('/collect')) return false;
    if (pathname === '/collect/stats') return json(res, 200, stats()), true;
    if (pathname === '/collect/events') return json(res, 200, [...state.events.values()]), true;
    if (pathname === '/collect/faults' && req.method === 'POST') {
      Object.assign(state.faults, JSON.parse((await readBody(req)) || '{}'));
      return json(res, 200, state.faults), true;
    }
    if (pathname === '/collect/reset' && req.method === 'POST') {
      state.events.clear();
      Object.assign(state, { copies: 0, batches: 0, beacons: 0, failed: 0, droppedReported: 0, wsDropped: 0 });
      return json(res, 200, { ok: true }), true;
    }
    if (pathname !== '/collect' || req.method !== 'POST') return json(res, 404, { error: 'not found' }), true;

    const f = state.faults;
    if (f.down) {
      state.failed++;
      req.socket.destroy(); // unreachable: no answer at all
      return true;
    }
    const text = await readBody(req);
    if (f.delayMs) await new Promise((r) => setTimeout(r, Math.random() * f.delayMs));
    if (f.status) {
      state.failed++;
      return json(res, f.status, { error: `injected HTTP ${f.status}` }), true;
    }
    if (Math.random() < f.failRate) {
      state.failed++;
      const headers = f.retryAfterS != null ? { 'retry-after': String(f.retryAfterS) } : {};
      return json(res, Math.random() < 0.5 ? 500 : 503, { error: 'injected failure' }, headers), true;
    }
    let batch;
    try {
      batch = JSON.parse(text);
    } catch {
      return json(res, 400, { error: 'body is not JSON' }), true;
    }
    if (!req.headers['content-type']?.startsWith('application/json')) state.beacons++;
    if (!record(batch)) return json(res, 400, { error: 'no events array' }), true;
    return json(res, 200, { ok: true }), true;
  }

  /** Attaches the WebSocket endpoint to an HTTP server. */
  function attach(server) {
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url, 'http://x').pathname !== '/collect/ws') return;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        let batch;
        try {
          batch = JSON.parse(String(data));
        } catch {
          return;
        }
        if (state.faults.down) return ws.terminate();
        const stored = record(batch);
        if (Math.random() < state.faults.wsDropRate) {
          // Stored, but the connection dies before the ack: the client must resend.
          state.wsDropped++;
          return ws.terminate();
        }
        ws.send(JSON.stringify(stored ? { ack: batch.batch_id } : { nack: batch.batch_id, status: 400 }));
      });
    });
    server.on('close', () => wss.close());
  }

  return { handle, attach, stats, state };
}
