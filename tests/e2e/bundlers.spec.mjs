// The npm tarball in fresh projects, built the way docs/bundlers.md says (its configurations
// are read from the page itself, so the docs cannot drift): Vite, webpack 5, Rollup, esbuild
// and Next 16 (Turbopack and webpack, Server and Client Components). Each project installs
// `hudong` offline from the tarball; the static builds are served under the strict
// Content-Security-Policy and run in Chromium: the full SDK with a poll and a language pack,
// the custom elements, the analytics adapter and the headless build.
import { test, expect } from '@playwright/test';
import { cpSync, writeFileSync, readdirSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { startServer } from '../../scripts/serve.mjs';
import { packTarball, repo, sh } from './support.mjs';

const work = join(repo, 'tests', '.tmp', 'bundlers');
const guide = readFileSync(join(repo, 'docs', 'bundlers.md'), 'utf8');
let tarball;

test.beforeAll(() => {
  tarball = packTarball(work);
});

/** The code block of docs/bundlers.md whose first line names `file`: `// <file>` (a note may follow a colon) or `<!-- <file> -->`. */
function fromGuide(file) {
  for (const [, body] of guide.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    const first = body.split('\n', 1)[0];
    if (first === `// ${file}` || first.startsWith(`// ${file}:`) || first === `<!-- ${file} -->`) return body;
  }
  throw new Error(`docs/bundlers.md has no code block for ${file}`);
}

/** A fresh project with the app's sources and `hudong` installed from the tarball, offline. */
function freshApp(name, sources = join(repo, 'tests', 'bundlers', 'app')) {
  const app = join(work, name);
  cpSync(sources, app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `${name}-app`, private: true, type: 'module' }));
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  return app;
}

/** Writes a block of the guide into the project, at the path its first line names. */
function writeFromGuide(app, file) {
  mkdirSync(dirname(join(app, file)), { recursive: true });
  writeFileSync(join(app, file), fromGuide(file));
}

const webpackRun = (config) => new Promise((resolve, reject) => {
  webpack(config, (err, stats) => {
    if (err) return reject(err);
    if (stats.hasErrors() || stats.hasWarnings()) return reject(new Error(stats.toString({ all: false, errors: true, warnings: true })));
    resolve(stats);
  });
});

/** The pages as they are, with the stage's stylesheet, in `out` (for builds that emit only scripts). */
function copyPages(app, out, { classic = false } = {}) {
  cpSync(join(app, 'stage.css'), join(out, 'stage.css'));
  for (const page of ['index.html', 'elements.html', 'headless.html']) {
    let html = readFileSync(join(app, page), 'utf8');
    // webpack's bundles are classic scripts.
    if (classic) html = html.replace(/<script type="module" src="(\.\/[a-z]+\.js)"><\/script>/, '<script src="$1" defer></script>');
    writeFileSync(join(out, page), html);
  }
}

