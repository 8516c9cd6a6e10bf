# Sanduq: `make run` serves the app, `make test` runs every test. Both first install what this
# machine lacks (the wasm target, the pinned cargo-leptos and wasm-bindgen CLI, wasm-opt; for
# tests also Chromium, the Playwright package, PostgreSQL, Dovecot and aiosmtpd), and both build the same
# release profile, so the second one reuses the first one's build.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

export PATH := $(HOME)/.cargo/bin:$(PATH)
# Outside the clone, so CI and the next session reuse what was compiled.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/sanduq/target
export SANDUQ_DATA_DIR ?= ./data
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_OUTPUT_NAME ?= sanduq
export RUST_LOG ?= info,sqlx=warn

SANDUQ := $(CARGO_TARGET_DIR)/release/sanduq
CARGO_LEPTOS_VERSION := 0.3.10
# Must equal the wasm-bindgen crate in Cargo.lock (pinned with = in Cargo.toml).
WASM_BINDGEN_VERSION := 0.2.130
BINARYEN_VERSION := 132
APT_UPDATED := $(CARGO_TARGET_DIR)/.apt-updated
VERSION := $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
DIST := dist/sanduq-$(VERSION)-$(shell uname -m)-linux.tar.gz

.PHONY: run build tools test test-tools check-wasm size lint unit e2e figures bench dist clean

## Tools the build needs; each is installed only when missing or at another version.
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" || { \
	  echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 25 minutes on 2 cores, once)"; \
	  cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION); }
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" || { \
	  echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }
	@command -v npm >/dev/null || { $(MAKE) --no-print-directory apt-update; apt-get install -y nodejs npm; }
	@wasm-opt --version 2>/dev/null | grep -q "version $(BINARYEN_VERSION)" || npm install -g binaryen@$(BINARYEN_VERSION)

.PHONY: apt-update
apt-update:
	@mkdir -p "$(CARGO_TARGET_DIR)"
	@[ -f "$(APT_UPDATED)" ] || { apt-get update && touch "$(APT_UPDATED)"; }

build: tools
	cargo leptos build --release --split
	bash .ci/precompress.sh "$(LEPTOS_SITE_ROOT)/pkg"

## Serve on 127.0.0.1:3000 (SANDUQ_ADDR) with the data in ./data (SANDUQ_DATA_DIR).
run: build
	@mkdir -p "$(SANDUQ_DATA_DIR)"
	@$(SANDUQ) migrate >/dev/null
	@if [ -z "$$($(SANDUQ) user list)" ]; then \
	  echo "Empty database: loading the demo (a store's team and two months of mail)."; \
	  $(SANDUQ) demo > "$(SANDUQ_DATA_DIR)/demo.txt"; \
	fi
	@echo
	@echo "  Sanduq is starting at http://$${SANDUQ_ADDR:-127.0.0.1:3000}"
	@if [ -f "$(SANDUQ_DATA_DIR)/demo.txt" ]; then sed 's/^/  /' "$(SANDUQ_DATA_DIR)/demo.txt"; \
	else echo "  Sign in with an account made by '$(SANDUQ) user add'."; fi
	@echo "  Add people:   $(SANDUQ) user add --email sara@example.com --name Sara --role agent"
	@echo "  Stop with Ctrl-C."
	@echo
	exec $(SANDUQ) serve

## Everything the tests need besides the build.
test-tools:
	@command -v chromium >/dev/null || { $(MAKE) --no-print-directory apt-update; apt-get install -y chromium; }
	@# Real mail servers for the mail tests (started by the tests on loopback; the packages'
	@# own services are not used) and mbsync for the ingest benchmark's comparison.
	@{ command -v dovecot >/dev/null && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && command -v mbsync >/dev/null; } || { \
	  $(MAKE) --no-print-directory apt-update; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd python3-aiosmtpd isync; }
	@cd end2end && { [ -d node_modules/@playwright/test ] && [ -d node_modules/@axe-core/playwright ] || npm ci --no-audit --no-fund; }

## The browser build of the app must keep compiling for wasm32 with no server-only crate in it.
check-wasm: tools
	cargo check -p app --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release

## Every bundle (the main one and each lazy page's chunks) within .ci/size-budget, after brotli.
size: build
	bash .ci/size-check.sh

## Formatting and clippy; clippy denies unwrap outside tests.
lint: build
	cargo fmt --all --check
	cargo clippy --release -p model -p backend -p server -p app --features app/ssr --all-targets -- -D warnings

## Rust tests: unit tests, the store suite on SQLite and PostgreSQL, HTTP tests.
unit: build test-tools
	pg="$$(bash .ci/ensure-postgres.sh)"; export SANDUQ_TEST_POSTGRES_URL="$$pg"; \
	cargo test --release -p model -p backend -p server -p app --features app/ssr

## The release bundle for operators: dist/sanduq-VERSION-x86_64-linux.tar.gz (the binary, the
## built site beside it, an operators' README, a systemd unit and reverse-proxy examples).
dist: build
	bash .ci/dist.sh

## Playwright with the system Chromium against the release server (and the unpacked bundle).
e2e: build test-tools dist
	cd end2end && SANDUQ_DIST="$(CURDIR)/$(DIST)" PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/results.json npx playwright test --reporter=list,json

test: build test-tools check-wasm size lint unit e2e

## Figures for notes: every bundle raw and brotli against its budget, server RSS idle.
figures: build
	bash .ci/figures.sh

## Latency of the list server functions at demo size; then mail ingest from a loopback Dovecot
## (INGEST_MAILS mails, 10,000 by default) against mbsync; then live-channel fan-out (1,000
## sockets, 1,000 typing frames a second) on one node with SQLite and two with PostgreSQL.
bench: build test-tools
	bash .ci/bench-list.sh
	cargo run --release -p backend --example ingest_bench -- $${INGEST_MAILS:-10000}
	cargo run --release -p server --example live_load
	pg="$$(bash .ci/ensure-postgres.sh)"; export SANDUQ_TEST_POSTGRES_URL="$$pg"; \
	cargo run --release -p server --example live_load -- --postgres --nodes 2

clean:
	rm -rf target/site dist end2end/test-results end2end/screenshots
