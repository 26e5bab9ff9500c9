#!/usr/bin/env bash
# Runs every test: formatting and lints, the UI's type check and unit tests, Rust unit and
# integration tests, then the end-to-end tests in the real app window under Xvfb.
# Installs what is missing first. Screenshots land in target/e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$SECONDS

step "UI: type check, unit tests, production build"
(cd ui && npm run --silent check && npm run --silent test && npm run --silent build)

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features scopebook-app/figures --locked -- -D warnings

step "Rust: unit and integration tests (writes the TypeScript bindings)"
cargo test --locked
if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- ui/src/lib/bindings)" ]; then
  echo "The TypeScript bindings in ui/src/lib/bindings are out of date with the Rust types:" >&2
  git status --porcelain -- ui/src/lib/bindings >&2
  echo "Commit the regenerated files." >&2
  exit 1
fi

. tests/session.sh

step "Keychain: secrets through the real Secret Service (the secrets store, Xero tokens, the CLI's Xero commands, the SMTP password)"
in_keyring_session cargo test --locked -p scopebook-secrets -p scopebook-xero -p scopebook-cli -p scopebook-core -- --ignored

step "Building the app with its bundled UI"
cargo build --locked -p scopebook-app -p scopebook-cli -p xero-sim

step "End-to-end: the real window under Xvfb, driven through WebDriver"
start_display
in_keyring_session cargo test --locked -p scopebook-e2e -- --test-threads=1

step "Packages: the .deb and .rpm bundled (around the debug build above), the .deb installed and its app smoke-tested, then removed"
bash tests/packaging.sh --debug

step "All tests passed in $((SECONDS - started)) s; screenshots in target/e2e-artifacts/"
