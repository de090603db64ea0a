// Every code block of the README, the docs and the examples' README is checked against the
// packed package, so the docs cannot drift from the code:
// - JavaScript and TypeScript: type-checked by tsc (strict) with the package's declarations;
//   the ones that can run without a browser run in Node and their printed or `// →` results
//   are compared;
// - JSON: commands are applied in order to a headless room and must be accepted, viewer
//   actions are acted on, events and commands are type-checked against the protocol's types,
//   the documented error is the one the room gives;
// - CSS: parsed by Chromium, and every custom property it sets is one the stylesheet reads;
// - HTML: the script-tag snippet runs in Chromium (the custom-elements one and the quick
//   start run in package.spec.mjs; docs/bundlers.md's blocks are built in bundlers.spec.mjs).
// A block that is a sketch (with "…" where a real message has more) is listed by name below:
// a new block the test cannot check fails it until it is checkable or listed.
import { test, expect } from '@playwright/test';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { packTarball, repo, sh } from './support.mjs';

const SOURCES = ['README.md', 'examples/README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Blocks shown for their shape, with "…" standing for the rest of a message: by file and first line. */
const SKETCHES = [
  ['docs/channel.md', '{"seq": 42, "pts": 1795373881000, "type": "poll.open"'],
  ['docs/channel.md', '{"type": "room.snapshot", "seq": 57, "widgets": ['],
  ['docs/delivery.md', '{"v": 1, "batch_id": 7, "sent_at": 1795373881110, "dropped": 0,'],
  ['docs/delivery.md', '{"batch": [{"type": "track", "event": "poll.vote", "messageId": "<event_id>",'],
];

/** What the fragments use and leave to the host page: declared for tsc. */
const HOST = `import type * as Hudong from 'hudong';
declare global {
  const createRoom: typeof Hudong.createRoom;
  const room: Hudong.Room;
  const roomId: string;
  const viewer: { id: string };
  const socket: WebSocket;
  const video: HTMLVideoElement;
  const send: (event: Hudong.HudongEvent) => void;
  const commandFromBackend: Hudong.CommandMessage;
  const highlightProduct: (optionId: string | undefined) => void;
  const languagePicker: HTMLSelectElement;
  const cart: { add(sku: string, options: { idempotencyKey: string }): void };
  const upload: (jpeg: Blob) => void;
  const tracker: Hudong.Tracker;
  const FaceLandmarker: { createFromOptions(vision: unknown, options: object): Promise<{ detectForVideo(video: HTMLVideoElement, now: number): { faceLandmarks: { x: number; y: number }[][] }; close(): void }> };
  const vision: unknown;
  // Nuxt's auto-imports, for docs/bundlers.md (the Nuxt test builds those files for real).
  const defineNuxtConfig: (config: { vue?: { compilerOptions?: { isCustomElement?: (tag: string) => boolean } } }) => unknown;
  const defineNuxtPlugin: (setup: () => void) => unknown;
}
export {};
`;

function collect() {
  const blocks = [];
  for (const file of SOURCES) {
    const lines = readFileSync(join(repo, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = lines[i].match(/^```(\S*)(.*)$/);
      if (!open) continue;
      const start = i;
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      blocks.push({ file, line: start + 1, lang: open[1], body: body.join('\n') + '\n', name: `${file}:${start + 1}` });
    }
  }
  return blocks;
}

const blocks = collect();
const isSketch = (b) => SKETCHES.some(([file, first]) => b.file === file && b.body.startsWith(first));
const work = join(repo, 'tests', '.tmp', 'docs');
let app;

test.beforeAll(() => {
  const tarball = packTarball(work);
  app = join(work, 'project');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'docs-snippets', private: true, type: 'module' }));
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
});

test('every code block in the docs is one the tests check', () => {
  const kinds = new Set(['js', 'ts', 'tsx', 'json', 'css', 'html', 'vue', 'sh', '']);
  const unknown = blocks.filter((b) => !kinds.has(b.lang)).map((b) => `${b.name} (${b.lang})`);
  expect(unknown, 'blocks of a kind no test checks').toEqual([]);
  // Vue blocks are built by the Nuxt test from docs/bundlers.md; nowhere else.
  expect(blocks.filter((b) => b.lang === 'vue' && b.file !== 'docs/bundlers.md').map((b) => b.name)).toEqual([]);
  // Every listed sketch still exists (a stale entry would hide nothing, but says the list is wrong).
  for (const [file, first] of SKETCHES) expect(blocks.some((b) => b.file === file && b.body.startsWith(first)), `${file}: ${first}`).toBe(true);
  expect(blocks.length).toBeGreaterThan(60);
});

/** Blocks that show input a room refuses (`// → { ok: false, … }`): run below, not type-checked. */
const refusedOnPurpose = (b) => /^\/\/ → \{ ok: false/m.test(b.body);

/** Where a block goes in the snippets project: the file its first line names, or one of its own. */
function snippetPath(b) {
  const named = b.body.split('\n', 1)[0].match(/^(?:\/\/|<!--) ([\w./-]+\.(?:[mc]?[jt]sx?))(?::| -->|$)/)?.[1];
  if (named && b.file === 'docs/bundlers.md') return named.replace(/\.js$/, '.mjs').replace(/\.ts$/, '.mts');
  return `${b.file.replace(/[/.]/g, '_')}_${b.line}.${b.lang === 'js' ? 'mjs' : b.lang === 'tsx' ? 'tsx' : 'mts'}`;
}

test('every JavaScript and TypeScript block type-checks against the package: TypeScript strict, JavaScript as an editor checks it', () => {
  const dir = join(app, 'snippets');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'host.d.ts'), HOST);
  const files = { js: [], ts: [] };
  for (const b of blocks.filter((x) => ['js', 'ts', 'tsx'].includes(x.lang) && !refusedOnPurpose(x))) {
    const file = snippetPath(b);
    mkdirSync(join(dir, file, '..'), { recursive: true });
    // A module each, so two fragments may both declare `room`.
    writeFileSync(join(dir, file), `// ${b.name}\n${b.body}\nexport {};\n`);
    files[b.lang === 'js' ? 'js' : 'ts'].push(`snippets/${file}`);
  }
  expect(files.js.length).toBeGreaterThan(15);
  expect(files.ts.length).toBeGreaterThan(5);
  const base = {
    noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom', 'dom.iterable'],
    jsx: 'react-jsx', types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')], skipLibCheck: true,
  };
  const projects = {
    // TypeScript as a strict project compiles it.
    'tsconfig.ts.json': { compilerOptions: { ...base, strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true }, files: ['snippets/host.d.ts', ...files.ts] },
    // JavaScript as `// @ts-check` in an editor checks it: names, fields and types, not nullability.
    'tsconfig.js.json': { compilerOptions: { ...base, allowJs: true, checkJs: true, strict: false }, files: ['snippets/host.d.ts', ...files.js] },
  };
  for (const [name, config] of Object.entries(projects)) {
    writeFileSync(join(app, name), JSON.stringify(config, null, 2));
    try {
      sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(app, name)], app);
    } catch (err) {
      throw new Error(`the docs' code does not type-check (${name}):\n${err.stdout}${err.stderr}`);
    }
  }
});

/** The JSON blocks that parse, with the document they are in. */
const jsonBlocks = () => blocks.filter((b) => b.lang === 'json' && !isSketch(b)).map((b) => {
  try {
    return { ...b, value: JSON.parse(b.body) };
  } catch (err) {
    throw new Error(`${b.name} is not JSON (${err.message}); if it is a sketch, list it in SKETCHES`);
  }
});

test('every JSON message in the docs has the protocol\'s types', () => {
  const lines = ["import type { Command, Action, HudongEvent, CommandMessage } from 'hudong';", 'type Pick_<U, T> = Extract<U, { type: T }>;'];
  const json = jsonBlocks();
  for (const [i, b] of json.entries()) {
    const { type } = b.value;
    expect(typeof type, `${b.name} has a type`).toBe('string');
    if (type === 'error') continue; // checked against a room below
    const union = 'event_id' in b.value ? 'HudongEvent' : 'seq' in b.value || 'pts' in b.value ? 'CommandMessage' : 'Command | Action';
    lines.push(`// ${b.name}`, `export const m${i}: Pick_<${union}, ${JSON.stringify(type)}> = ${b.body.trim()};`);
  }
  const dir = join(app, 'messages');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'messages.ts'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], skipLibCheck: true }, files: ['messages.ts'] }));
  expect(json.length).toBeGreaterThan(8);
  try {
    sh(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], dir);
  } catch (err) {
    throw new Error(`a JSON message in the docs does not match the protocol's types:\n${err.stdout}`);
  }
});

