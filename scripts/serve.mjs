// Serves the demo sandbox (demo-site/) and the built package (dist/ at /dist/), with a
// development room hub (scripts/hub.mjs) and event collector (scripts/collector.mjs).
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]      (or PORT / HOST)
// The pages run under a strict Content-Security-Policy: the one Hudong documents for hosts.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector } from './collector.mjs';
import { createHub } from './hub.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg('port') ?? process.env.PORT ?? 8080);
const host = arg('host') ?? process.env.HOST ?? '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ts': 'text/plain; charset=utf-8',
};
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

// URL prefix → folder, for the demo. Paths never leave their folder.
const DEMO_MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/', join(root, 'demo-site')],
];

async function resolve(mounts, urlPath) {
  for (const [prefix, dir] of mounts) {
    if (!urlPath.startsWith(prefix)) continue;
    let rel = decodeURIComponent(urlPath.slice(prefix.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {}
    return null;
  }
  return null;
}

/**
 * Starts a static server over `mounts` ([[urlPrefix, folder], ...], longest prefix first).
 * Resolves to the listening `http.Server`.
 */
export async function startServer({ mounts = DEMO_MOUNTS, port = 0, host = '127.0.0.1', collector = createCollector(), hub = true } = {}) {
  const rooms = hub ? await createHub({ dist: mounts.find(([p]) => p === '/dist/')?.[1] }) : null;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      if (collector && (await collector.handle(req, res, url.pathname))) return;
      if (rooms && (await rooms.handle(req, res, url.pathname, url.searchParams))) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const file = await resolve(mounts, url.pathname);
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
    }
  });

  collector?.attach(server);
  rooms?.attach(server);
  // Upgrades for any other path are refused.
  server.on('upgrade', (req, socket) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path !== '/collect/ws' && !/^\/rooms\/[^/]+\/ws$/.test(path)) socket.destroy();
  });
  server.collector = collector;
  server.hub = rooms;
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startServer({ port, host });
  const { port: actual } = server.address();
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  console.log(`Hudong demo sandbox: http://${shown}:${actual}/`);
  console.log('Press Ctrl+C to stop.');
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      server.close(() => process.exit(0));
      setTimeout(() => process.exit(0), 1000).unref();
    });
  }
}
