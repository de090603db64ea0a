// A static server for the tests' pages and the bench (the sandbox, and every test that needs
// a server side, run on the reference backend: `npm start`), with sirv serving the files.
// The pages run under a strict Content-Security-Policy: the one Hudong documents for hosts.
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

// URL prefix → folder: the package and the test pages by default.
const DEFAULT_MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/', join(root, 'tests', 'pages')],
];

const headers = (res, path) => {
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', CSP);
  // Type declarations are text here, not MPEG transport streams.
  if (path.endsWith('.ts')) res.setHeader('content-type', 'text/plain; charset=utf-8');
};

/**
 * Starts a static server over `mounts` ([[urlPrefix, folder], ...], longest prefix first):
 * files only, GET and HEAD, never outside their folder. Resolves to the listening
 * `http.Server`. WebSocket upgrades are refused, except on a room's command socket path
 * (`/rooms/<id>/ws`), which tests that run their own command source take over.
 */
export async function startServer({ mounts = DEFAULT_MOUNTS, port = 0, host = '127.0.0.1' } = {}) {
  const served = mounts.map(([prefix, dir]) => [prefix, sirv(dir, { dev: true, dotfiles: false, setHeaders: headers })]);
  const notFound = (res) => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = req.url.split('?')[0];
    const mount = served.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return notFound(res);
    const [prefix, serve] = mount;
    req.url = `/${req.url.slice(prefix.length)}`;
    serve(req, res, () => notFound(res));
  });
  server.on('upgrade', (req, socket) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (!/^\/rooms\/[^/]+\/ws$/.test(path)) socket.destroy();
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}
