#!/usr/bin/env bash
# The Linux packages, built and tested installed:
#   1. the app with its bundled UI, then the .deb and .rpm from tauri.conf.json (Tauri's bundler:
#      no download at build time), into target/<profile>/bundle/;
#   2. their sizes printed (goal: under 40 MB, for the release build), their metadata checked
#      (version from Cargo.toml, the desktop entry, the icon, the dependencies);
#   3. the .deb installed with apt, the installed app driven through WebDriver under Xvfb (first
#      run → a service → restart → still there: tests/installed.rs), then the package removed.
#
#   bash tests/packaging.sh --release   the packages a firm installs (a cold release build takes
#                                       ~25 min on 2 cores); their sizes are the shipped sizes
#   bash tests/packaging.sh --debug     the same packages around the debug build test-all.sh has
#                                       just made: the same bundler, metadata, install and smoke
#                                       test, in a minute (what test-all.sh runs)
# Needs root or sudo (apt-get install/remove).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
. tests/session.sh

say() { printf '\033[1m--> %s\033[0m\n' "$*"; }
fail() { echo "packaging: $*" >&2; exit 1; }

profile=
case "${1:-}" in
  --release) profile=release ;;
  --debug) profile=debug ;;
  *) echo "usage: bash tests/packaging.sh --release|--debug" >&2; exit 2 ;;
esac

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || fail "no version in Cargo.toml's [workspace.package]"

say "The app, $profile build (version $version)"
build_ui_if_stale
if [ "$profile" = release ]; then
  cargo build --locked --release -p scopebook-app
else
  cargo build --locked -p scopebook-app
fi
# Where cargo puts its builds (CARGO_TARGET_DIR when set), and Tauri its bundles.
bundle_dir=${CARGO_TARGET_DIR:-target}/$profile/bundle

say "Bundling .deb and .rpm"
rm -rf "$bundle_dir/deb" "$bundle_dir/rpm"
# Tauri's CLI wants its config beside the app crate's Cargo.toml; ours sits at the top of the
# repository (the app crate is src-tauri/). The CLI is pointed at src-tauri/ and given the top-level
# config there with its paths made relative to it, for this step only (git ignores the copy).
staged=src-tauri/tauri.conf.json
node -e '
  const fs = require("fs");
  const config = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
  config.build.frontendDist = "../" + config.build.frontendDist;
  config.bundle.icon = config.bundle.icon.map((path) => "../" + path);
  fs.writeFileSync(process.argv[1], JSON.stringify(config, null, 2));
' "$staged"
trap 'rm -f "$staged"' EXIT
TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri bundle --bundles deb,rpm --ci \
  $([ "$profile" = debug ] && echo --debug) >/dev/null
rm -f "$staged"
trap - EXIT
deb=$(ls "$bundle_dir"/deb/*.deb)
rpm=$(ls "$bundle_dir"/rpm/*.rpm)

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
if [ "$profile" = release ]; then goal="goal < 40 MB"; else goal="debug build: not the shipped size"; fi
echo "installer sizes: $(basename "$deb") $(mb "$deb") MB, $(basename "$rpm") $(mb "$rpm") MB ($goal)" \
  | tee "$bundle_dir/sizes.txt"

say "Checking the package's metadata"
info=$(dpkg-deb --info "$deb")
contents=$(dpkg-deb --contents "$deb")
grep -q "^ Package: scopebook$" <<<"$info" || fail "the package is not named scopebook: $info"
grep -q "^ Version: $version$" <<<"$info" || fail "the package's version is not $version: $info"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  grep -q "^ Depends:.*$dep" <<<"$info" || fail "the package doesn't depend on $dep: $info"
done
for path in usr/bin/scopebook-app usr/share/applications/Scopebook.desktop \
  usr/share/icons/hicolor/128x128/apps/scopebook-app.png; do
  grep -qE " (\./)?$path$" <<<"$contents" || fail "$path is not in the package"
done
desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*usr/share/applications/Scopebook.desktop')
for line in "Name=Scopebook" "Exec=scopebook-app" "Icon=scopebook-app" "Type=Application" "Categories=Office;"; do
  grep -q "^$line" <<<"$desktop" || fail "the desktop entry lacks $line: $desktop"
done
rpm_info=$(rpm -qp --queryformat '%{NAME} %{VERSION}\n[%{REQUIRENAME}\n]' "$rpm" 2>/dev/null)
[ "$(head -1 <<<"$rpm_info")" = "scopebook $version" ] || fail "the .rpm is not scopebook $version: $rpm_info"
for dep in webkit2gtk4.1 gtk3 dbus-libs; do
  grep -qx "$dep" <<<"$rpm_info" || fail "the .rpm doesn't require $dep: $rpm_info"
done
# Read whole, then searched: `grep -q` in a pipe may stop reading early and, under pipefail, turn
# rpm's broken pipe into a failure.
rpm_files=$(rpm -qlp "$rpm" 2>/dev/null)
grep -qx /usr/bin/scopebook-app <<<"$rpm_files" || fail "the .rpm has no /usr/bin/scopebook-app"

say "Installing the .deb"
if [[ "$(dpkg-query -W -f='${Status}' scopebook 2>/dev/null || true)" == *"ok installed"* ]]; then
  as_root apt-get remove -y -qq scopebook >/dev/null
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null
removed=no
remove() {
  if [ "$removed" = no ]; then
    as_root apt-get remove -y -qq scopebook >/dev/null || true
    removed=yes
  fi
  stop_display
}
trap remove EXIT
[ -x /usr/bin/scopebook-app ] || fail "/usr/bin/scopebook-app was not installed"

say "Smoke test of the installed app in the real window"
start_display
trap remove EXIT
SCOPEBOOK_APP=/usr/bin/scopebook-app in_keyring_session \
  cargo test --locked -p scopebook-e2e --test installed -- --ignored

say "Removing the package"
remove
[ ! -e /usr/bin/scopebook-app ] || fail "/usr/bin/scopebook-app is still there after removal"
echo "packaging: the .deb installed, its app passed the smoke test, and it was removed"
