// A development room hub: the host console posts commands, the hub numbers them per room
// and fans them out to viewers over WebSocket and Server-Sent Events, and answers late
// joiners and reconnects with a snapshot. It keeps each room's state with Hudong's own
// core (the wasm module, headless), so its snapshots are exactly what clients compute.
//
//   POST /rooms/:id/commands   a command (add "pts": "now" to stamp the live edge) → {seq}
//   GET  /rooms/:id/snapshot   {type: "room.snapshot", seq, widgets}
//   GET  /rooms/:id/events     SSE: a snapshot, then {seq, pts?, ...command} messages
//   WS   /rooms/:id/ws         the same; send {"type":"snapshot.request"} or {"type":"ping"}
//   POST /rooms/:id/kick       drops every viewer connection of the room (to test reconnects);
//                              ?refuseMs=N also refuses new connections for N ms
//   GET  /time                 {now}: the server clock, for clock sync
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function createHub({ dist = join(root, 'dist') } = {}) {
  const wasm = await import(join(dist, 'hudong_wasm.js'));
  wasm.initSync({ module: readFileSync(join(dist, 'hudong_wasm_bg.wasm')) });
  const rooms = new Map();

  function room(id) {
    let r = rooms.get(id);
    if (!r) {
      const core = new wasm.RoomCore(null, { room_id: id, session_id: 'hub', seed: 1 }, () => {}, undefined, undefined);
      r = { id, core, seq: 0, sockets: new Set(), streams: new Set(), refuseUntil: 0 };
      rooms.set(id, r);
    }
    return r;
  }

  const snapshot = (r) => JSON.stringify({ ...r.core.snapshot(), seq: r.seq });

  function broadcast(r, text) {
    for (const ws of r.sockets) if (ws.readyState === ws.OPEN) ws.send(text);
    for (const res of r.streams) res.write(`data: ${text}\n\n`);
  }

  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const readBody = (req) =>
    new Promise((done, fail) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c) => {
        text += c;
        if (text.length > 256 * 1024) req.destroy();
      });
      req.on('end', () => done(text));
      req.on('error', fail);
    });

  /** Posts a command to a room: validated by the core, numbered, fanned out. */
  function post(id, message) {
    const r = room(id);
    const { pts, seq: _ignored, ...command } = message;
    const result = r.core.apply(command);
    if (!result.ok) return { ok: false, error: result.error };
    r.seq += 1;
    const out = { seq: r.seq, ...(pts === 'now' ? { pts: Date.now() } : Number.isFinite(pts) ? { pts } : {}), ...command };
    broadcast(r, JSON.stringify(out));
    return { ok: true, seq: r.seq, pts: out.pts };
  }

  async function handle(req, res, pathname, query = new URLSearchParams()) {
    if (pathname === '/time') return json(res, 200, { now: Date.now() }), true;
    const m = pathname.match(/^\/rooms\/([A-Za-z0-9_.:-]{1,64})\/(commands|snapshot|events|kick)$/);
    if (!m) return false;
    const [, id, what] = m;
    if (what === 'commands' && req.method === 'POST') {
      let message;
      try {
        message = JSON.parse(await readBody(req));
      } catch {
        return json(res, 400, { ok: false, error: { code: 'malformed_command', message: 'not JSON' } }), true;
      }
      const out = post(id, message);
      return json(res, out.ok ? 200 : 400, out), true;
    }
    if (what === 'snapshot') return json(res, 200, JSON.parse(snapshot(room(id)))), true;
    if (what === 'kick' && req.method === 'POST') {
      const r = room(id);
      r.refuseUntil = Date.now() + Number(query.get('refuseMs') ?? 0);
      for (const ws of r.sockets) ws.terminate();
      for (const s of r.streams) s.destroy();
      return json(res, 200, { ok: true }), true;
    }
    if (what === 'events') {
      const r = room(id);
      if (Date.now() < r.refuseUntil) return json(res, 503, { error: 'refusing connections' }), true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\ndata: ${snapshot(r)}\n\n`);
      r.streams.add(res);
      req.on('close', () => r.streams.delete(res));
      return true;
    }
    return json(res, 405, { error: 'method not allowed' }), true;
  }

  function attach(server) {
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      const m = new URL(req.url, 'http://x').pathname.match(/^\/rooms\/([A-Za-z0-9_.:-]{1,64})\/ws$/);
      if (!m) return;
      if (Date.now() < room(m[1]).refuseUntil) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => {
        const r = room(m[1]);
        r.sockets.add(ws);
        ws.send(snapshot(r)); // a late joiner starts from the room as it is
        ws.on('message', (data) => {
          let msg;
          try {
            msg = JSON.parse(String(data));
          } catch {
            return;
          }
          if (msg.type === 'ping') ws.send('{"type":"pong"}');
          if (msg.type === 'snapshot.request') ws.send(snapshot(r));
        });
        ws.on('close', () => r.sockets.delete(ws));
      });
    });
    server.on('close', () => {
      wss.close();
      for (const r of rooms.values()) {
        for (const s of r.streams) s.destroy();
        r.core.destroy();
      }
    });
  }

  return { handle, attach, post, rooms };
}
