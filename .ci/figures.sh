#!/usr/bin/env bash
# Prints the figures for issue notes: every bundle raw and after brotli (see size-check.sh),
# the CSS, and the server's
# resident memory when idle. Run after `make build` (or through `make figures`).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}"
bash .ci/size-check.sh || true
css=target/site/pkg/sanduq.css
node -e '
  const fs = require("fs"), zlib = require("zlib"), f = process.argv[1], raw = fs.readFileSync(f);
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  console.log(`${f}: ${(raw.length/1024).toFixed(1)} KiB raw, ${(br.length/1024).toFixed(1)} KiB brotli`);' "$css"

data=$(mktemp -d)
port=3197
SANDUQ_DATA_DIR="$data" SANDUQ_ADDR="127.0.0.1:$port" RUST_LOG=warn "$target/release/sanduq" serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/signin" >/dev/null
sleep 2
echo "server RSS idle (after one page): $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
