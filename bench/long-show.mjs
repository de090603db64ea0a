// npm run bench (third part): a six-hour show in compressed time. Six polls, each with a
// countdown to its close and a tally every second, for 21,600 s of show time, against a
// one-minute show: the JS heap and the wasm memory after garbage collection, and how long
// the room takes to come back after a widget fails at the end (4× CPU throttle). Uses the
// test build (it has the widget that fails on purpose; otherwise it is the shipped SDK).
// Prints one table and appends it to bench/RESULTS.md.
//
//   BENCH_LONG_S=21600 BENCH_RUNS=3 node bench/long-show.mjs   (the defaults)
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, openFaultPages, repo } from './fault-pages.mjs';

const LONG_S = Number(process.env.BENCH_LONG_S ?? 21_600);
const RUNS = Number(process.env.BENCH_LONG_RUNS ?? 3);
const THROTTLE = 4;
const MB = 1 << 20;

const { base, browser, close } = await openFaultPages();

/** One show in a fresh context: memory after GC, then a failure and its recovery. */
async function run(seconds) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const fetched = [];
    page.on('requestfinished', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${base}/long-show.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const t0 = Date.now();
    const shown = await page.evaluate((s) => window.show(s), seconds);
    const took = Date.now() - t0;
    if (shown.last[0] !== seconds * 6 || shown.widgets !== 6) throw new Error(`the show ended wrong: ${JSON.stringify(shown)}`);
    // Some quiet time, as a show has: the page readies the recovery build when idle.
    await page.evaluate(() => window.idle(3_000));
    const readied = fetched.includes('/dist/recover/hudong_wasm_bg.wasm');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const { shipped: wasm, recovery: recoveryWasm } = await page.evaluate((r) => window.wasmBytes(r), readied);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    const recovery = await page.evaluate(() => window.recover());
    if (!recovery.same) throw new Error(`after a ${seconds} s show the room did not come back as it was`);
    return { heap, wasm, recoveryWasm, recovery: recovery.ms, took, steps: shown.steps };
  } finally {
    await context.close();
  }
}

const results = {};
try {
  for (const seconds of [60, LONG_S]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(seconds));
    results[seconds] = {
      steps: runs[0].steps,
      heap: median(runs.map((r) => r.heap)),
      wasm: median(runs.map((r) => r.wasm)),
      recoveryWasm: median(runs.map((r) => r.recoveryWasm)),
      recovery: median(runs.map((r) => r.recovery)),
      recoveryMax: Math.max(...runs.map((r) => r.recovery)),
      took: median(runs.map((r) => r.took)),
    };
  }
} finally {
  await close();
}
const short = results[60];
const long = results[LONG_S];
const mb = (n) => `${(n / MB).toFixed(2)} MB`;
const yes = (ok) => (ok ? 'yes' : '**no**');
const hours = (LONG_S / 3600).toFixed(LONG_S % 3600 ? 1 : 0);
const table = [
  `### A ${hours}-hour show in compressed time (6 polls, a tally a second each, a countdown each; median of ${RUNS})`,
  '',
  `| | one minute (${short.steps.toLocaleString('en')} steps) | ${hours} hours (${long.steps.toLocaleString('en')} steps) | difference | target | met |`,
  '|---|---:|---:|---:|---|---|',
  `| JS heap after GC | ${mb(short.heap)} | ${mb(long.heap)} | ${mb(long.heap - short.heap)} | within 1 MB | ${yes(long.heap - short.heap < MB)} |`,
  `| wasm memory | ${mb(short.wasm)} | ${mb(long.wasm)} | ${mb(long.wasm - short.wasm)} | within 1 MB | ${yes(long.wasm - short.wasm < MB)} |`,
  `| wasm memory of the recovery build, readied when idle | ${mb(short.recoveryWasm)} | ${mb(long.recoveryWasm)} | ${mb(long.recoveryWasm - short.recoveryWasm)} | | |`,
  `| recovery after a widget fails (${THROTTLE}× throttle) | ${short.recovery.toFixed(1)} ms | ${long.recovery.toFixed(1)} ms (max ${long.recoveryMax.toFixed(1)}) | | under 100 ms | ${yes(long.recoveryMax < 100)} |`,
  `| the show itself, unthrottled | ${short.took} ms | ${(long.took / 1000).toFixed(1)} s | | | |`,
  '',
].join('\n');
console.log(table);
appendFileSync(join(repo, 'bench', 'RESULTS.md'), `\n${table}`);
