#!/usr/bin/env bash
# npm test: installs what is missing, builds, and runs every test.
#   1. native Rust tests (core state machines, property tests)
#   2. wasm-bindgen-test in headless Chromium (the yew views)
#   3. Playwright end-to-end tests (demo sandbox, the packed npm package)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1;35m== %s\033[0m\n' "$*"; }

# A throwaway PostgreSQL cluster for the backend's scale-out store, removed on exit.
PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/hudong-pg.XXXXXX")"
trap 'bash scripts/postgres.sh stop "$PG_DIR"' EXIT
HUDONG_TEST_POSTGRES="$(bash scripts/postgres.sh start "$PG_DIR")"
export HUDONG_TEST_POSTGRES

step "build (dist/)"
node scripts/build.mjs --quiet --fault

step "native tests: cargo test"
cargo test --workspace --exclude hudong-widgets --exclude hudong-wasm --locked
cargo test -p hudong-core --features typescript --locked --lib typescript
# Failure isolation, with the test-only widget that fails on purpose.
cargo test -p hudong-core --features fault --locked --test isolation
# The backend's decisions again, each test on a new PostgreSQL database.
HUDONG_TEST_STORE=postgres cargo test -p hudong-backend --locked

step "browser tests: wasm-bindgen-test in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test -p hudong-widgets -p hudong-web --target wasm32-unknown-unknown --locked

step "reference backend build (the Playwright tests start it)"
cargo build -p hudong-backend --locked

step "end-to-end tests: Playwright"
# A free port for the test server, so a sandbox left running on 4173 does not get in the way.
export HUDONG_TEST_PORT="${HUDONG_TEST_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
npx playwright test
