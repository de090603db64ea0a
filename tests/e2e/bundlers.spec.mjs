// The npm tarball in a fresh Vite app and a fresh webpack app: installed offline from the
// tarball, built by the bundler, served under the strict Content-Security-Policy, run in
// Chromium. The wasm, the stylesheet and a language pack must come out of the bundler.
import { test, expect } from '@playwright/test';
import { cpSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { startServer } from '../../scripts/serve.mjs';
import { packTarball, repo, sh } from './support.mjs';

const work = join(repo, 'tests', '.tmp', 'bundlers');
let tarball;

test.beforeAll(() => {
  tarball = packTarball(work);
});

/** A fresh project with the app's sources and `hudong` installed from the tarball, offline. */
function freshApp(name) {
  const app = join(work, name);
  cpSync(join(repo, 'tests', 'bundlers', 'app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `${name}-app`, private: true, type: 'module' }));
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  return app;
}

const BUILDERS = {
  async vite(app) {
    const out = join(app, 'dist');
    await viteBuild({ root: app, logLevel: 'error', configFile: false, build: { outDir: out, emptyOutDir: true } });
    return out;
  },
  async webpack(app) {
    const out = join(app, 'dist');
    const stats = await new Promise((resolve, reject) => {
      webpack({
        mode: 'production',
        context: app,
        entry: './main.js',
        output: { path: out, filename: 'main.js', publicPath: 'auto', clean: true },
        resolve: { modules: [join(app, 'node_modules')] },
        performance: { hints: false },
      }, (err, s) => (err ? reject(err) : resolve(s)));
    });
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    // No HTML plugin: the page is the app's own, loading the bundle as a classic script.
    cpSync(join(app, 'stage.css'), join(out, 'stage.css'));
    writeFileSync(join(out, 'index.html'), readFileSync(join(app, 'index.html'), 'utf8').replace('<script type="module" src="./main.js"></script>', '<script src="./main.js" defer></script>'));
    return out;
  },
};

for (const [name, builder] of Object.entries(BUILDERS)) {
  test(`the tarball installs into a fresh ${name} app, builds and runs`, async ({ page }) => {
    test.setTimeout(120_000);
    const app = freshApp(name);
    const out = await builder(app);
    const emitted = readdirSync(out, { recursive: true }).map(String);
    expect(emitted.some((f) => f.endsWith('.wasm')), `${name} emitted the wasm`).toBe(true);
    expect(emitted.filter((f) => f.endsWith('.json')).length, `${name} emitted the four language packs: ${emitted.join(', ')}`).toBe(4);

    const server = await startServer({ mounts: [['/', out]] });
    try {
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
      await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
      expect(await page.evaluate(() => window.app.opened)).toEqual({ ok: true });
      const poll = page.locator('#overlay .hd-poll');
      await expect(poll.locator('.hd-badge')).toHaveText('โหวต'); // the pack came through the bundler
      await poll.getByRole('button', { name: 'Rose' }).click();
      await expect.poll(() => page.evaluate(() => window.app.events)).toEqual(['widget.shown', 'poll.vote']);
      expect(await page.evaluate(() => window.app.dataLayer.map((e) => e.event))).toEqual(['hudong_widget_shown', 'hudong_poll_vote']);
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
}

// `hudong/headless` names no stylesheet and no language pack: a bundler finds every file it
// imports, emits the headless wasm and nothing of the views.
const HEADLESS = {
  async vite(app) {
    const out = join(app, 'dist-headless');
    await viteBuild({ root: app, logLevel: 'error', configFile: false, build: { outDir: out, emptyOutDir: true, rollupOptions: { input: join(app, 'headless.html') } } });
    return out;
  },
  async webpack(app) {
    const out = join(app, 'dist-headless');
    const stats = await new Promise((resolve, reject) => {
      webpack({
        mode: 'production', context: app, entry: './headless.js',
        output: { path: out, filename: 'headless.js', publicPath: 'auto', clean: true },
        resolve: { modules: [join(app, 'node_modules')] }, performance: { hints: false },
      }, (err, s) => (err ? reject(err) : resolve(s)));
    });
    if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString({ all: false, errors: true, warnings: true }));
    writeFileSync(join(out, 'headless.html'), readFileSync(join(app, 'headless.html'), 'utf8').replace('<script type="module" src="./headless.js"></script>', '<script src="./headless.js" defer></script>'));
    return out;
  },
};

for (const [name, builder] of Object.entries(HEADLESS)) {
  test(`hudong/headless in a fresh ${name} app: no view files, commands in and state out`, async ({ page }) => {
    test.setTimeout(120_000);
    const app = freshApp(`${name}-headless`);
    const out = await builder(app);
    const emitted = readdirSync(out, { recursive: true }).map(String);
    // The headless module and its recovery build (fetched only after a failure), neither
    // with the overlay in it.
    const wasm = emitted.filter((f) => f.endsWith('.wasm'));
    expect(wasm, `${name} emitted two wasm files: ${emitted.join(', ')}`).toHaveLength(2);
    for (const f of wasm) expect(readFileSync(join(out, f)).includes('hd-overlay'), `${f} has no view code`).toBe(false);
    expect(emitted.filter((f) => /\.(css|json)$/.test(f)), `${name} emitted no view file`).toEqual([]);
    const server = await startServer({ mounts: [['/', out]] });
    try {
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`http://127.0.0.1:${server.address().port}/headless.html`);
      await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
      expect(await page.evaluate(() => window.app)).toEqual({ opened: { ok: true }, voted: { ok: true }, widgets: [['poll', [1]]] });
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
}
