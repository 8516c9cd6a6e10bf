#!/usr/bin/env bash
# Prints the URL of a PostgreSQL server the tests may create databases on. Uses
# SANDUQ_TEST_POSTGRES_URL or the local server on 127.0.0.1:5432 when one answers; otherwise
# installs Debian's postgresql and starts a throwaway cluster on 127.0.0.1:55432.
set -euo pipefail
log() { echo "$@" >&2; }

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [ -n "${SANDUQ_TEST_POSTGRES_URL:-}" ]; then
  echo "$SANDUQ_TEST_POSTGRES_URL"; exit 0
fi
if answers 127.0.0.1 5432; then
  echo "postgres://postgres@127.0.0.1:5432/postgres"; exit 0
fi

port=55432
dir=/tmp/sanduq-test-postgres
if answers 127.0.0.1 "$port"; then
  echo "postgres://postgres@127.0.0.1:$port/postgres"; exit 0
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  log "No PostgreSQL answers: installing Debian's postgresql for the tests."
  apt-get update >&2 && apt-get install -y postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
log "Starting a throwaway PostgreSQL on 127.0.0.1:$port ($dir)."
rm -rf "$dir" && mkdir -p "$dir" && chown postgres:postgres "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres >&2
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >&2
echo "postgres://postgres@127.0.0.1:$port/postgres"
