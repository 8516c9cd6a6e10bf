#!/usr/bin/env bash
# Checks the brotli size of every bundle against .ci/size-budget and prints them all: the main
# bundle (what a browser downloads before a mailbox list is live: sanduq.js, sanduq.wasm and
# the split loader they import) and each lazy page (its chunks from __wasm_split_manifest.json).
# Brotli at quality 11 is deterministic, so a bundle past its budget fails the build.
# Run after `make build` (the Makefile's size target does).
set -euo pipefail
cd "$(dirname "$0")/.."
node - "${1:-target/site/pkg}" .ci/size-budget <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [pkg, budgetFile] = process.argv.slice(2);
const br = (f) => zlib.brotliCompressSync(fs.readFileSync(path.join(pkg, f)),
  { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const raw = (f) => fs.statSync(path.join(pkg, f)).size;
const files = fs.readdirSync(pkg);
const loader = files.find((f) => /^__wasm_split\..*\.js$/.test(f));
// sanduq.js imports the split loader at start, so it is part of the first load.
const bundles = { main: ['sanduq.js', 'sanduq.wasm', ...(loader ? [loader] : [])] };
const manifest = files.includes('__wasm_split_manifest.json')
  ? JSON.parse(fs.readFileSync(path.join(pkg, '__wasm_split_manifest.json'), 'utf8')) : {};
for (const [fn, chunks] of Object.entries(manifest)) {
  // "__settings_route_view_3971…" -> "settings"
  const name = fn.replace(/^__/, '').replace(/_route_view_\d+$/, '').replace(/_\d+$/, '');
  bundles[name] = chunks.map((c) => `${c}.wasm`);
}
const budget = {};
for (const line of fs.readFileSync(budgetFile, 'utf8').split('\n')) {
  const [name, bytes] = line.replace(/#.*/, '').trim().split(/\s+/);
  if (name && bytes) budget[name] = Number(bytes);
}
let over = 0;
for (const [name, parts] of Object.entries(bundles)) {
  const b = parts.reduce((s, f) => s + br(f), 0), r = parts.reduce((s, f) => s + raw(f), 0);
  const limit = budget[name];
  const verdict = limit === undefined ? 'NO BUDGET' : b > limit ? `OVER by ${b - limit} B` : 'ok';
  console.log(`${name.padEnd(18)} ${(r / 1024).toFixed(1).padStart(8)} KiB raw ${(b / 1024).toFixed(1).padStart(7)} KiB brotli  budget ${limit ?? '-'} B  ${verdict}`);
  if (verdict !== 'ok') over++;
}
for (const name of Object.keys(budget)) {
  if (!bundles[name]) { console.log(`${name}: in the budget but not built`); over++; }
}
if (over) { console.error(`size check: ${over} bundle(s) past or outside .ci/size-budget`); process.exit(1); }
JS
