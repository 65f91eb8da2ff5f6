# The two commands of the README are the contract:
#   make run   sets up what is missing, builds a release, then starts the intake and the app on
#              embedded defaults: what a newcomer sees is what a clerk gets
#   make test  sets up what is missing, then runs every test (Rust, UI, end to end) and every
#              check a reviewer makes (rustfmt, clippy, cargo-deny, tidy); CI runs exactly this
# Other one-word targets: setup, build, release, package, check, deny, audit, bench, fuzz, clean.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

REPO := $(CURDIR)
TOOLS := $(REPO)/.tools
export PATH := $(HOME)/.cargo/bin:$(TOOLS)/bin:$(PATH)
export TAURI_DRIVER ?= $(TOOLS)/bin/tauri-driver
export ENROLL_APP_BIN ?= $(REPO)/target/debug/enroll-app
export ENROLL_FIXTURES ?= $(abspath $(REPO)/../shared/fixtures)

# Debian packages: Tauri 2 on WebKitGTK 4.1, plus Xvfb and WebKitWebDriver for the
# end-to-end tests. Node.js comes separately (Debian 12's is too old for Vite). sane-utils
# (scanimage) scans documents; its libsane1 holds SANE's `test` device, the simulated station's
# scanner. Without recommends: those pull in avahi, ipp-usb and systemd.
DEBIAN_PACKAGES := build-essential pkg-config curl file libssl-dev \
	libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev \
	xvfb webkit2gtk-driver python3 sane-utils libsane1
# Only `make test` needs these: Debian's PostgreSQL server for the scale-out intake's tests,
# which start a throwaway cluster of their own with its binaries (initdb, pg_ctl; the
# package's own cluster is not used), venv for moto below, poppler-utils (pdfinfo, pdftoppm),
# with which the end-to-end test reads the slip saved as PDF, and xdotool, with which it answers
# GTK's save dialog (out of WebDriver's reach) as a clerk would.
TEST_DEBIAN_PACKAGES := postgresql python3-venv poppler-utils xdotool
# The S3-compatible server the scale-out intake's tests start on loopback, from PyPI into
# .tools/moto. moto rather than s3rver (npm): moto follows AWS's S3 API closely and is released
# often, and answers what object_store asks of S3 (SigV4-signed requests, multipart uploads,
# ListObjectsV2); s3rver is a smaller emulator whose last release is from December 2024. Its
# server runs from a venv of its own (python3-venv), apart from the system's Python. Pinned, so
# CI gets what the tests were checked with.
MOTO_VERSION := 5.2.5
MOTO_STAMP := $(TOOLS)/moto/.installed-$(MOTO_VERSION)
NODE_MIN := 20.19
TAURI_DRIVER_VERSION := ^2
# Cargo tools that `make test` needs, built from crates.io into .tools/ when missing (their
# prebuilt binaries come from GitHub, which CI cannot reach). Exact versions, so that a fresh
# machine gets what CI was checked with; both need Rust >= 1.91 to build. A cargo-deny already
# on the PATH is used only if it is at least the version deny.toml is written for.
NEXTEST_VERSION := 0.9.151
CARGO_DENY_VERSION := 0.20.2

.PHONY: help run test setup system-packages rust-toolchain node-check ui-deps interop-deps tauri-driver \
	test-tools test-services cargo-nextest cargo-deny ui build release package check fmt-check clippy deny build-reuse \
	audit bench clean

help:
	@echo "make run      build a release, start the intake and the desktop app (simulated devices, local intake)"
	@echo "make test     run every test: Rust crates, UI unit tests, end to end in a real window"
	@echo "make package  build a release and bundle it as a .deb (prints its path and how to install it)"
	@echo "make build    a debug build of the app and the CLI, for developers"
	@echo "make check    rustfmt, clippy and cargo-deny (licences, duplicates, sources); make test runs it too"
	@echo "make audit    cargo-deny's security advisories (needs GitHub, so not part of make test)"

## ---- set-up: install only what is missing ----

setup: system-packages rust-toolchain node-check ui-deps tauri-driver

system-packages:
	@$(call debian-install,$(DEBIAN_PACKAGES))

