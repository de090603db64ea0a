#!/usr/bin/env bash
# npm start: installs what is missing, builds the SDK and the reference backend, and serves
# the demo sandbox from the backend (room hub, collector into SQLite, reward decisions).
#   PORT=9000 npm start            another port
#   HUDONG_DB=/tmp/x.db npm start  another database file (default .hudong/hudong.db)
#   npm start -- --host 0.0.0.0    reachable from phones on the LAN
#   HUDONG_HOST_KEY=… npm start    a host key of your own (default: one kept in .hudong/host-key)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8787}"
export PORT

# A sandbox already serving this port: say so now, not after a build.
if ! node -e "
  const s = require('net').createServer();
  s.once('error', () => process.exit(1));
  s.listen(Number(process.env.PORT), '127.0.0.1', () => s.close(() => process.exit(0)));
"; then
  echo "hudong: port $PORT is in use — is the sandbox already running? Open http://127.0.0.1:$PORT/" >&2
  echo "hudong: stop it first, or start another one with PORT=9000 npm start" >&2
  exit 1
fi

bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

# The SDK is built again only when a source changed since the last build.
STAMP=dist/.built
if [ -f "$STAMP" ] && [ -z "$(find sdk widgets scripts/build.mjs Cargo.toml Cargo.lock package.json package-lock.json \
      -newer "$STAMP" -type f -print -quit 2>/dev/null)" ]; then
  echo "hudong: the SDK is up to date (dist/)"
else
  node scripts/build.mjs
  touch "$STAMP"
fi
cargo build --release -p hudong-backend --locked

# The host key guards the host console's calls; the console gets it once from the address.
# It is kept in .hudong/host-key, so the console's address stays good across restarts.
if [ -z "${HUDONG_HOST_KEY:-}" ]; then
  mkdir -p .hudong
  if [ ! -s .hudong/host-key ]; then
    (umask 077 && node -e "process.stdout.write(require('node:crypto').randomBytes(18).toString('base64url'))" > .hudong/host-key)
  fi
  HUDONG_HOST_KEY="$(cat .hudong/host-key)"
  export HUDONG_HOST_KEY
fi
echo "hudong: host console → http://127.0.0.1:${PORT}/#key=${HUDONG_HOST_KEY}"
echo "hudong: viewer page  → http://127.0.0.1:${PORT}/viewer.html"
# The live test stream the phones play: ffmpeg, run by the backend into .hudong/stream.
exec target/release/hudong-backend --site demo-site --dist dist --stream .hudong/stream "$@"
