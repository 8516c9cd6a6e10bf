#!/usr/bin/env bash
# Starts a throwaway Sanduq for the end-to-end tests: a fresh data dir, the demo, two users
# and a mailbox without mail servers, then the release server on the given port. Playwright stops it when done.
set -euo pipefail
port="${1:-3107}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="${SANDUQ_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/sanduq/target}/release/sanduq}"
data="$(mktemp -d /tmp/sanduq-e2e.XXXXXX)"
trap 'rm -rf "$data"' EXIT

export SANDUQ_DATA_DIR="$data"
export SANDUQ_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$root/target/site"
export LEPTOS_OUTPUT_NAME=sanduq
export RUST_LOG="${RUST_LOG:-warn}"
unset SANDUQ_DATABASE_URL SANDUQ_PUBLIC_URL

# The demo store (its mailboxes Support, Sales and Returns), then the tests' own users.
"$bin" demo >/dev/null
echo 'correct horse battery' | "$bin" user add --email sara@e2e.test --name 'Sara Haddad' --role agent --mailbox Support >/dev/null
echo 'correct horse battery' | "$bin" user add --email amal@e2e.test --name 'Amal Admin' --role admin >/dev/null
# A real (not demo) mailbox without mail servers yet, for the mail servers page.
"$bin" mailbox add --name Wholesale --address wholesale@e2e.test >/dev/null
"$bin" serve