test('the documented commands are accepted, in order, by a headless room; errors and results are the ones shown', () => {
  // One room per document, its clock at the docs' "now" (1795373881110, the events' `at`).
  const cases = {};
  for (const b of jsonBlocks()) (cases[b.file] ??= []).push({ name: b.name, message: b.value });
  // The `// →` results shown under a call: `<call>;\n// → <value>`.
  const shown = blocks.filter((b) => b.lang === 'js' && /^\/\/ → /m.test(b.body)).map((b) => {
    const [call, result] = b.body.split(/\n\/\/ → /);
    return { name: b.name, file: b.file, call: call.trim().replace(/;$/, ''), result: result.trim() };
  });
  expect(shown.length).toBeGreaterThan(0);
  const script = `
    import { createRoom } from 'hudong/headless';
    const cases = ${JSON.stringify(cases)};
    const shown = ${JSON.stringify(shown)};
    const out = [];
    const rooms = {};
    const roomFor = async (file) => rooms[file] ??= await createRoom({ roomId: 'docs', userId: 'u-42', persist: false, serverTimeOffsetMs: 1795373881110 - Date.now() });
    for (const [file, list] of Object.entries(cases)) {
      const room = await roomFor(file);
      for (const { name, message } of list) {
        if (message.type === 'error') {
          // The error shown is the one a room gives for the command it names.
          const named = message.message.match(/"([^"]+)"/)?.[1];
          const r = room.apply({ type: named, widget_id: 'p1' });
          out.push({ name, ok: r.ok === false && r.error.code === message.code && r.error.message === message.message, got: r });
          continue;
        }
        const asCommand = room.apply(message);
        const r = asCommand.ok || asCommand.error?.code !== 'unknown_command' ? asCommand : room.act(message);
        out.push({ name, ok: r.ok === true, got: r });
      }
    }
    for (const { name, file, call, result } of shown) {
      const room = await roomFor(file);
      const got = new Function('room', 'return ' + call)(room);
      const want = new Function('return (' + result + ')')();
      out.push({ name, ok: JSON.stringify(got) === JSON.stringify(want), got });
    }
    console.log(JSON.stringify(out));
    for (const room of Object.values(rooms)) room.destroy();
  `;
  writeFileSync(join(app, 'apply.mjs'), script);
  const results = JSON.parse(sh(process.execPath, ['apply.mjs'], app).trim().split('\n').pop());
  expect(results.length).toBeGreaterThan(10);
  expect(results.filter((r) => !r.ok), 'messages the docs show that a room does not take as shown').toEqual([]);
});

