#!/usr/bin/env bash
# Provisions what the browser test (tests/Aspire.Hosting.Prosody.BrowserTests) needs besides Podman and the
# container images (eng/containers/provision.sh): Debian's Chromium, and the playground web chat's npm packages
# (Converse.js). Idempotent: installs only what is missing, and the no-op run takes about a second.
# Run as root on Debian. Playwright's own browser download is not used (it does not work on these machines).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: eng/browser/provision.sh [--help]

  1. apt-get install --no-install-recommends chromium   (only when the package is missing; apt-get update first)
     and libnss3-tools (certutil: the wss:// test trusts the developer certificate in Chromium's NSS database)
  2. apt-get install --no-install-recommends nodejs npm (only when npm is missing)
  3. npm ci in playground/Prosody.WebChat               (only when node_modules is missing or older than package-lock.json)
  4. checks that /usr/bin/chromium starts (--version)

Environment: CHROMIUM_PATH (default /usr/bin/chromium) is what the browser test launches.
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

log() { echo "[browser-provision] $*"; }
fail() { echo "[browser-provision] ERROR: $*" >&2; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND exited with $?"' ERR

repo=$(cd "$(dirname "$0")/../.." && pwd)
webchat="$repo/playground/Prosody.WebChat"
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

apt_updated=0
apt_install() {
  [ "$(id -u)" -eq 0 ] || fail "installing $* needs root (run: sudo $0)"
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. Chromium (Debian's package; /usr/bin/chromium is its launcher script).
step=$SECONDS
if installed chromium && [ -x /usr/bin/chromium ]; then
  log "chromium: present, kept"
else
  log "chromium: installing"
  apt_install chromium
  log "chromium: installed in $((SECONDS - step)) s"
fi

# 1b. certutil, which puts the .NET developer certificate into a browser home's NSS database (Chromium's trust store on Linux).
step=$SECONDS
if installed libnss3-tools; then
  log "libnss3-tools: present, kept"
else
  log "libnss3-tools: installing"
  apt_install libnss3-tools
  log "libnss3-tools: installed in $((SECONDS - step)) s"
fi

# 2. npm, for the web chat's Converse.js.
step=$SECONDS
if command -v npm >/dev/null 2>&1; then
  log "npm: present ($(npm --version 2>/dev/null)), kept"
else
  log "npm: installing nodejs and npm"
  apt_install nodejs npm
  log "npm: installed in $((SECONDS - step)) s"
fi

# 3. The web chat's node_modules (exact versions from package-lock.json; install scripts are not run).
# The web chat's build does the same, but doing it here keeps npm out of a parallel solution build.
step=$SECONDS
stamp="$webchat/node_modules/.package-lock.json"
if [ -f "$stamp" ] && [ ! "$webchat/package-lock.json" -nt "$stamp" ] && [ ! "$webchat/package.json" -nt "$stamp" ]; then
  log "web chat node_modules: up to date, kept"
else
  log "web chat node_modules: npm ci"
  (cd "$webchat" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$stamp"
  log "web chat node_modules: installed in $((SECONDS - step)) s"
fi
[ -f "$webchat/node_modules/converse.js/dist/converse.min.js" ] || fail "Converse.js is missing from $webchat/node_modules after npm ci"

# 4. The browser starts.
[ -x "$chromium" ] || fail "$chromium is not an executable (set CHROMIUM_PATH or install Debian's chromium package)"
version=$("$chromium" --version 2>/dev/null | head -n 1) || fail "$chromium --version failed"
case "$version" in
  Chromium*|Google\ Chrome*) ;;
  *) fail "$chromium --version printed '$version'" ;;
esac
log "$version at $chromium; converse.js $(node -p "require('$webchat/node_modules/converse.js/package.json').version" 2>/dev/null || echo '?')"
log "done in $((SECONDS - started)) s"