# $(call debian-install,PACKAGES): installs those of PACKAGES not installed yet (as root, with
# sudo, or says how).
define debian-install
	missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	command="apt-get update && apt-get install -y --no-install-recommends $$missing"; \
	if [ "$$(id -u)" = 0 ]; then echo "Installing: $$missing"; export DEBIAN_FRONTEND=noninteractive; eval "$$command"; \
	elif sudo -n true 2>/dev/null; then echo "Installing with sudo: $$missing"; sudo -n env DEBIAN_FRONTEND=noninteractive bash -c "$$command"; \
	else echo; echo "These Debian packages are missing: $$missing"; echo "Install them as root, then run make again:"; echo; echo "  sudo bash -c '$$command'"; echo; exit 1; fi
endef

rust-toolchain:
	@command -v cargo >/dev/null || { echo "Rust is missing. Install it with rustup (https://rustup.rs):"; \
		echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y"; exit 1; }

node-check:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "Node.js >= $(NODE_MIN) with npm is missing (Debian 12's nodejs is too old for Vite)."; \
		echo "Install Node.js 20 or 22 from https://nodejs.org or NodeSource, then run make again."; exit 1; fi; \
	if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);const [x,y]="$(NODE_MIN)".split(".").map(Number);process.exit(a>x||(a==x&&b>=y)?0:1)'; then \
		echo "Node.js $$(node --version) is too old; Vite needs >= $(NODE_MIN)."; exit 1; fi

ui/node_modules/.package-lock.json: ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

ui-deps: node-check ui/node_modules/.package-lock.json

# The official tus implementations (tus-js-client, @tus/server, @tus/file-store) that the interop
# tests (crate enroll-interop) run against our intake and client: only `make test` needs them.
# Their optional dependencies are Redis clients for stores the tests do not use.
interop/tus/node_modules/.package-lock.json: interop/tus/package-lock.json interop/tus/package.json
	cd interop/tus && npm ci --omit=optional --no-audit --no-fund
	@touch $@

interop-deps: node-check interop/tus/node_modules/.package-lock.json

$(TAURI_DRIVER):
	cargo install tauri-driver --version '$(TAURI_DRIVER_VERSION)' --locked --root $(TOOLS)

tauri-driver: $(TAURI_DRIVER)

# Only `make test` needs these; `make run` does not wait for them.
test-tools: cargo-nextest cargo-deny

# What the scale-out intake's tests start for themselves (see TEST_DEBIAN_PACKAGES, MOTO_VERSION).
test-services:
	@$(call debian-install,$(TEST_DEBIAN_PACKAGES))
	@$(MAKE) --no-print-directory $(MOTO_STAMP)

$(MOTO_STAMP):
	rm -rf $(TOOLS)/moto
	python3 -m venv $(TOOLS)/moto
	$(TOOLS)/moto/bin/pip install --quiet --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'
	@touch $@

# The test runner. Used from wherever it already is (the rust machines carry one); else built
# here once. Without the self-update feature: it would reach for GitHub, and pulls in more code.
cargo-nextest:
	@cargo nextest --version >/dev/null 2>&1 || \
		cargo install cargo-nextest --version '$(NEXTEST_VERSION)' --locked --root $(TOOLS) \
			--no-default-features --features default-no-update

cargo-deny:
	@have=$$(cargo deny --version 2>/dev/null | awk '{print $$2}' || true); \
	if [ -n "$$have" ] && [ "$$(printf '%s\n' '$(CARGO_DENY_VERSION)' "$$have" | sort -V | head -n1)" = '$(CARGO_DENY_VERSION)' ]; then exit 0; fi; \
	cargo install cargo-deny --version '$(CARGO_DENY_VERSION)' --locked --root $(TOOLS)

## ---- build ----

# The window's assets, built again only when a file under ui/ (but node_modules and dist) or its
# node packages changed: src-tauri embeds ui/dist, and the same assets written again would still
# compile the app again (minutes in the release build that `make run` starts).
UI_INPUTS := $(shell find ui -path ui/node_modules -prune -o -path ui/dist -prune -o -type f -print)
ui/dist/index.html: $(UI_INPUTS) ui/node_modules/.package-lock.json
	cd ui && npm run build
	@touch $@

ui: ui-deps ui/dist/index.html

# One cargo invocation per goal: separate `-p` builds resolve features differently and would
# compile much of the dependency tree again. enroll-workspace-hack carries the dependency
# features that the test build gets from dev-dependencies, so that after `make test` this
# compiles only our own crates again (their `test-support` feature stays out of the app), not
# the third-party tree; `make build-reuse` checks that it still does.
BUILD_PACKAGES := -p enroll-app -p enroll-cli -p enroll-workspace-hack
build: ui
	cargo build $(BUILD_PACKAGES)

