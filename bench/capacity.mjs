// Capacity of the reference backend on this machine: 1, 2 and 3 release processes (one on
// SQLite alone; one, two and three on a throwaway PostgreSQL and a Redis), simulated viewers
// (`hudong-load --drive`: a poll, a quiz question and a flash sale) spread over them at rising
// counts. A count is held when every viewer connected and the fan-out p99 (command posted →
// viewer received) stays under 500 ms. Prints a Markdown table; `npm run bench:capacity`.
//
//   node bench/capacity.mjs [--viewers 500,1000,2000] [--processes 1,2,3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, startRedis, stop } from '../tests/e2e/backend-process.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return (i > 0 ? process.argv[i + 1] : fallback).split(',').map(Number);
};
const VIEWERS = arg('--viewers', '500,1000,2000,3000');
const PROCESSES = arg('--processes', '1,2,3');
const bin = (name) => join(repo, 'target', 'release', name);

execFileSync('cargo', ['build', '--release', '--locked', '-p', 'hudong-backend'], { cwd: repo, stdio: 'inherit' });

function load(bases, viewers) {
  const args = [...bases.flatMap((b) => ['--url', b]), '--room', `cap-${Date.now()}`, '--viewers', String(viewers), '--seconds', '20', '--drive'];
  const out = execFileSync(bin('hudong-load'), args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const row = (label) => out.split('\n').find((l) => l.startsWith(`| ${label}`))?.split('|')[2]?.trim() ?? '';
  const [p50, p99] = row('fan-out latency').split('/').map((x) => parseFloat(x));
  const connected = parseInt(row('viewers connected'), 10);
  const [requests, answers] = row('reward requests sent').split('/').map((x) => parseInt(x, 10));
  return { connected, p50, p99, requests, answers, rate: row('decisions per second') };
}

const pgDir = mkdtempSync(join(tmpdir(), 'hudong-capacity-pg-'));
const pgUrl = execFileSync('bash', [join(repo, 'scripts', 'postgres.sh'), 'start', pgDir], { encoding: 'utf8' }).trim();
const redis = await startRedis();
const rows = [];
try {
  const setups = [
    ...(PROCESSES.includes(1) ? [{ label: '1 (SQLite)', n: 1, engine: 'sqlite' }] : []),
    ...PROCESSES.map((n) => ({ label: `${n} (PostgreSQL + Redis)`, n, engine: 'postgres' })),
  ];
  for (const s of setups) {
    for (const viewers of VIEWERS) {
      const sqliteDir = mkdtempSync(join(tmpdir(), 'hudong-capacity-'));
      let db = join(sqliteDir, 'cap.db');
      if (s.engine === 'postgres') {
        const name = `cap_${s.n}_${viewers}_${Date.now()}`;
        execFileSync('psql', [pgUrl, '-qc', `CREATE DATABASE ${name}`]);
        db = pgUrl.replace(/\/[^/]*$/, `/${name}`);
      }
      const extra = s.engine === 'postgres' ? ['--redis', redis.url] : [];
      const procs = [];
      try {
        for (let i = 0; i < s.n; i++) {
          procs.push(await startBackend(db, { bin: bin('hudong-backend'), site: null, dist: null, args: ['--max-rooms', '100000', ...extra], stderr: 'ignore' }));
        }
        const r = load(procs.map((p) => p.base), viewers);
        const held = r.connected === viewers && r.p99 < 500;
        rows.push({ setup: s.label, viewers, ...r, held });
        console.error(`${s.label}, ${viewers} viewers: p99 ${r.p99} ms, ${r.answers}/${r.requests} answered, ${r.rate}/s ${held ? 'held' : 'NOT held'}`);
      } finally {
        await Promise.all(procs.map((p) => stop(p.proc)));
        rmSync(sqliteDir, { recursive: true, force: true });
      }
    }
  }
} finally {
  redis.proc.kill('SIGTERM');
  execFileSync('bash', [join(repo, 'scripts', 'postgres.sh'), 'stop', pgDir]);
}

console.log(`\nCapacity on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)} (load tool on the same machine)\n`);
console.log('| processes | viewers | connected | fan-out p50 / p99 ms | reward requests answered | decisions/s | held (all connected, p99 < 500 ms) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.setup} | ${r.viewers} | ${r.connected} | ${r.p50} / ${r.p99} | ${r.answers} of ${r.requests} | ${r.rate} | ${r.held ? 'yes' : 'no'} |`);
}
