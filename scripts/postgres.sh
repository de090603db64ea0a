#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a new data directory in a temporary folder,
# on a free loopback port, with a `hudong` database that trusts local connections.
#   scripts/postgres.sh start DIR   initdb + start; prints the database URL
#   scripts/postgres.sh stop DIR    stops the cluster and removes DIR
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user
# (Debian's package creates it) or, failing that, `nobody`.
set -euo pipefail

bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$found" ] || { echo "[postgres] $name not found: run scripts/setup.sh --test" >&2; exit 1; }
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

cmd="${1:-}"
dir="${2:-}"
[ -n "$dir" ] || { echo "usage: scripts/postgres.sh start|stop DIR" >&2; exit 2; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      user=postgres
      id -u "$user" >/dev/null 2>&1 || user=nobody
      chown "$user" "$dir"
    fi
    port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
    as_owner "$(bin initdb)" -D "$dir/data" -U hudong -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # A test cluster: no fsync (a crash loses the cluster, which is thrown away anyway).
    as_owner "$(bin pg_ctl)" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$(bin createdb)" -h 127.0.0.1 -p "$port" -U hudong hudong
    echo "postgres://hudong@127.0.0.1:$port/hudong"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$(bin pg_ctl)" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
