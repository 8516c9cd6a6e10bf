#!/usr/bin/env bash
# Writes brotli (quality 11) and gzip copies of the built JS, WASM and CSS next to them, so
# the server sends them compressed without compressing on every request.
set -euo pipefail
dir="${1:-target/site/pkg}"
node -e '
  const fs = require("fs"), path = require("path"), zlib = require("zlib");
  const dir = process.argv[1];
  for (const name of fs.readdirSync(dir)) {
    if (!/\.(js|wasm|css)$/.test(name)) continue;
    const file = path.join(dir, name);
    const raw = fs.readFileSync(file);
    fs.writeFileSync(file + ".br", zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
    fs.writeFileSync(file + ".gz", zlib.gzipSync(raw, { level: 9 }));
  }' "$dir"
