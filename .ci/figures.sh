#!/usr/bin/env bash
# Prints the figures for issue notes: WASM size raw and after brotli, and the server's
# resident memory when idle. Run after `make build` (or through `make figures`).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}"
wasm=target/site/pkg/sanduq.wasm
js=target/site/pkg/sanduq.js
css=target/site/pkg/sanduq.css
node -e '
  const fs = require("fs"), zlib = require("zlib");
  for (const f of process.argv.slice(1)) {
    const raw = fs.readFileSync(f);
    const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    const gz = zlib.gzipSync(raw, { level: 9 });
    console.log(`${f}: ${(raw.length/1024).toFixed(1)} KiB raw, ${(gz.length/1024).toFixed(1)} KiB gzip, ${(br.length/1024).toFixed(1)} KiB brotli`);
  }' "$wasm" "$js" "$css"

data=$(mktemp -d)
port=3197
SANDUQ_DATA_DIR="$data" SANDUQ_ADDR="127.0.0.1:$port" RUST_LOG=warn "$target/release/sanduq" serve &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/signin" >/dev/null
sleep 2
echo "server RSS idle (after one page): $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
