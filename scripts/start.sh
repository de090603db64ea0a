#!/usr/bin/env bash
# npm start: installs what is missing, builds the SDK and the reference backend, and serves
# the demo sandbox from the backend (room hub, collector into SQLite, reward decisions).
#   PORT=9000 npm start            another port
#   HUDONG_DB=/tmp/x.db npm start  another database file (default .hudong/hudong.db)
#   npm start -- --host 0.0.0.0    reachable from phones on the LAN
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
node scripts/build.mjs
cargo build --release -p hudong-backend --locked
exec target/release/hudong-backend --site demo-site --dist dist "$@"
