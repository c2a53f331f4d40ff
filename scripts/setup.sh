#!/usr/bin/env bash
# Sets up irisk on a Debian/Ubuntu machine with Node.js >= 20:
#   1. checks Node.js and npm;
#   2. installs the system packages irisk needs, with apt-get, when they are missing
#      (fontconfig-config and fonts-dejavu-core: text in PNG plots; libxgboost0: XGBoost's C
#      library, for training; xgboost: its command-line program, the baseline of `npm run bench -- ml`;
#      chromium: the browser the dashboard's end-to-end test drives);
#   3. installs the npm dependencies (npm ci) and builds (WebAssembly kernels, the native gallery
#      kernel when a C++ compiler is present (else the WebAssembly one serves), TypeScript).
# It downloads only from the npm registry and Debian's package archive, and stops with a clear
# message when a step cannot be done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
fail() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "Node.js is not installed; install Node.js 20 or newer (Debian 13 and Ubuntu 24.04 ship it as nodejs; on older releases use a newer Node.js build)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "Node.js $(node --version) is too old; irisk needs Node.js 20 or newer"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (apt-get install npm)"

SYSTEM_PACKAGES=(fontconfig-config fonts-dejavu-core libxgboost0 xgboost chromium)
missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "WARNING: cannot install ${missing[*]} (no apt-get): plots render without text, training (XGBoost) fails with XGBOOST_UNAVAILABLE and the dashboard browser test cannot run until they are installed"
  else
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing system packages: ${missing[*]} (apt-get)"
    $SUDO apt-get update -qq || fail "apt-get update failed; check the machine's access to Debian's package archive"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
  fi
fi

say "installing npm dependencies (npm ci)"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed; check access to the npm registry"
say "building (WebAssembly kernels, native gallery kernel if a compiler is present, TypeScript)"
npm run build --silent || fail "the build failed"
say "ready"
