// The React and Vue examples in examples/, built by Vite against the packed package and
// run in Chromium under the strict Content-Security-Policy.
import { test, expect } from '@playwright/test';
import { cpSync, mkdirSync, symlinkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { build as viteBuild } from 'vite';
import { startServer } from '../../scripts/serve.mjs';
import { packTarball, repo, sh } from './support.mjs';

const work = join(repo, 'tests', '.tmp', 'examples');
let tarball;

test.beforeAll(() => {
  tarball = packTarball(work);
});

/** The example with `hudong` unpacked from the tarball and its framework from this repo. */
function prepare(name, frameworks) {
  const app = join(work, name);
  cpSync(join(repo, 'examples', name), app, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const modules = join(app, 'node_modules');
  mkdirSync(modules, { recursive: true });
  sh('tar', ['xzf', tarball, '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'hudong'));
  for (const f of frameworks) symlinkSync(join(repo, 'node_modules', f), join(modules, f));
  return app;
}

const EXAMPLES = { react: ['react', 'react-dom'], vue: ['vue'] };

for (const [name, frameworks] of Object.entries(EXAMPLES)) {
  test(`the ${name} example builds with Vite and runs: a poll from JSX/render props, DOM events back`, async ({ page }) => {
    test.setTimeout(120_000);
    const app = prepare(name, frameworks);
    const out = join(app, 'dist');
    await viteBuild({ root: app, configFile: join(app, 'vite.config.js'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
    const server = await startServer({ mounts: [['/', out]] });
    try {
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.setViewportSize({ width: 430, height: 932 });
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
      const poll = page.locator('hudong-room .hd-poll');
      await expect(poll.getByRole('heading', { name: '哪个色号更适合主播？' })).toBeVisible({ timeout: 20_000 });
      const log = page.getByRole('list', { name: 'events' });
      await expect(log).toContainText('widget.shown');
      await poll.getByRole('button', { name: '玫瑰 Rose' }).click();
      await expect(log).toContainText('poll.vote');
      // The framework removes the element; the widget leaves the overlay.
      await page.getByRole('button', { name: 'Remove the poll' }).click();
      await expect(page.locator('hudong-room .hd-poll')).toHaveCount(0);
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
}
