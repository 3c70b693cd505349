#!/usr/bin/env bash
# A private, throwaway PostgreSQL for the end-to-end tests (and for .ci/run), loopback only.
#
#   setup_postgres.sh install         make sure initdb/pg_ctl exist (apt-get when missing, as root);
#                                     prints the directory holding them. Exit 3: cannot be installed.
#   setup_postgres.sh start DIR PORT  a new cluster in DIR (created or chowned as needed) listening on
#                                     127.0.0.1:PORT with a database "prefect"; prints its SQLAlchemy URL.
#   setup_postgres.sh stop DIR        stops the cluster in DIR (DIR itself is left for the caller).
#
# PostgreSQL refuses to run as root: as root, the cluster runs as the "postgres" user (created by the
# Debian package) and DIR is handed to it; as any other user, it runs as that user.
set -euo pipefail

bin_dir() {
  local found
  if found="$(command -v pg_ctl 2>/dev/null)" && [ -x "$(dirname "$found")/initdb" ]; then
    dirname "$(readlink -f "$found")"
    return 0
  fi
  # Debian keeps the server binaries out of PATH, under one directory per major version.
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$found" ] && [ -x "$found/initdb" ] && [ -x "$found/pg_ctl" ] && echo "$found"
}

as_owner() {  # run a command as the user that owns the cluster
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install() {
  if bin="$(bin_dir)"; then
    echo "$bin"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL (initdb, pg_ctl) is not installed, and apt-get as root is not available to install it" >&2
    exit 3
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }; then
    echo "apt-get install postgresql failed" >&2
    exit 3
  fi
  bin_dir || { echo "postgresql installed, but initdb/pg_ctl not found" >&2; exit 3; }
}

start() {
  local dir="$1" port="$2" bin password
  bin="$(install)"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "no 'postgres' user to run the cluster as (running as root)" >&2; exit 3; }
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf '%s\n' "$password" > "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
  as_owner "$bin/initdb" --pgdata="$dir/data" --username=prefect --pwfile="$dir/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  # Throwaway data: durability off for speed; loopback TCP and a socket inside DIR only.
  as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
  PGPASSWORD="$password" "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U prefect -d postgres \
    -c "CREATE DATABASE prefect" >/dev/null
  echo "postgresql+asyncpg://prefect:$password@127.0.0.1:$port/prefect"
}

stop() {
  local dir="$1" bin
  bin="$(bin_dir)" || exit 0
  [ -f "$dir/data/postmaster.pid" ] || exit 0
  as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null
}

case "${1:-}" in
  install) install ;;
  start) [ $# -eq 3 ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
