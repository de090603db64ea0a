// npm run bench (second part): how long a room takes to come back after one of its widgets
// fails, by the length of its journal. Uses the test build with the widget that fails on
// purpose (target/fault-dist, built here when missing), in headless Chromium with 4× CPU
// throttling. Prints one table and appends it to bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const faultDist = join(repo, 'target', 'fault-dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SIZES = [100, 1_000, 10_000];
const THROTTLE = 4;

if (!existsSync(join(faultDist, 'hudong_wasm_bg.wasm')) || !existsSync(join(faultDist, 'index.js'))) {
  execFileSync('node', [join(repo, 'scripts', 'build.mjs'), '--quiet', '--fault'], { cwd: repo, stdio: 'inherit' });
}
const server = await startServer({ mounts: [['/dist/', faultDist], ['/', join(repo, 'bench', 'pages')]], hub: false });
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  for (const steps of SIZES) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      // A fresh page each time: more than three restarts a minute stop a page's rooms.
      await page.goto(`${base}/recovery.html`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      const { ms, ok, got } = await page.evaluate((n) => window.measure(n), steps);
      if (!ok) throw new Error(`recovery with ${steps} steps did not give the room back as it was: ${got}`);
      times.push(ms);
    }
    rows.push({ steps, median: median(times), max: Math.max(...times) });
  }
} finally {
  await browser.close();
  server.close();
}
const table = [
  `### Recovery after a widget fails (${THROTTLE}× CPU throttle, median of ${RUNS})`,
  '',
  '| journal (steps) | restart and rebuild, median | max |',
  '|---:|---:|---:|',
  ...rows.map((r) => `| ${r.steps.toLocaleString('en')} | ${r.median.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`),
  '',
].join('\n');
console.log(table);
appendFileSync(join(repo, 'bench', 'RESULTS.md'), `\n${table}`);
