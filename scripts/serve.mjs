// A static server for the tests' pages and the bench (the sandbox itself runs on the
// reference backend: `npm start`), with the fault-injecting event collector of the delivery
// tests (scripts/collector.mjs).
// The pages run under a strict Content-Security-Policy: the one Hudong documents for hosts.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector } from './collector.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

// URL prefix → folder: the package and the test pages by default. Paths never leave their folder.
const DEFAULT_MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/', join(root, 'tests', 'pages')],
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
export async function startServer({ mounts = DEFAULT_MOUNTS, port = 0, host = '127.0.0.1', collector = createCollector() } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      if (collector && (await collector.handle(req, res, url.pathname))) return;
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
  // Upgrades for any other path are refused.
  server.on('upgrade', (req, socket) => {
    const path = new URL(req.url, 'http://x').pathname;
    // A room's command socket path is left to the tests that serve their own sources there.
    if (path !== '/collect/ws' && !/^\/rooms\/[^/]+\/ws$/.test(path)) socket.destroy();
  });
  server.collector = collector;
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}
