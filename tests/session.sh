# Sourced by the test scripts: a display and a keychain for the real app window.

# A private session bus with an unlocked keyring (the Secret Service), its files in a temporary
# folder so a developer's own login keyring is never touched.
in_keyring_session() {
  dbus-run-session -- sh -c '
    keyrings=$(mktemp -d)
    echo -n scopebook-test | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    "$@"; status=$?
    rm -rf "$keyrings"
    exit $status
  ' sh "$@" 2> >(grep -vE "dbus-daemon|xdg-desktop-portal|pw.conf|RealtimeKit|PipeWire|^$|max threads|GNOME_KEYRING|SpiRegistry" >&2)
}

# Starts Xvfb on a free display unless there is one already (DISPLAY set); stopped on exit.
xvfb_pid=
start_display() {
  [ -n "${DISPLAY:-}" ] && return 0
  local n=99
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  export DISPLAY=":$n"
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  trap 'stop_display' EXIT
}
stop_display() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Please run as root or install sudo: $*" >&2; exit 1; fi
}

# Builds the UI unless ui/dist is newer than its sources: a rebuilt ui/dist makes cargo compile
# the app crate again (it embeds the UI), which in a release build takes minutes.
build_ui_if_stale() {
  if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package.json ui/vite.config.ts \
    -newer ui/dist/index.html -print -quit)" ]; then
    (cd ui && npm run --silent build)
  fi
}
