// npm run bench: builds Hudong and its two peers (the same poll in React 19 and in plain DOM
// JavaScript), measures all three in one run of headless Chromium with 4× CPU throttling,
// prints one table and saves it as bench/RESULTS.md.
//
//   BENCH_RUNS=10 BENCH_FLOOD_S=10 BENCH_CHURN=1000 npm run bench   (the defaults)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { startServer } from '../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'bench', '.build');
const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const FLOOD_S = Number(process.env.BENCH_FLOOD_S ?? 10);
const CHURN = Number(process.env.BENCH_CHURN ?? 1000);
const THROTTLE = 4;
const budgets = JSON.parse(readFileSync(join(repo, 'bench', 'budgets.json'), 'utf8'));
const log = (...a) => console.error('[bench]', ...a);

const sizeOf = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const kb = (n) => (n / 1024).toFixed(1);
const sizeText = (s) => `${kb(s.raw)} / ${kb(s.gzip)} / ${kb(s.brotli)}`;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const ms = (x) => `${x.toFixed(1)} ms`;

// ---- build ------------------------------------------------------------------------------
log('building Hudong (full, headless, loader)');
execFileSync('node', [join(repo, 'scripts/build.mjs'), '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'], env });
const artifacts = JSON.parse(readFileSync(join(repo, 'dist/sizes.json'), 'utf8'));

log('building the peers with esbuild (minified ESM bundles)');
mkdirSync(out, { recursive: true });
const peerSize = {};
for (const [name, entry] of [['react', 'react-poll.jsx'], ['plain', 'plain-poll.js']]) {
  await build({
    entryPoints: [join(repo, 'bench', 'peers', entry)],
    bundle: true, minify: true, format: 'esm', target: 'es2022', jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile: join(out, `${name}-poll.js`), write: true, logLevel: 'error',
  });
  peerSize[name] = sizeOf(readFileSync(join(out, `${name}-poll.js`)));
}

// ---- the five largest contributors to the wasm (twiggy over a copy that keeps names) -----
function contributors() {
  const named = join(repo, 'target', 'hudong-bindgen', 'named.wasm');
  execFileSync(join(repo, 'node_modules', '.bin', 'wasm-opt'), ['-Oz', '-g', ...JSON.parse(readFileSync(join(repo, 'dist', 'wasm-features.json'), 'utf8')),
    join(repo, 'target', 'hudong-bindgen', 'hudong_wasm_bg.wasm'), '-o', named], { env });
  const csv = execFileSync('twiggy', ['top', '-n', '1000000', '-f', 'csv', named], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const items = csv.trim().split('\n').slice(1).map((line) => {
    const m = line.match(/^"?(.*?)"?,(\d+),/);
    return { name: m[1].replace(/""/g, '"'), bytes: Number(m[2]) };
  }).filter((i) => !/function names|"name" section|custom section/.test(i.name));
  // Group by the crate (and the module, for Hudong's own crates) each function belongs to.
  const group = (name) => {
    const own = name.match(/hudong_(\w+)::(\w+)/);
    if (own) return `hudong_${own[1]}::${own[2]}`;
    if (/^data segment/.test(name)) return 'static data';
    const m = name.match(/^<?&?(?:dyn )?([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
    return m ? m[1] : 'other (shims, tables)';
  };
  const by = new Map();
  for (const i of items) by.set(group(i.name), (by.get(group(i.name)) ?? 0) + i.bytes);
  const total = items.reduce((a, i) => a + i.bytes, 0);
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([what, bytes]) => `${what} ${kb(bytes)} KB (${((bytes / total) * 100).toFixed(0)}%)`);
}
let top5;
try {
  top5 = contributors();
} catch (err) {
  top5 = [`twiggy failed: ${String(err.message).split('\n')[0]}`];
}

// ---- native core ---------------------------------------------------------------------------
log('native core');
const native = execFileSync('cargo', ['run', '-q', '--release', '-p', 'hudong-core', '--example', 'steps'], { cwd: repo, env, encoding: 'utf8' });
const nativeRows = native.trim().split('\n').map((line) => line.split(' '));

// ---- browser -------------------------------------------------------------------------------
const server = await startServer({
  mounts: [['/dist/', join(repo, 'dist')], ['/build/', out], ['/', join(repo, 'bench', 'pages')]],
});
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function openThrottled(path) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a fresh profile: cold caches
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await page.goto(`${base}/${path}`);
  await page.waitForSelector('body[data-ready=true]', { state: 'attached', timeout: 60_000 });
  return { context, page, cdp };
}

/** `window.ttfw` of `RUNS` loads of a page, each in a fresh profile. */
async function loads(path) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const { context, page } = await openThrottled(path);
    runs.push(await page.evaluate(() => window.ttfw));
    await context.close();
  }
  return runs;
}

