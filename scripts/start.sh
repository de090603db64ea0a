#!/usr/bin/env bash
# npm start: installs what is missing, builds the SDK, and serves the demo sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
node scripts/build.mjs
exec node scripts/serve.mjs "$@"
