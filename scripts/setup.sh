#!/usr/bin/env bash
# Installs what building and testing Hudong need and is missing. Safe to run again:
# each step checks first and does nothing when its tool is already there.
#   scripts/setup.sh           toolchain for building (wasm32 target, wasm-bindgen CLI, npm packages)
#   scripts/setup.sh --test    the same, plus Chromium and ChromeDriver for the browser tests,
#                              redis-server and PostgreSQL for the multi-process backend tests
#   scripts/setup.sh --bench   the same as --test, plus twiggy (the wasm size profiler)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen` pin in Cargo.toml
WASM_SPLIT_VERSION=0.2.4 # the splitter for widgets/ `wasm_split_helpers` 0.2 split points
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "[setup] $1 is required but not installed: $2" >&2; exit 1; }
}
need cargo "install Rust from https://rustup.rs"
need node "install Node.js 20.19 or newer"
need npm "install Node.js 20.19 or newer"
# The package runs on any modern browser; building and testing it needs a current Node
# (Vite, the bundler the tests build the examples with, asks for 20.19 or newer).
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exitCode = a > 20 || (a === 20 && b >= 19) ? 0 : 1' \
  || { echo "[setup] Node.js $(node --version) is too old: install Node.js 20.19 or newer" >&2; exit 1; }

if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes, once)"
  # --locked reproduces the CLI's own lockfile; a registry mirror that lacks one of those exact
  # versions makes it fail, so fall back to the newest compatible versions.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! cargo install --list 2>/dev/null | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (cuts each widget's view into a chunk; a minute or two, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked \
    || cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

# ffmpeg: the live HLS test stream the sandbox plays and the stream tests read (Debian's).
if ! command -v ffmpeg >/dev/null 2>&1 || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf ]; then
  say "installing ffmpeg for the sandbox's live test stream"
  if command -v apt-get >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg fonts-dejavu-core >/dev/null
  else
    echo "[setup] install ffmpeg with your package manager, then rerun" >&2
    exit 1
  fi
fi

MODE="${1:-}"
if [ "$MODE" = "--test" ] || [ "$MODE" = "--bench" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    say "installing Chromium and ChromeDriver for the browser tests"
    if command -v apt-get >/dev/null 2>&1; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      echo "[setup] install Chromium and ChromeDriver with your package manager, then rerun" >&2
      exit 1
    fi
  fi
  # The fonts viewers' phones have (CJK and colour emoji): the layout tests measure text as
  # it is drawn there, not as boxes in a fallback face.
  if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    say "installing the Noto CJK and emoji fonts for the layout tests and screenshots"
    if command -v apt-get >/dev/null 2>&1; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji fontconfig >/dev/null
      fc-cache -f >/dev/null 2>&1 || true
    else
      echo "[setup] install the Noto CJK fonts (fonts-noto-cjk) with your package manager, then rerun" >&2
      exit 1
    fi
  fi
  # Redis: the shared pub/sub of the multi-process backend test.
  if ! command -v redis-server >/dev/null 2>&1; then
    say "installing Redis for the multi-process backend test"
    if command -v apt-get >/dev/null 2>&1; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
      echo "[setup] install redis-server with your package manager, then rerun" >&2
      exit 1
    fi
  fi
  # PostgreSQL: the scale-out store, tested on a throwaway cluster (scripts/postgres.sh).
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "installing PostgreSQL for the multi-process backend tests"
    if command -v apt-get >/dev/null 2>&1; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
      echo "[setup] install PostgreSQL (initdb, pg_ctl) with your package manager, then rerun" >&2
      exit 1
    fi
  fi
fi

TWIGGY_VERSION=0.8.0
if [ "$MODE" = "--bench" ] && [ "$(twiggy --version 2>/dev/null || true)" != "twiggy-opt $TWIGGY_VERSION" ]; then
  say "installing twiggy $TWIGGY_VERSION (the wasm size profiler; a minute or two, once)"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked
fi
