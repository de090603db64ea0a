#!/usr/bin/env bash
# npm start: installs what is missing, builds the SDK and the reference backend, and serves
# the demo sandbox from the backend (room hub, collector into SQLite, reward decisions).
#   PORT=9000 npm start            another port
#   HUDONG_DB=/tmp/x.db npm start  another database file (default .hudong/hudong.db)
#   npm start -- --host 0.0.0.0    reachable from phones on the LAN
#   HUDONG_HOST_KEY=… npm start    a host key of your own (default: a new one each start)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
node scripts/build.mjs
cargo build --release -p hudong-backend --locked
# The host key guards the host console's calls; the console gets it once from the address.
if [ -z "${HUDONG_HOST_KEY:-}" ]; then
  HUDONG_HOST_KEY="$(node -e "process.stdout.write(require('node:crypto').randomBytes(18).toString('base64url'))")"
  export HUDONG_HOST_KEY
fi
echo "hudong: host console → http://127.0.0.1:${PORT:-8787}/#key=${HUDONG_HOST_KEY}"
echo "hudong: viewer page  → http://127.0.0.1:${PORT:-8787}/viewer.html"
exec target/release/hudong-backend --site demo-site --dist dist "$@"
