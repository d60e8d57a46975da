#!/usr/bin/env bash
# Installs everything the tests need (Python packages; Debian's chromium for the browser
# tests) and runs every test. This is the README's test command and exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian's chromium for the browser tests, and nginx for tests/test_serve.py (scripts/serve.sh)
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
  echo "Installing Debian's$missing for the browser tests..."
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# axe-core from the npm registry for tests/test_browser_axe.py, installed outside the clone (a
# cache folder; node and npm from Debian if missing) and named to the tests in AXE_CORE_JS
AXE_VERSION=4.11.0
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/clustering-lab/axe-$AXE_VERSION"
export AXE_CORE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
if [ ! -f "$AXE_CORE_JS" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installing Debian's nodejs and npm for axe-core..."
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
fi

# The tests write only to temporary folders: the clone must be as clean after them as before.
before=$(git status --porcelain 2>/dev/null || true)
status=0
python3 -m pytest "$@" || status=$?
after=$(git status --porcelain 2>/dev/null || true)
if [ "$before" != "$after" ]; then
  echo "The tests changed the working tree (they may write only to temporary folders):"
  diff <(echo "$before") <(echo "$after") || true
  [ "$status" = "0" ] && status=1
fi
exit "$status"