# The release build that `make run` starts and `make package` bundles, so that what a newcomer
# runs is what a clerk installs. The same package selection as `make build`, so that the
# third-party crates get the features they have in the build the tests ran (see above). It
# shares no compiled code with the test build (another profile): the first one compiles the
# whole tree (many minutes on two cores), later ones only what changed.
release: ui
	cargo build --release $(BUILD_PACKAGES)

# The .deb, from the release build: the app and the `enroll` CLI in /usr/bin, a desktop entry and
# icons, depending on the WebKitGTK 4.1 runtime. scripts/package.sh bundles with the Tauri CLI
# (ui/node_modules, so ui-deps) without building again; e2e/tests/deb_package.rs bundles the
# debug build with it, installs that and starts it.
package: system-packages rust-toolchain release
	@deb=$$(scripts/package.sh); \
	echo; echo "The package: $$deb"; \
	echo "Install it with: sudo apt install $$deb"

## ---- the two commands ----

run: setup release
	scripts/run.sh

# nextest builds every member once, the app binary included (the e2e test drives it); the
# tidy crate's test checks the repository's own rules. Then the checks a reviewer makes, last,
# so that a formatting slip never hides a test result: CI (.ci/run) is this one target, and a
# `make test` that passes here passes there.
test: setup test-tools test-services ui interop-deps
	@scripts/app-data-guard.sh before
	cargo nextest run --workspace --no-fail-fast
	cd ui && npm test
	@scripts/app-data-guard.sh after
	@$(MAKE) --no-print-directory check

## ---- more ----

# The window's TypeScript bindings (ui/src/lib/backend/bindings.ts), generated from the Rust
# commands and the types they name; the contract test fails while the committed file is stale.
.PHONY: bindings
bindings:
	UPDATE_BINDINGS=1 cargo test -p enroll-app --test contract

check: fmt-check clippy deny build-reuse

fmt-check:
	cargo fmt --all --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# cargo-deny (deny.toml): licences, banned and duplicate crates, sources. What CI runs. The
# fourth check, security advisories, needs the RustSec database, a git repository on GitHub;
# CI cannot reach GitHub and no registry it reaches ships the database, so it is `make audit`.
deny: cargo-deny
	cargo deny check licenses bans sources

# Fails if `make build` would compile third-party crates that the test build compiled already
# (see workspace-hack/Cargo.toml). Reads cargo's unit graphs; builds nothing; seconds.
build-reuse:
	scripts/build-reuse.py $(BUILD_PACKAGES)

# Security advisories against the RustSec database, fetched into ~/.cargo/advisory-dbs; run it
# where GitHub can be reached (a developer's machine), before a release and after `cargo update`.
audit: cargo-deny
	cargo deny check advisories

# Release build; the 100,000-registration vault is generated once into target/bench-data.
# Prints PASS/FAIL per limit beside a same-run reference; exits non-zero on any FAIL, after
# running every bench (--no-fail-fast). vault: finalize + approve of a captured registration,
# the 100k vault; biometrics: decoding and scoring ten fingers; jpeg2000 (enroll-devices' own,
# kept in one place): lossless encoding of ten fingers on one core. The last two read
# $(ENROLL_FIXTURES). upload: the station's memory while it uploads a 20 MB packet (a worker
# process against the reference intake on loopback). app_start: the release app's start to its
# login screen and its processes' memory (PSS), each beside an empty Tauri 2 window started in
# the same run (bench/empty-window), under an Xvfb of its own; it needs the release build, and
# the empty window is built in the same cargo command, with the same Tauri (a separate -p build
# would resolve Tauri's features apart and compile it again). registration_flow (crate
# enroll-e2e): whole registrations through the release app's window, driven by tauri-driver
# (`make test` installs it; the bench says so when it is missing) under an Xvfb of its own with
# the simulated devices and no device latency: each wizard step's render, the station's
# round trips summed over a registration, and the processes' memory (PSS) on the slip.
bench: test-services ui
	cargo build --release $(BUILD_PACKAGES) -p enroll-empty-window
	cargo bench -p enroll-bench -p enroll-devices -p enroll-e2e --no-fail-fast --bench vault --bench biometrics --bench jpeg2000 --bench upload --bench link --bench intake_throughput --bench app_start --bench registration_flow

# Every fuzz target (fuzz/README.md) for FUZZ_SECONDS each, on the stable toolchain; fails on a
# crash. `make fuzz FUZZ_SECONDS=600` for a longer run.
.PHONY: fuzz
fuzz: FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules interop/tus/node_modules artifacts .run
