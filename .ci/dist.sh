#!/usr/bin/env bash
# Writes dist/sanduq-VERSION-ARCH-linux.tar.gz (ARCH from uname -m, x86_64 here): the release binary, the built site beside it
# (JS, WASM, CSS and their brotli/gzip copies), the operators' README, an example systemd unit
# and an example reverse-proxy config. Needs `make build` first (the Makefile's dist does it).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}"
site="${LEPTOS_SITE_ROOT:-target/site}"
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
name="sanduq-$version-$(uname -m)-linux"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/$name"
install -m 0755 "$target/release/sanduq" "$stage/$name/sanduq"
cp -r "$site" "$stage/$name/site"
cp server/dist/README.md server/dist/sanduq.service server/dist/Caddyfile server/dist/nginx.conf "$stage/$name/"
mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" --owner=0 --group=0 "$name"
echo "dist/$name.tar.gz: $(du -h "dist/$name.tar.gz" | cut -f1) ($(tar -tzf "dist/$name.tar.gz" | wc -l) files)"