// Each builder makes the three pages (index.html: `hudong` and `hudong/analytics`;
// elements.html: `hudong/elements`; headless.html: `hudong/headless`) from the same sources,
// configured as the guide says, and returns the folder to serve and where the headless page is.
const BUILDERS = {
  async vite(app) {
    const out = join(app, 'dist');
    await viteBuild({
      root: app, logLevel: 'error', configFile: false,
      build: { outDir: out, emptyOutDir: true, rollupOptions: { input: ['index.html', 'elements.html', 'headless.html'].map((p) => join(app, p)) } },
    });
    return { out, headless: '/headless.html' };
  },
  async webpack(app) {
    writeFromGuide(app, 'webpack.config.js');
    const { default: config } = await import(pathToFileURL(join(app, 'webpack.config.js')));
    // The webpack CLI runs in the project's folder; its API is given the folder.
    await webpackRun({ ...config, context: app, output: { path: join(app, 'dist'), ...config.output }, performance: { hints: false } });
    copyPages(app, join(app, 'dist'), { classic: true });
    return { out: join(app, 'dist'), headless: '/headless.html' };
  },
  async rollup(app) {
    writeFromGuide(app, 'rollup.config.js');
    sh(process.execPath, [join(repo, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '--config', '--silent'], app);
    copyPages(app, join(app, 'dist'));
    return { out: join(app, 'dist'), headless: '/headless.html' };
  },
  async esbuild(app) {
    writeFromGuide(app, 'build.mjs');
    sh(process.execPath, ['build.mjs'], app);
    const out = join(app, 'dist');
    copyPages(app, out);
    cpSync(join(app, 'headless.html'), join(out, 'headless-app', 'headless.html'));
    return { out, headless: '/headless-app/headless.html' };
  },
};

/** Runs the three pages of a build: a poll from the JS API, one from the elements, the headless room. */
async function runPages(page, base, headlessPath, name) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(`${base}/index.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  expect(await page.evaluate(() => window.app.opened)).toEqual({ ok: true });
  const poll = page.locator('#overlay .hd-poll');
  await expect(poll.locator('.hd-badge')).toHaveText('โหวต'); // the pack came through the bundler
  await poll.getByRole('button', { name: 'Rose' }).click();
  await expect.poll(() => page.evaluate(() => window.app.events)).toEqual(['widget.shown', 'poll.vote']);
  expect(await page.evaluate(() => window.app.dataLayer.map((e) => e.event))).toEqual(['hudong_widget_shown', 'hudong_poll_vote']);

  await page.goto(`${base}/elements.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  const card = page.locator('hudong-room .hd-poll');
  await expect(card.locator('.hd-badge')).toHaveText('โหวต');
  await card.getByRole('button', { name: 'Ruby' }).click();
  await expect.poll(() => page.evaluate(() => window.app.votes)).toEqual([['a']]);
  expect(await page.evaluate(() => document.body.dataset.error ?? null)).toBeNull();

  await page.goto(`${base}${headlessPath}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  expect(await page.evaluate(() => window.app)).toEqual({ opened: { ok: true }, voted: { ok: true }, widgets: [['poll', [1]]] });
  expect(errors, `${name}: no error in any page`).toEqual([]);
}

for (const [name, builder] of Object.entries(BUILDERS)) {
  test(`${name}, as docs/bundlers.md configures it: hudong, hudong/elements and hudong/headless build and run`, async ({ page }) => {
    test.setTimeout(180_000);
    const app = freshApp(name);
    const { out, headless } = await builder(app);
    const emitted = readdirSync(out, { recursive: true }).map(String);
    expect(emitted.some((f) => /hudong_wasm_bg.*\.wasm$|^[^/]*\.wasm$/.test(f)), `${name} emitted the wasm`).toBe(true);
    expect(emitted.filter((f) => f.endsWith('.json')).length, `${name} emitted the four language packs: ${emitted.join(', ')}`).toBe(4);

    const server = await startServer({ mounts: [['/', out]] });
    try {
      await runPages(page, `http://127.0.0.1:${server.address().port}`, headless, name);
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
    await webpackRun({
      mode: 'production', context: app, entry: './headless.js',
      output: { path: out, filename: 'headless.js', publicPath: 'auto', clean: true },
      performance: { hints: false },
    });
    return out;
  },
};

for (const [name, builder] of Object.entries(HEADLESS)) {
  test(`hudong/headless alone in a fresh ${name} app: no view file is emitted`, async () => {
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
  });
}

// Next 16, App Router: the guide's Server Component renders the elements as markup and imports
// a value from `hudong` on the server; its client components define the elements and create a
// room with the JS API. Built by Turbopack and by webpack, served by `next start`.
const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

function nextApp(name) {
  const app = freshApp(name, join(repo, 'tests', 'bundlers', 'next'));
  for (const file of ['next.config.mjs', 'app/show/page.tsx', 'app/show/define-hudong.tsx', 'app/live/live-room.tsx']) writeFromGuide(app, file);
  // Next's own type check would need a TypeScript with a JS API (the project's is 7): the
  // docs' components are type-checked by docs.spec.mjs instead.
  const config = join(app, 'next.config.mjs');
  writeFileSync(config, readFileSync(config, 'utf8').replace('export default {', 'export default {\n  typescript: { ignoreBuildErrors: true },'));
  cpSync(join(repo, 'tests', 'bundlers', 'app', 'stage.css'), join(app, 'app', 'stage.css'));
  return app;
}

/** A server process of the framework's, in its own process group; `log` collects its output. */
function serve(cmd, args, cwd, env) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const server = { log: '', stop: () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone already */ } } };
  child.stdout.on('data', (d) => { server.log += d; });
  child.stderr.on('data', (d) => { server.log += d; });
  return server;
}

