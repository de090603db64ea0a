// npm run bench: builds, then measures and prints one table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../scripts/serve.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
const rows = [];
const row = (what, value, unit, note = '') => rows.push({ what, value, unit, note });

execFileSync('node', [join(repo, 'scripts/build.mjs'), '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'], env });
const sizes = JSON.parse(readFileSync(join(repo, 'dist/sizes.json'), 'utf8'));
for (const s of sizes) row(`size ${s.file}`, `${(s.raw / 1024).toFixed(1)} / ${(s.gzip / 1024).toFixed(1)} / ${(s.brotli / 1024).toFixed(1)}`, 'KB raw / gzip / brotli');

const native = execFileSync('cargo', ['run', '-q', '--release', '-p', 'hudong-core', '--example', 'steps'], { cwd: repo, env, encoding: 'utf8' });
for (const line of native.trim().split('\n')) {
  const [k, v] = line.split(' ');
  row(`native ${k.replace(/_/g, ' ')}`, Number(v).toLocaleString('en'), '/s', 'one core, release build');
}

const server = await startServer({ mounts: [['/dist/', join(repo, 'dist')], ['/', join(repo, 'bench/pages')]] });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/queue.html`);
  await page.waitForSelector('body[data-ready=true]', { state: 'attached' });
  for (const persist of [false, true]) {
    const runs = [];
    await page.evaluate((o) => window.bench(o), { persist, rounds: 100 }); // warm-up
    for (let i = 0; i < 5; i++) runs.push(await page.evaluate((o) => window.bench(o), { persist, rounds: 250 }));
    runs.sort((a, b) => a.perSec - b.perSec);
    const median = runs[2];
    row(`wasm queue, ${persist ? 'persisted (localStorage)' : 'in memory'}`, Math.round(median.perSec).toLocaleString('en'), 'events/s', `median of 5 × ${median.events} events, emit→queue`);
    if (!persist) row('wire bytes per event', median.bytesPerEvent.toFixed(0), 'bytes', 'Hudong JSON batches of 20');
  }
} finally {
  await browser.close();
  server.close();
}

const w = [Math.max(...rows.map((r) => r.what.length)), Math.max(...rows.map((r) => String(r.value).length))];
console.log(`\nHudong bench — ${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, node ${process.version}\n`);
console.log(`| ${'measure'.padEnd(w[0])} | ${'value'.padStart(w[1])} | unit | note |`);
console.log(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|------|------|`);
for (const r of rows) console.log(`| ${r.what.padEnd(w[0])} | ${String(r.value).padStart(w[1])} | ${r.unit} | ${r.note} |`);
