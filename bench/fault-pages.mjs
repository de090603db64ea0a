// What the recovery benchmarks share: the test build with the widget that fails on purpose
// (target/fault-dist and its recovery build, built when missing), served with the bench
// pages, and headless Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../scripts/serve.mjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Serves the bench pages over the test build; resolves with `{base, browser, close}`. */
export async function openFaultPages() {
  const faultDist = join(repo, 'target', 'fault-dist');
  if (!['index.js', 'hudong_wasm_bg.wasm', 'recover/hudong_wasm_bg.wasm'].every((f) => existsSync(join(faultDist, f)))) {
    execFileSync('node', [join(repo, 'scripts', 'build.mjs'), '--quiet', '--fault'], { cwd: repo, stdio: 'inherit' });
  }
  const server = await startServer({ mounts: [['/dist/', faultDist], ['/', join(repo, 'bench', 'pages')]] });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    browser,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
