// The npm package as another project gets it: `npm pack`, install the tarball into a fresh
// project, resolve `hudong` through its exports, type-check a usage example, run it in Chromium.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(repo, 'tests', '.tmp', 'package');
const app = join(work, 'consumer');
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let server;
let base;

test.beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], repo));
  cpSync(join(repo, 'tests', 'consumer'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --offline: the tarball has no dependencies, so nothing may be fetched.
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], app);
  server = await startServer({ mounts: [['/', app]] });
  base = `http://127.0.0.1:${server.address().port}`;
});

test.afterAll(async () => {
  // Open sockets of pages a failed test left behind must not hold the server open.
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
});

test('the tarball ships the built module, its types and nothing else', () => {
  const [packed] = JSON.parse(sh('npm', ['pack', '--dry-run', '--json'], repo));
  const files = packed.files.map((f) => f.path).sort();
  expect(files).toEqual(
    [
      'LICENSE',
      'README.md',
      'dist/hudong.css',
      'dist/hudong_wasm.d.ts',
      'dist/hudong_wasm.js',
      'dist/hudong_wasm_bg.wasm',
      // Each widget's view, fetched when one of its kind is first drawn, and the code the
      // views share, with the loader that links them to the module.
      'dist/__wasm_split.js',
      ...JSON.parse(readFileSync(join(repo, 'dist', 'chunks.json'), 'utf8')).poll.filter((f) => !f.startsWith('split_')).map((f) => `dist/${f}`),
      ...['coupon', 'flash', 'lead', 'leaderboard', 'likes', 'lottery', 'poll', 'products', 'questions', 'quiz', 'redeem', 'tasks', 'tryon'].map((k) => `dist/split_${k}.wasm`),
      // The recovery build, fetched only after a failure that restores from a checkpoint.
      'dist/recover/hudong_wasm.js',
      'dist/recover/hudong_wasm_bg.wasm',
      'dist/headless/hudong_wasm.d.ts',
      'dist/headless/hudong_wasm.js',
      'dist/headless/hudong_wasm_bg.wasm',
      'dist/headless/recover/hudong_wasm.js',
      'dist/headless/recover/hudong_wasm_bg.wasm',
      'dist/headless/index.d.ts',
      'dist/headless/protocol.d.ts',
      'dist/headless/index.js',
      'dist/loader.d.ts',
      'dist/loader.js',
      'dist/elements.d.ts',
      'dist/elements.js',
      'dist/hudong.global.js',
      'dist/analytics.d.ts',
      'dist/analytics.js',
      'dist/locales/id.json',
      'dist/locales/th.json',
      'dist/locales/vi.json',
      'dist/locales/zh-TW.json',
      'dist/index.d.ts',
      'dist/protocol.d.ts',
      'dist/index.js',
      'dist/testing.d.ts',
      'dist/testing.js',
      // The elements' manifest and their types for React, Vue and Svelte.
      'dist/custom-elements.json',
      ...['react', 'vue', 'svelte'].flatMap((f) => [`dist/${f}.js`, `dist/${f}.d.ts`]),
      // A source map beside every JavaScript file a page runs.
      ...['index.js', 'headless/index.js', 'hudong_wasm.js', 'headless/hudong_wasm.js', 'recover/hudong_wasm.js', 'headless/recover/hudong_wasm.js', '__wasm_split.js',
        'loader.js', 'elements.js', 'analytics.js', 'hudong.global.js'].map((f) => `dist/${f}.map`),
      // What the README links to: the docs (with their pictures), the examples, the changes.
      'ARCHITECTURE.md',
      'CHANGELOG.md',
      ...sh('git', ['ls-files', 'docs', 'examples'], repo).trim().split('\n').filter((f) => /^docs\/[^/]+\.md$|^docs\/img\/.+\.png$|^examples\//.test(f)),
      'package.json',
    ].sort(),
  );
});

test('every link of the README and the shipped docs resolves inside the package', () => {
  const installed = join(app, 'node_modules', 'hudong');
  const docs = ['README.md', 'CHANGELOG.md', ...readdirSync(join(installed, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken = [];
  for (const doc of docs) {
    const text = readFileSync(join(installed, doc), 'utf8');
    for (const target of [...text.matchAll(/\]\(([^)\s]+)\)|<img src="([^"]+)"/g)].map((m) => m[1] ?? m[2])) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const file = target.split('#')[0];
      // Links into the source tree (sdk/…, backend/…) are for readers of the repository.
      if (/^(\.\.\/)?(sdk|backend|widgets|scripts|tests|bench|demo-site)\//.test(file)) continue;
      if (!existsSync(join(installed, dirname(doc), file))) broken.push(`${doc} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});

test('publint and arethetypeswrong find nothing in the package', () => {
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  // publint: the package.json fields and the files they name.
  const lint = sh(join(repo, 'node_modules', '.bin', 'publint'), ['run', join(app, 'node_modules', 'hudong'), '--strict'], repo);
  expect(lint).not.toMatch(/warning|error|suggestion/i);
  // arethetypeswrong: every module entry point's types resolve under node10, node16 and
  // bundler. The package is ESM only (a CommonJS caller uses `import()`, as its README
  // says), and the stylesheet, the wasm, the manifest, the language packs and the script-tag
  // build are files to fetch or link, not modules with types.
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const assets = Object.entries(pkg.exports).filter(([, t]) => typeof t === 'string' && /\.(css|wasm|json|global\.js)$|\*$/.test(t)).map(([k]) => k.slice(2));
  expect(assets.sort()).toEqual(['custom-elements.json', 'headless/hudong_wasm_bg.wasm', 'hudong.css', 'hudong.global.js', 'hudong_wasm_bg.wasm', 'locales/*', 'package.json']);
  const attw = sh(join(repo, 'node_modules', '.bin', 'attw'), [tarball, '--no-color', '--ignore-rules', 'cjs-resolves-to-esm', '--exclude-entrypoints', ...assets], repo);
  expect(attw).toContain('No problems found');
  for (const entry of ['"hudong"', '"hudong/elements"', '"hudong/react"', '"hudong/loader"']) expect(attw).toContain(entry);
});

test('`hudong` resolves through the exports map and type-checks in a strict TS project', () => {
  const resolved = sh('node', ['--input-type=module', '-e', "console.log(import.meta.resolve('hudong'))"], app).trim();
  expect(realpathSync(fileURLToPath(resolved))).toBe(realpathSync(join(app, 'node_modules/hudong/dist/index.js')));
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/hudong/package.json'), 'utf8'));
  expect(pkg.exports['.'].types).toBe('./dist/index.d.ts');
  // Only the stylesheet has effects on import: a bundler keeps `import 'hudong/hudong.css'`
  // and drops every module of the SDK a page does not use.
  expect(pkg.sideEffects).toEqual(['*.css']);
  // tsc exits non-zero on any type error, including an unused @ts-expect-error.
  sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(app, 'tsconfig.json')], app);
  // The same under Node's own resolution (every relative import in the declarations names
  // its file), with the strictest options a project turns on.
  for (const resolution of ['nodenext', 'node16']) {
    const config = join(app, `tsconfig.${resolution}.json`);
    writeFileSync(config, JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { module: resolution, moduleResolution: resolution, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true },
    }));
    sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', config], app);
  }
});

test('the elements type-check in React 19 JSX, Vue 3 and Svelte 5, with typed DOM events and a typed lazy room', () => {
  // React's, Vue's and Svelte's own types come from the repository's node_modules (the app
  // sits below it), as a project's would come from its own.
  const tsc = (name, compilerOptions) => {
    const config = join(app, `tsconfig.frameworks-${name}.json`);
    writeFileSync(config, JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { jsx: 'react-jsx', exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, ...compilerOptions },
      files: ['frameworks.tsx'],
    }));
    try {
      sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', config], app);
    } catch (err) {
      throw new Error(`frameworks.tsx under ${name}:\n${err.stdout}`);
    }
  };
  tsc('bundler', {});
  tsc('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' });
});

test('Node runs the headless build from the installed package, with no options', () => {
  const script = `
    import { createRoom } from 'hudong/headless';
    const room = await createRoom({ roomId: 'node-room' });
    const opened = room.apply({ type: 'poll.open', widget_id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] });
    const tallied = room.apply({ type: 'poll.tally', widget_id: 'p', counts: { a: 2, b: 3 } });
    console.log(JSON.stringify({ opened: opened.ok, tallied: tallied.ok, widgets: room.widgets.map((w) => [w.kind, w.counts]) }));
    room.destroy();
  `;
  const out = sh('node', ['--input-type=module', '-e', script], app).trim().split('\n').at(-1);
  expect(JSON.parse(out)).toEqual({ opened: true, tallied: true, widgets: [['poll', [2, 3]]] });
});

async function openApp(page) {
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${base}/index.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const POLL = {
  type: 'poll.open',
  widget_id: 'p1',
  question: 'Which shade?',
  options: [
    { id: 'a', label: 'Ruby' },
    { id: 'b', label: 'Rose' },
  ],
};

test('installed package: mount, apply, vote; events reach listeners and the transport', async ({ page }) => {
  await openApp(page);
  const result = await page.evaluate((cmd) => window.hudongTest.room.apply(cmd), POLL);
  expect(result).toEqual({ ok: true });
  // The overlay renders in an open shadow root with its stylesheet.
  await expect(page.locator('#overlay .hd-poll')).toBeVisible();
  expect(await page.evaluate(() => !!document.querySelector('#overlay').shadowRoot.querySelector('link[rel=stylesheet]'))).toBe(true);
  // A double tap: two clicks in one task, before the overlay re-renders. One vote only.
  await page.evaluate(() => {
    const button = document.querySelector('#overlay').shadowRoot.querySelector('button[data-option-id="b"]');
    button.click();
    button.click();
  });
  await expect.poll(() => page.evaluate(() => window.hudongTest.sunk.map((e) => e.type))).toEqual(['widget.shown', 'poll.vote']);
  const [shown, vote] = await page.evaluate(() => window.hudongTest.events);
  expect(vote).toMatchObject({
    v: 1,
    type: 'poll.vote',
    seq: 2,
    room_id: 'shop-1',
    user_id: 'u-1',
    widget_id: 'p1',
    kind: 'poll',
    option_ids: ['b'],
    idempotency_key: 'shop-1:p1:u-1:vote:1',
    revote: false,
  });
  expect(vote.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(vote.event_id).not.toBe(shown.event_id);
  expect(Math.abs(vote.at - Date.now())).toBeLessThan(10_000);
  await expect(page.locator('#overlay').getByRole('button', { name: /Rose/ })).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => window.hudongTest.events.length)).toBe(2);
});

test('the host themes the overlay with custom properties on the mount element', async ({ page }) => {
  await openApp(page);
  await page.evaluate((cmd) => window.hudongTest.room.apply(cmd), POLL);
  const badge = page.locator('#overlay .hd-badge');
  await expect(badge).toHaveCSS('background-color', 'rgb(209, 18, 63)'); // the default accent
  await page.evaluate(() => document.querySelector('#overlay').style.setProperty('--hd-accent', 'rgb(0, 100, 0)'));
  await expect(badge).toHaveCSS('background-color', 'rgb(0, 100, 0)');
});

test('bad input never throws: typed errors, unchanged state', async ({ page }) => {
  await openApp(page);
  const out = await page.evaluate((cmd) => {
    const room = window.hudongTest.room;
    room.apply(cmd);
    const before = JSON.stringify(room.widgets);
    const results = [
      room.apply('{not json'),
      room.apply(null),
      room.apply(42),
      room.apply({ type: 'poll.explode' }),
      room.apply({ type: 'poll.open', v: 9, widget_id: 'x' }),
      room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { a: -5 } }),
      room.apply({ type: 'poll.tally', widget_id: 'p1', counts: { zzz: 5 } }),
      room.apply({ ...cmd, options: [{ id: 'a', label: 'A', image: 'javascript:alert(1)' }, { id: 'b', label: 'B' }], widget_id: 'p9' }),
      room.act({ type: 'poll.vote', widget_id: 'p1', option_ids: ['nope'] }),
      room.act({ type: 'poll.vote' }),
      room.vote('ghost', 'a'),
    ];
    return { results, same: JSON.stringify(room.widgets) === before, errors: window.hudongTest.errors };
  }, POLL);
  expect(out.results.map((r) => r.ok)).toEqual(Array(11).fill(false));
  expect(out.results.map((r) => r.error.code)).toEqual([
    'malformed_command',
    'malformed_command',
    'malformed_command',
    'unknown_command',
    'unsupported_version',
    'invalid_field',
    'invalid_field',
    'invalid_field',
    'invalid_choice',
    'invalid_field',
    'unknown_widget',
  ]);
  for (const r of out.results) expect(r.error.message.length).toBeGreaterThan(5);
  expect(out.same).toBe(true);
  // Each failure was also emitted as an `error` event.
  expect(out.errors).toHaveLength(11);
  expect(out.errors.every((e) => e.type === 'error')).toBe(true);
});

test('a failing transport function is retried; nothing is lost, listeners are unaffected', async ({ page }) => {
  await openApp(page);
  const out = await page.evaluate(async (cmd) => {
    const t = window.hudongTest;
    t.failTransport(true);
    const seen = [];
    t.room.on('widget.shown', () => {
      throw new Error('a buggy host listener');
    });
    t.room.on('widget.*', (e) => seen.push(e.type));
    t.room.apply(cmd);
    const until = async (done) => {
      while (!done()) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => t.errors.length >= 2); // several failed attempts
    const during = { errors: t.errors.map((e) => e.code), stats: t.room.delivery, sunk: t.sunk.length };
    t.failTransport(false);
    await until(() => t.room.delivery.delivered >= 1);
    return { during, seen, sunk: t.sunk.map((e) => e.type), stats: t.room.delivery };
  }, POLL);
  expect(out.seen).toEqual(['widget.shown']);
  expect(out.during.sunk).toBe(0);
  expect(out.during.errors.length).toBeGreaterThan(1);
  expect(new Set(out.during.errors)).toEqual(new Set(['transport_failed']));
  expect(out.during.stats.queued).toBe(1);
  expect(out.sunk).toEqual(['widget.shown']);
  expect(out.stats).toMatchObject({ queued: 0, delivered: 1, dropped: 0 });
});

test('destroy() unmounts, stops timers and listeners, and later calls fail softly', async ({ page }) => {
  await openApp(page);
  const out = await page.evaluate(async (cmd) => {
    const t = window.hudongTest;
    await t.room.prefetch(['poll']); // the poll's view draws on the next turn, not when its code arrives
    t.room.apply({ ...cmd, closes_at: Date.now() + 300 });
    await new Promise((r) => requestAnimationFrame(r)); // the overlay renders on the next turn
    const rendered = document.querySelector('#overlay').shadowRoot.querySelectorAll('.hd-poll').length;
    t.room.destroy();
    t.room.destroy(); // idempotent
    const nodesLeft = document.querySelector('#overlay').shadowRoot.childNodes.length;
    const eventsAtDestroy = t.events.length;
    await new Promise((r) => setTimeout(r, 700)); // past the deadline: no poll.closed may fire
    const after = t.room.apply(cmd);
    return { rendered, nodesLeft, eventsAtDestroy, eventsLater: t.events.length, after, widgets: t.room.widgets };
  }, POLL);
  expect(out.rendered).toBe(1);
  expect(out.nodesLeft).toBe(0);
  expect(out.eventsLater).toBe(out.eventsAtDestroy);
  expect(out.after).toMatchObject({ ok: false, error: { code: 'not_open' } });
  expect(out.widgets).toEqual([]);
});

test('the TypeScript unions name exactly the protocol\'s commands, actions and events', () => {
  // The Rust side: the `type` names the core's enums (de)serialize.
  const rust = readFileSync(join(repo, 'sdk', 'core', 'src', 'protocol.rs'), 'utf8');
  // Each enum is generated from a table (`commands! { … }`) whose rows end `= "poll.open" … ;`.
  const table = { Command: 'commands', Action: 'actions', Event: 'events' };
  const renames = (name) => {
    const start = rust.indexOf(`\n${table[name]}! {\n`);
    const block = rust.slice(start, rust.indexOf('\n}\n', start));
    return block
      .split(/;\n/)
      // Rows of the test-only failing widget (`#[cfg(feature = "fault")]`) are never published.
      .filter((row) => !row.includes('#[cfg(feature = "fault")]'))
      .map((row) => row.match(/= "([a-z_]+\.[a-z_]+)"[^\n]*$/)?.[1])
      .filter(Boolean);
  };
  const union = (names) => [...new Set(names)].map((n) => `'${n}'`).join(' | ');
  // The TypeScript side, checked by tsc: each published union's `type` is exactly that set.
  const dir = join(work, 'types');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'check.ts'), [
    "import type { Action, Command, HudongEvent } from '../../../../dist/index';",
    'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : { extra: Exclude<A, B>; missing: Exclude<B, A> }) : { extra: Exclude<A, B>; missing: Exclude<B, A> };',
    `export const commands: Same<Command['type'], ${union(renames('Command'))}> = true;`,
    `export const actions: Same<Action['type'], ${union(renames('Action'))}> = true;`,
    `export const events: Same<HudongEvent['type'], ${union(renames('Event'))}> = true;`,
  ].join('\n'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'] }, files: ['check.ts'] }));
  expect(renames('Command').length).toBeGreaterThan(40);
  expect(renames('Event').length).toBeGreaterThan(40);
  try {
    sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], dir);
  } catch (err) {
    throw new Error(`index.d.ts and the protocol disagree:\n${err.stdout}`);
  }
});

test('the README quick start runs as written', async ({ page }) => {
  // The block under "Use it", with only the bare import pointed at the installed file (the
  // page has no bundler) and the host's own pieces it names defined first.
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = readme.split('## Use it')[1].match(/```js\n([\s\S]*?)```/)[1];
  expect(block).toContain("import { createRoom } from 'hudong';");
  const host = [
    "const viewer = { id: 'viewer-1' };",
    'const socket = {};',
    'window.highlighted = [];',
    'const highlightProduct = (id) => window.highlighted.push(id);',
  ].join('\n');
  const module = block.replace("import { createRoom } from 'hudong';", "import { createRoom } from '/node_modules/hudong/dist/index.js';\n" + host)
    .replace('room.destroy();', 'window.quickStart = { room, apply: room.apply.bind(room) };\ndocument.body.dataset.ready = "true";');
  writeFileSync(join(app, 'quick-start.js'), module);
  writeFileSync(join(app, 'quick-start.html'), '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="quick-start.js"></script></head><body><div id="overlay"></div></body></html>');
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${base}/quick-start.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#overlay .hd-poll').getByRole('heading', { name: '下一个讲解哪款?' })).toBeVisible();
  // The socket handler it installs feeds commands in; the reveal reaches its listener.
  await page.evaluate(() => {
    window.quickStart.room.apply({ type: 'poll.tally', widget_id: 'next-product', counts: { lip: 9, serum: 3 } });
    window.quickStart.room.apply({ type: 'poll.close', widget_id: 'next-product' });
    window.quickStart.room.apply({ type: 'poll.reveal', widget_id: 'next-product' });
  });
  await expect.poll(() => page.evaluate(() => window.highlighted)).toEqual(['lip']);
  expect(errors).toEqual([]);
  // The last line of the block, destroy(), ends it cleanly.
  await page.evaluate(() => window.quickStart.room.destroy());
  await expect(page.locator('#overlay .hd-poll')).toHaveCount(0);
});

test("the README's custom-elements snippet runs in plain HTML with its import map; the manifest matches the elements", async ({ browser }) => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = readme.split('### Custom elements')[1].match(/```html\n([\s\S]*?)```/)[1];
  expect(block).toContain('<script type="importmap">');
  // The snippet as written (its inline scripts need a page without a strict CSP), in a page
  // served beside the installed package.
  writeFileSync(join(app, 'elements-snippet.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>${block}</body></html>`);
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => logs.push(m.text()));
  await page.goto(`${base}/elements-snippet.html`);
  // The video never plays here (src="…"): the room loads after the loader's grace period.
  const poll = page.locator('hudong-room .hd-poll');
  await expect(poll.getByRole('heading', { name: 'Which shade?' })).toBeVisible({ timeout: 20_000 });
  await poll.getByRole('button', { name: 'Rose' }).click();
  await expect.poll(() => logs).toContainEqual('["b"]');
  expect(errors).toEqual([]);

  // custom-elements.json names every element the module defines, with what each observes.
  const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'hudong', 'dist', 'custom-elements.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'hudong', 'package.json'), 'utf8'));
  expect(pkg.customElements).toBe('dist/custom-elements.json');
  const declared = manifest.modules.flatMap((m) => m.declarations).filter((d) => d.customElement)
    .map((d) => ({ tag: d.tagName, attributes: d.attributes.map((a) => a.name).sort() }));
  const defined = await page.evaluate((tags) => tags.map((tag) => ({ tag, attributes: [...(customElements.get(tag)?.observedAttributes ?? ['undefined'])].sort() })), declared.map((d) => d.tag));
  expect(declared).toEqual(defined);
  expect(declared.map((d) => d.tag)).toContain('hudong-try-on');
  // Its events are the protocol's, each under its own name.
  const room = manifest.modules[0].declarations.find((d) => d.tagName === 'hudong-room');
  expect(room.events.map((e) => e.name)).toEqual(expect.arrayContaining(['hudong-ready', 'hudong-error', 'poll.vote', 'flash.result']));
  await context.close();
});
