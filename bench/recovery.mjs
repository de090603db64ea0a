// npm run bench (second part): how long a room takes to come back after one of its widgets
// fails, by the length of its journal. Uses the test build with the widget that fails on
// purpose (target/fault-dist, built here when missing), in headless Chromium with 4× CPU
// throttling. Prints one table and appends it to bench/RESULTS.md.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, openFaultPages, repo } from './fault-pages.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SIZES = [100, 1_000, 10_000];
const THROTTLE = 4;

const { base, browser, close } = await openFaultPages();
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
  await close();
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
