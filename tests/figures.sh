#!/usr/bin/env bash
# Prints the app's figures at a firm's volume (start-up, list screens, memory), measured in the
# real window: the release app under Xvfb, driven through WebDriver (tests/figures.rs). The
# firm's data file is made once and kept in target/figures-data-v*/. Results also go to
# target/e2e-artifacts/figures.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
. tests/session.sh
build_ui_if_stale
cargo build --locked --release -p scopebook-app
# The engine's floor beside the app's figure: an empty window with the same webview settings.
cargo build --locked --release -p scopebook-app --features figures --example blank_window
start_display
SCOPEBOOK_APP="$PWD/target/release/scopebook-app" \
  SCOPEBOOK_BLANK_WINDOW="$PWD/target/release/examples/blank_window" in_keyring_session \
  cargo bench --locked -p scopebook-e2e --bench figures