test('the blocks that run without a browser print what their comments say', () => {
  // docs/api.md's headless example in Node: `console.log(…) // "open"`.
  const headless = blocks.find((b) => b.file === 'docs/api.md' && b.body.startsWith("import { createRoom } from 'hudong/headless';"));
  expect(headless, 'the headless example').toBeTruthy();
  writeFileSync(join(app, 'headless.mjs'), headless.body);
  const printed = sh(process.execPath, ['headless.mjs'], app).trim();
  expect(printed).toBe(JSON.parse(headless.body.match(/\/\/ ("[^"]*")/)[1]));
});

test('every CSS block parses and sets only custom properties the stylesheet reads', async ({ page }) => {
  const css = readFileSync(join(app, 'node_modules', 'hudong', 'dist', 'hudong.css'), 'utf8');
  const read = new Set(css.match(/var\(--hd-[a-z0-9-]+/g).map((v) => v.slice(4)));
  const blocksCss = blocks.filter((b) => b.lang === 'css');
  expect(blocksCss.length).toBeGreaterThan(0);
  for (const b of blocksCss) {
    const rules = await page.evaluate((text) => { const s = new CSSStyleSheet(); s.replaceSync(text); return s.cssRules.length; }, b.body);
    expect(rules, `${b.name} parses`).toBeGreaterThan(0);
    const set = [...b.body.matchAll(/(--hd-[a-z0-9-]+)\s*:/g)].map((m) => m[1]);
    expect(set.filter((p) => !read.has(p)), `${b.name}: custom properties hudong.css does not read`).toEqual([]);
  }
});

test("the README's script-tag snippet runs as written, with the file served from the package", async ({ browser }) => {
  const block = blocks.find((b) => b.file === 'README.md' && b.lang === 'html' && b.body.includes('hudong.global.js'));
  expect(block).toBeTruthy();
  const site = join(work, 'script-tag');
  mkdirSync(site, { recursive: true });
  cpSync(join(app, 'node_modules', 'hudong', 'dist'), join(site, 'dist'), { recursive: true });
  // The published address, served here from the installed package.
  const html = block.body.replace('https://unpkg.com/hudong/dist/hudong.global.js', '/dist/hudong.global.js');
  expect(html).not.toBe(block.body);
  writeFileSync(join(site, 'index.html'), `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><div id="overlay" style="position:relative;width:360px;height:640px"></div>${html}</body></html>`);
  const server = await startServer({ mounts: [['/', site]] });
  const context = await browser.newContext({ bypassCSP: true }); // the snippet's inline script
  const page = await context.newPage();
  try {
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await expect(page.locator('#overlay .hd-likes')).toBeVisible({ timeout: 20_000 });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});
