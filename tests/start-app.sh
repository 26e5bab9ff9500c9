#!/usr/bin/env bash
# Installs what is missing, builds the UI and starts Scopebook.
# Arguments go to the app, e.g. `tests/start-app.sh --data-dir /tmp/demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
(cd ui && npm run build --silent)
exec cargo run -p scopebook-app --bin scopebook-app -- "$@"
