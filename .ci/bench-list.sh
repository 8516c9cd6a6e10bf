#!/usr/bin/env bash
# Prints p50 / p95 / p99 of the conversation-list and mailbox-list server functions on a
# server loaded with the demo (1,000 conversations), measured over loopback with curl.
# Run after `make build`; `make bench` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}"
bin="$target/release/sanduq"
runs="${RUNS:-300}"
port=3196
data=$(mktemp -d)
jar="$data/cookies"
export SANDUQ_DATA_DIR="$data" SANDUQ_ADDR="127.0.0.1:$port" RUST_LOG=warn
"$bin" demo >/dev/null
"$bin" serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

curl -sf -c "$jar" -H 'accept: application/json' -H "origin: http://127.0.0.1:$port" \
  --data 'email=amal@nour-store.example&password=sanduq-demo' "http://127.0.0.1:$port/signin" >/dev/null
mailbox=$(curl -sf -b "$jar" -H "origin: http://127.0.0.1:$port" -X POST "http://127.0.0.1:$port/api/mailboxes" \
  | python3 -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin) if m["name"] == "Support"))')

measure() {
  local name="$1" body="$2"
  for _ in $(seq "$runs"); do
    curl -s -o /dev/null -w '%{time_total}\n' -b "$jar" -H "origin: http://127.0.0.1:$port" \
      --data "$body" "http://127.0.0.1:$port/api/$name"
  done | python3 -c '
import sys
xs = sorted(float(x) * 1000 for x in sys.stdin)
q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"{sys.argv[1]:<34} n={len(xs)}  p50 {q(0.50):.1f} ms  p95 {q(0.95):.1f} ms  p99 {q(0.99):.1f} ms")' "$name ($3)"
}
measure conversations "mailbox=$mailbox&view=open" "open view, 50 rows"
measure conversations "mailbox=$mailbox&view=closed" "closed view, 50 rows"
measure mailboxes "" "3 mailboxes with open counts"
echo "server RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