const PEERS = [['hudong', 'Hudong'], ['react', 'React 19'], ['plain', 'plain JS']];
const fig = {};
try {
  for (const [peer, label] of PEERS) {
    log(`${label}: ${RUNS} cold loads`);
    const cold = await loads(`${peer}.html`);
    log(`${label}: command → paint, then a ${FLOOD_S} s tally flood`);
    const { context, page } = await openThrottled(`${peer}.html`);
    const lat = await page.evaluate(() => harness.latency({ samples: 200 }));
    const flood = await page.evaluate((s) => harness.flood({ rate: 1000, seconds: s }), FLOOD_S);
    await context.close();
    fig[peer] = {
      ttfwNav: median(cold.map((l) => l.fromNavigation)),
      ttfwCall: median(cold.map((l) => l.fromCall)),
      p50: pct(lat.map((l) => l.toFrame), 50), p99: pct(lat.map((l) => l.toFrame), 99),
      painted50: pct(lat.map((l) => l.toPainted), 50), painted99: pct(lat.map((l) => l.toPainted), 99),
      nextFrame: lat.filter((l) => l.frames === 1).length / lat.length, flood,
    };
  }

  // Hudong with the SDK and the poll's view loaded before the first command (the loader's
  // idle-time load and prefetch), and with a warm-up poll drawn off-screen as well.
  for (const [variant, path] of [['warm', 'hudong-warm.html'], ['warmup', 'hudong-warm.html?warmup']]) {
    log(`Hudong ${variant}: ${RUNS} loads`);
    fig[variant] = median((await loads(path)).map((l) => l.fromCall));
  }

  log(`churn: ${CHURN} cycles of every widget`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(`${base}/churn.html`);
  await page.waitForSelector('body[data-ready=true]', { state: 'attached' });
  const measure = async (cycles) => {
    const r = await page.evaluate((n) => window.churn(n), cycles);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    return { ...r, heap: heap.usedSize, domNodes: dom.nodes, domListeners: dom.jsEventListeners };
  };
  await page.evaluate(() => probe.baseline()); // the page's own listeners (and the test driver's)
  const before = await measure(20);
  const after = await measure(CHURN);
  await context.close();
  fig.churn = { before, after };

  log('event queue');
  const qctx = await browser.newContext();
  const qpage = await qctx.newPage();
  await qpage.goto(`${base}/queue.html`);
  await qpage.waitForSelector('body[data-ready=true]', { state: 'attached' });
  fig.queue = {};
  for (const persist of [false, true]) {
    const runs = [];
    await qpage.evaluate((o) => window.bench(o), { persist, rounds: 100 });
    for (let i = 0; i < 5; i++) runs.push(await qpage.evaluate((o) => window.bench(o), { persist, rounds: 250 }));
    fig.queue[persist ? 'persisted' : 'memory'] = { perSec: median(runs.map((r) => r.perSec)), bytes: median(runs.map((r) => r.bytesPerEvent)) };
  }
  await qctx.close();
} finally {
  await browser.close();
  server.close();
}

// ---- the table -----------------------------------------------------------------------------
const rows = [];
const row = (what, h, r = '—', p = '—', goal = '', met = '') => rows.push([what, h, r, p, goal, met]);
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const yes = (ok) => (ok ? 'yes' : '**no**');
const art = Object.fromEntries(artifacts.map((a) => [a.name, a]));

const sizeRow = (label, a, goal, peers = false) => row(`${label}, KB raw / gzip / brotli`, sizeText(a), peers ? sizeText(peerSize.react) : '—', peers ? sizeText(peerSize.plain) : '—',
  `≤ ${kb(goal)} KB br`, yes(a.brotli <= goal));
sizeRow('size: first widget, everything a poll room downloads (wasm+JS+CSS+the poll\'s view)', art['first widget (poll)'], budgets['first widget (poll)'].goal_brotli, true);
const chunkRows = artifacts.filter((a) => a.name.startsWith('chunk: '));
const biggest = (list) => list.reduce((m, a) => (a.brotli > m.brotli ? a : m));
const others = biggest(chunkRows.filter((a) => a.name !== 'chunk: tryon'));
sizeRow(`size: largest further widget's view (${others.name.slice(7)}; ${chunkRows.length} views)`, others, budgets['chunk: *'].goal_brotli);
sizeRow('size: try-on\'s view', art['chunk: tryon'], budgets['chunk: tryon'].goal_brotli);
sizeRow('size: all views\' chunks together (with their shared code)', art['all chunks'], budgets['all chunks'].goal_brotli);
row('size: every widget at once (main module + all chunks), KB raw / gzip / brotli', sizeText(art.full), '—', '—', '', 'not budgeted (#21)');
sizeRow('size: headless core (wasm+JS)', art.headless, budgets.headless.goal_brotli);
row('size: headless core + poll, KB brotli', kb(art.headless.brotli), '—', '—', '≤ 70.0 KB br', `${yes(art.headless.brotli <= 70 * 1024)} (the headless build is not split per widget: the same file)`);
for (const [name, label] of [['loader', 'size: loader'], ['elements', 'size: custom elements (with the loader)'], ['global', 'size: script-tag file']]) sizeRow(label, art[name], budgets[name].goal_brotli);
row('size: five largest contributors to the main wasm (twiggy)', top5.join('; '));
const H = fig.hudong, R = fig.react, P = fig.plain;
row('time to first widget, from navigation (cold, median)', ms(H.ttfwNav), ms(R.ttfwNav), ms(P.ttfwNav),
  '≤ 0.8× React, ≤ 1.4× plain', `${yes(H.ttfwNav <= 0.8 * R.ttfwNav && H.ttfwNav <= 1.4 * P.ttfwNav)} (${ratio(H.ttfwNav, R.ttfwNav)} React, ${ratio(H.ttfwNav, P.ttfwNav)} plain)`);
row('time to first widget, from the page\'s call (cold, median)', ms(H.ttfwCall), ms(R.ttfwCall), ms(P.ttfwCall), '', `${ratio(H.ttfwCall, R.ttfwCall)} React, ${ratio(H.ttfwCall, P.ttfwCall)} plain`);
row('time to first widget, SDK and the poll\'s view loaded in idle time before the command (from the command, median)', ms(fig.warm), '—', ms(P.ttfwCall),
  '≤ 1.2× plain', `${yes(fig.warm <= 1.2 * P.ttfwCall)} (${ratio(fig.warm, P.ttfwCall)} plain's cold call)`);
row('… and a warm-up poll drawn off-screen before it (compiles the poll\'s code)', ms(fig.warmup), '—', ms(P.ttfwCall),
  '≤ 1.2× plain', `${yes(fig.warmup <= 1.2 * P.ttfwCall)} (${ratio(fig.warmup, P.ttfwCall)} plain's cold call)`);
row('command → frame showing it, tally, p50', ms(H.p50), ms(R.p50), ms(P.p50), '≤ 1.25× plain', `${yes(H.p50 <= 1.25 * P.p50)} (${ratio(H.p50, P.p50)} plain, ${ratio(H.p50, R.p50)} React)`);
row('command → frame showing it, tally, p99', ms(H.p99), ms(R.p99), ms(P.p99), '≤ 1.25× plain', `${yes(H.p99 <= 1.25 * P.p99)} (${ratio(H.p99, P.p99)} plain, ${ratio(H.p99, R.p99)} React)`);
row('tallies shown in the very next frame', `${(H.nextFrame * 100).toFixed(1)}%`, `${(R.nextFrame * 100).toFixed(1)}%`, `${(P.nextFrame * 100).toFixed(1)}%`, '≥ 99%', yes(H.nextFrame >= 0.99));
row('command → frame painted, tally, p50 / p99', `${ms(H.painted50)} / ${ms(H.painted99)}`, `${ms(R.painted50)} / ${ms(R.painted99)}`, `${ms(P.painted50)} / ${ms(P.painted99)}`, '', '');
row(`tally flood 1,000/s × ${FLOOD_S} s: long tasks > 50 ms`, `${H.flood.longTasks} (longest ${H.flood.longestMs.toFixed(0)} ms)`,
  `${R.flood.longTasks} (longest ${R.flood.longestMs.toFixed(0)} ms)`, `${P.flood.longTasks} (longest ${P.flood.longestMs.toFixed(0)} ms)`, 'none', yes(H.flood.longTasks === 0));
row(`tally flood 1,000/s × ${FLOOD_S} s: frames per second`, H.flood.fps.toFixed(1), R.flood.fps.toFixed(1), P.flood.fps.toFixed(1), '≥ 55, ≥ React', yes(H.flood.fps >= 55 && H.flood.fps >= R.flood.fps - 0.5));
const c = fig.churn;
const grow = (k) => c.after[k] - c.before[k];
row(`churn ${CHURN.toLocaleString('en')}× every widget: JS heap growth`, `${kb(grow('heap'))} KB`, '—', '—', '< 1 MB', yes(grow('heap') < 1 << 20));
row(`churn ${CHURN.toLocaleString('en')}× every widget: wasm memory growth`, `${kb(grow('wasmBytes'))} KB (${kb(c.after.wasmBytes)} KB in all)`, '—', '—', '< 1 MB', yes(grow('wasmBytes') < 1 << 20));
const left = c.after.listeners + c.after.timeouts + c.after.intervals + c.after.frames;
row(`churn: listeners / timeouts / intervals / frames left`, `${c.after.listeners} / ${c.after.timeouts} / ${c.after.intervals} / ${c.after.frames}`, '—', '—', 'zero', yes(left === 0));
row('churn: DOM nodes / listeners in the page after (CDP)', `${c.after.domNodes} / ${c.after.domListeners} (before ${c.before.domNodes} / ${c.before.domListeners})`, '—', '—', 'no growth', yes(c.after.domNodes <= c.before.domNodes && c.after.domListeners <= c.before.domListeners));
row('event queue, in memory (wasm, emit → queue)', `${Math.round(fig.queue.memory.perSec).toLocaleString('en')} events/s`);
row('event queue, persisted (localStorage)', `${Math.round(fig.queue.persisted.perSec).toLocaleString('en')} events/s`);
row('bytes per event on the wire', `${fig.queue.memory.bytes.toFixed(0)} B`, '—', '—', '', 'JSON batches of 20');
for (const [k, v] of nativeRows) row(`native core: ${k.replace(/_/g, ' ')}`, `${Number(v).toLocaleString('en')}/s`, '—', '—', '', 'one core, release');

const head = ['measure', 'Hudong', 'React 19', 'plain JS', 'goal', 'met'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((x, i) => String(x).padEnd(widths[i])).join(' | ')} |`;
const table = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim()}, ${kb(totalmem() / 1024)} MB RAM, Linux ${release()}, node ${process.version}, Chromium ${browser.version()}`;
const date = new Date().toISOString().slice(0, 10);
const intro = `Hudong bench — ${date}\n\nMachine: ${machine}. Browser figures: headless Chromium with ${THROTTLE}× CPU throttling (CDP), each page from a local server; cold loads in a fresh browser context each, median of ${RUNS}. React 19.3.1 and the plain-DOM poll are built by esbuild (minified); all three render the same poll markup with the same stylesheet.`;
console.log(`\n${intro}\n\n${table}\n`);
writeFileSync(join(repo, 'bench', 'RESULTS.md'), `# Benchmark results\n\n${intro}\n\nRun it again with \`npm run bench\`; what each line measures is in \`bench/README.md\`.\n\n${table}\n`);
