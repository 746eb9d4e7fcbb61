# Shared set-up for Rapport's scripts: sourced, not run. Installs what is missing (apt
# packages, the UI's npm packages, tauri-driver) and sets the build cache location.
# Every step checks first and does nothing when the thing is already there.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# A build cache outside the clone survives fresh clones; a fresh machine just builds cold.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if mkdir -p /var/cache/rapport-target 2>/dev/null && [ -w /var/cache/rapport-target ]; then
    export CARGO_TARGET_DIR=/var/cache/rapport-target
  else
    export CARGO_TARGET_DIR="$ROOT/target"
  fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
# whisper.cpp is built for this machine's CPU (AVX-512 and VNNI where it has them: about a tenth
# faster than the portable AVX2 build of .cargo/config.toml). The scripts build and run on the
# same machine; set GGML_NATIVE=OFF for a binary to copy to other x86-64 CPUs.
export GGML_NATIVE="${GGML_NATIVE:-ON}"
# whisper-rs-sys does not rebuild when a GGML_* setting changes: a stamp in the cache remembers
# the settings of its build, and a change cleans it so the next build makes it again.
ggml_stamp() {
  local want="GGML_NATIVE=$GGML_NATIVE GGML_LLAMAFILE=${GGML_LLAMAFILE:-ON} $(grep -m1 '^whisper-rs = ' "$ROOT/Cargo.toml")"
  local stamp="$CARGO_TARGET_DIR/.ggml-settings"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  mkdir -p "$CARGO_TARGET_DIR"
  (cd "$ROOT" && cargo clean -q -p whisper-rs-sys 2>/dev/null; cargo clean -q --release -p whisper-rs-sys 2>/dev/null) || true
  printf '%s\n' "$want" > "$stamp"
}
command -v cargo >/dev/null && ggml_stamp
# Loopback tests must never go through a proxy.
export NO_PROXY="${NO_PROXY:+$NO_PROXY,}127.0.0.1,localhost" no_proxy="${no_proxy:+$no_proxy,}127.0.0.1,localhost"

step() { printf '\n==> %s\n' "$*" >&2; }

# Debian packages: to build the app, to test it in a real window, for test speech.
# cmake, clang and libclang-dev build whisper.cpp and its bindings (whisper-rs); libsox-fmt-mp3 lets
# the tests make MP3 files.
APT_BUILD=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev cmake clang libclang-dev)
APT_TEST=(xvfb xauth dbus-daemon xdg-utils libglib2.0-bin webkit2gtk-driver imagemagick xdotool espeak-ng sox libsox-fmt-mp3 libxml2-utils python3-venv python3-pip
  python3-docx chromium prometheus fonts-dejavu-core)

apt_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

ensure_apt() {
  local missing
  mapfile -t missing < <(apt_missing "$@" | sed '/^$/d')
  [ "${#missing[@]}" -eq 0 ] && return 0
  step "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Another process may hold the apt lock for a while: wait for it (up to 10 minutes).
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup" >&2; exit 1; }
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
}

ensure_npm() {
  command -v npm >/dev/null || ensure_apt nodejs npm
  local stamp="$ROOT/ui/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/ui/package-lock.json" -nt "$stamp" ]; then
    step "installing the UI's npm packages (npm ci)"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_tauri_driver() {
  command -v tauri-driver >/dev/null && return 0
  step "installing tauri-driver"
  cargo install tauri-driver --locked --quiet
}

build_ui() {
  step "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build)
}

# The desktop app, debug profile (shares its build with the tests), UI embedded.
build_app() {
  step "building the desktop app"
  (cd "$ROOT" && cargo build -p rapport-desktop --features rapport-desktop/custom-protocol "$@")
}

# The end-to-end build of the app: the same, plus the seam that answers file dialogs from the
# test (feature e2e). Its binary is copied to $E2E_APP, so the app scripts/run opens never has it.
E2E_APP="$CARGO_TARGET_DIR/e2e-app/rapport-desktop"
export E2E_APP
build_e2e_app() {
  step "building the desktop app for the end-to-end tests (with the dialog seam)"
  (cd "$ROOT" && cargo build -p rapport-desktop --bin rapport-desktop \
    --features rapport-desktop/custom-protocol,rapport-desktop/e2e)
  mkdir -p "$(dirname "$E2E_APP")"
  cp "$CARGO_TARGET_DIR/debug/rapport-desktop" "$E2E_APP"
}
