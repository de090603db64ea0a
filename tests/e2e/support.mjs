// What several end-to-end specs share: the repository root, a server for the test pages
// (`tests/pages/` and `dist/`, under the strict Content-Security-Policy), and the packed
// npm tarball.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sh = (cmd, args, cwd, env = process.env) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Serves `tests/pages/` at `/` and `dist/` at `/dist/` for the spec's tests; `site.base` is
 * its address once the tests run.
 * @param {import('@playwright/test').TestType<any, any>} test
 */
export function servePages(test) {
  const site = { base: '' };
  let server;
  test.beforeAll(async () => {
    server = await startServer({ mounts: [['/dist/', join(repo, 'dist')], ['/', join(repo, 'tests', 'pages')]] });
    site.base = `http://127.0.0.1:${server.address().port}`;
  });
  test.afterAll(async () => {
    // Open sockets of pages a failed test left behind must not hold the server open.
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });
  return site;
}

/** `npm pack` into a fresh `work` folder; returns the tarball's path. */
export function packTarball(work) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], repo));
  return join(work, packed.filename);
}