/**
 * A framework app's two pages: `/show` (the elements, server-rendered, defined in the
 * browser; a vote comes out as a DOM event) and `/live` (a room made with `createRoom`).
 */
async function runFrameworkPages(page, base) {
  await page.goto(`${base}/show`);
  await page.evaluate(() => { window.votes = []; document.addEventListener('poll.vote', (e) => window.votes.push(e.detail.option_ids)); });
  const card = page.locator('hudong-room .hd-poll');
  await expect(card.locator('.hd-badge')).toHaveText('โหวต', { timeout: 20_000 });
  await card.getByRole('button', { name: 'Rose' }).click();
  await expect.poll(() => page.evaluate(() => window.votes)).toEqual([['b']]);

  await page.goto(`${base}/live`);
  const poll = page.locator('.overlay .hd-poll');
  await expect(poll.locator('.hd-badge')).toHaveText('โหวต', { timeout: 20_000 });
  await poll.getByRole('button', { name: 'Ruby' }).click();
  await expect(poll.getByRole('button', { name: 'Ruby' })).toHaveAttribute('aria-pressed', 'true');
}

const nextBin = join(repo, 'node_modules', 'next', 'dist', 'bin', 'next');

for (const [name, flags] of [['Turbopack', []], ['webpack', ['--webpack']]]) {
  test(`Next 16 with ${name}, as docs/bundlers.md writes it: Server Component, elements and createRoom`, async ({ page }) => {
    test.setTimeout(240_000);
    const app = nextApp(`next-${name.toLowerCase()}`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    sh(process.execPath, [nextBin, 'build', ...flags], app, env);
    expect(existsSync(join(app, '.next', 'BUILD_ID'))).toBe(true);
    const port = await freePort();
    const server = serve(process.execPath, [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'], app, env);
    try {
      await expect.poll(() => server.log, { timeout: 60_000 }).toMatch(/Ready in/);
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      const base = `http://127.0.0.1:${port}`;

      // The Server Component: rendered on the server with `minorDigits` from the package.
      const html = await (await fetch(`${base}/show`)).text();
      expect(html).toContain('¥129.00');
      expect(html).toContain('<hudong-room');
      await runFrameworkPages(page, base);
      expect(errors).toEqual([]);
    } finally {
      server.stop();
    }
    expect(server.log).not.toMatch(/\b(Error|error)\b:/);
  });
}

// Nuxt 4: the guide's config, client plugin, page and component; built by `nuxi build`,
// served by the Nitro server it emits (server-side rendering on).
test('Nuxt 4, as docs/bundlers.md writes it: server-rendered elements and createRoom in onMounted', async ({ page }) => {
  test.setTimeout(240_000);
  const app = freshApp('nuxt', join(repo, 'tests', 'bundlers', 'nuxt'));
  for (const file of ['nuxt.config.ts', 'app/plugins/hudong.client.ts', 'app/pages/show.vue', 'app/components/LiveRoom.vue']) writeFromGuide(app, file);
  cpSync(join(repo, 'tests', 'bundlers', 'app', 'stage.css'), join(app, 'stage.css'));
  const env = { ...process.env, NUXT_TELEMETRY_DISABLED: '1', CI: '1' };
  sh(process.execPath, [join(repo, 'node_modules', 'nuxt', 'bin', 'nuxt.mjs'), 'build'], app, env);
  const port = await freePort();
  const server = serve(process.execPath, [join(app, '.output', 'server', 'index.mjs')], app, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  try {
    await expect.poll(() => server.log, { timeout: 60_000 }).toMatch(/Listening on/);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const base = `http://127.0.0.1:${port}`;

    const html = await (await fetch(`${base}/show`)).text();
    expect(html).toMatch(/<hudong-poll widget-id="p1" spec="\{&quot;question&quot;/); // rendered on the server
    await runFrameworkPages(page, base);
    expect(errors).toEqual([]);
  } finally {
    server.stop();
  }
});
