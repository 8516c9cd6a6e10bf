#!/usr/bin/env bash
# Prints p50 / p95 / p99 of the inbox's server functions (conversation list, views, sidebar
# counts, opening a conversation) measured over loopback with curl, on a server loaded with
# the demo (1,000 conversations) and then with the demo grown to 100,000
# (`sanduq demo --conversations N`). Run after `make build`; `make bench` runs it.
# SIZES="1000 100000" and RUNS=300 may be changed from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}"
bin="$target/release/sanduq"
runs="${RUNS:-300}"
port=3196

measure() {
  local name="$1" body="$2"
  for _ in $(seq "$runs"); do
    curl -s -o /dev/null -w '%{time_total}\n' -b "$jar" -H "origin: http://127.0.0.1:$port" \
      --data "$body" "http://127.0.0.1:$port/api/$name"
  done | python3 -c '
import sys
xs = sorted(float(x) * 1000 for x in sys.stdin)
q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"  {sys.argv[1]:<46} n={len(xs)}  p50 {q(0.50):5.1f} ms  p95 {q(0.95):5.1f} ms  p99 {q(0.99):5.1f} ms")' "$name ($3)"
}

for size in ${SIZES:-1000 100000}; do
  data=$(mktemp -d)
  jar="$data/cookies"
  export SANDUQ_DATA_DIR="$data" SANDUQ_ADDR="127.0.0.1:$port" RUST_LOG=warn
  start=$(date +%s.%N)
  "$bin" demo --conversations "$size" >/dev/null
  loaded=$(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")
  "$bin" serve &
  pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf -c "$jar" -H 'accept: application/json' -H "origin: http://127.0.0.1:$port" \
    --data 'email=sara@nour-store.example&password=sanduq-demo' "http://127.0.0.1:$port/signin" >/dev/null
  api() { curl -sf -b "$jar" -H "origin: http://127.0.0.1:$port" --data "$2" "http://127.0.0.1:$port/api/$1"; }
  mailbox=$(api mailboxes "" | python3 -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin) if m["name"] == "Support"))')
  conversation=$(api inbox "view=open" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  next=$(api conversations "mailbox=$mailbox&view=closed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')

  echo "$size conversations (SQLite; loaded in ${loaded} s), as agent Sara, 2 mailboxes:"
  measure conversations "mailbox=$mailbox&view=open" "mailbox, open view, 50 rows"
  measure conversations "mailbox=$mailbox&view=closed&after=$next" "mailbox, closed view, page 2"
  measure conversations "mailbox=$mailbox&view=open&tag=shipping" "mailbox, open, tag=shipping"
  measure inbox "view=mine" "view Mine, 50 rows"
  measure sidebar "" "sidebar counts (5 views + tags)"
  measure conversation "id=$conversation" "open a conversation"
  echo "  server RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
