// The reference backend as the end-to-end tests run it: the debug binary `npm test` builds,
// on a free port, with a database of its own.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = join(repo, 'target', 'debug', 'hudong-backend');

/** A new folder for test databases. */
export const tempDir = (name) => mkdtempSync(join(tmpdir(), `hudong-${name}-`));

/**
 * Starts the backend on a free port, serving `site` at / and `dist` at /dist/ (`null`: not
 * served); resolves with its base URL and the process. `bin`: another build of it (the
 * capacity bench runs the release one), `stderr`: where its log goes.
 */
export function startBackend(db, { site = join(repo, 'demo-site'), dist = join(repo, 'dist'), args = [], bin = binary, stderr = 'inherit' } = {}) {
  const serve = [...(site ? ['--site', site] : []), ...(dist ? ['--dist', dist] : [])];
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['--port', '0', '--db', db, ...serve, ...args], {
      stdio: ['ignore', 'pipe', stderr],
    });
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[\d.:]+)/);
      if (m) resolve({ base: m[1], proc });
    });
    proc.on('exit', (code) => reject(new Error(`backend exited with ${code}: ${out}`)));
  });
}

/** SIGTERM, and the exit code; a backend that does not stop in 10 s is killed (and fails). */
export function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((done) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', (code) => {
      clearTimeout(kill);
      done(code);
    });
    proc.kill('SIGTERM');
  });
}

/** Posts a host command to a room (development mode: no host key); resolves to `{seq, pts?}`. */
export async function postCommand(base, room, message) {
  const res = await fetch(`${base}/rooms/${room}/commands`, { method: 'POST', body: JSON.stringify(message) });
  const out = await res.json();
  if (!res.ok || out.ok === false) throw new Error(`${message.type} refused: ${JSON.stringify(out.error)}`);
  return out;
}

/** A Redis server of its own on a free port; resolves when it answers. */
export async function startRedis() {
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const cli = (...args) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (cli('ping') === 'PONG') break;
    } catch {
      // not up yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, proc, cli };
}

/**
 * A new, empty database on the test PostgreSQL cluster that `npm test` starts
 * (`HUDONG_TEST_POSTGRES`, printed by `scripts/postgres.sh start`): its URL.
 */
export function postgresDatabase(name) {
  const base = process.env.HUDONG_TEST_POSTGRES;
  if (!base) throw new Error('HUDONG_TEST_POSTGRES is not set: export HUDONG_TEST_POSTGRES=$(bash scripts/postgres.sh start /tmp/hudong-pg), as npm test does');
  const db = `hudong_${name}_${process.pid}_${Date.now()}`;
  execFileSync('psql', [base, '-qc', `CREATE DATABASE ${db}`]);
  return base.replace(/\/[^/]*$/, `/${db}`);
}
