// Playwright runs the end-to-end tests in Debian's Chromium (never a downloaded browser).
import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = Number(process.env.HUDONG_TEST_PORT ?? 4173);
const SANDBOX_DB = join(tmpdir(), `hudong-e2e-sandbox-${PORT}.db`);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./tests/summary-reporter.mjs']],
  // Committed reference images of the views (tests/e2e/screenshots/), updated on purpose with
  // `npx playwright test visual --update-snapshots` and looked at before committing.
  snapshotPathTemplate: '{testDir}/screenshots/{arg}{ext}',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1100, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // A synthetic camera for the AR try-on tests; permission is granted per test.
        '--use-fake-device-for-media-stream',
      ],
    },
  },
  // The sandbox on the reference backend (the debug build `npm test` makes), with a database
  // of its own for this run.
  webServer: {
    command: `rm -f "${SANDBOX_DB}"* && exec target/debug/hudong-backend --port ${PORT} --db "${SANDBOX_DB}" --site demo-site --dist dist`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    stdout: 'ignore',
  },
});
