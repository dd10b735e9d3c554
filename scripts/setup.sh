#!/usr/bin/env bash
# Installs what the project needs on a fresh machine and builds it; each step is a no-op when already done.
# Used by `npm test` (pretest), `npm run demo` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  command -v php >/dev/null 2>&1 || missing+=(php-cli)
  command -v php >/dev/null 2>&1 && php -m 2>/dev/null | grep -i '^curl$' >/dev/null || missing+=(php-curl)
  command -v qemu-img >/dev/null 2>&1 || missing+=(qemu-utils)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # (Bootstrap 3 and 4 CSS for the WHMCS-like host pages of the browser tests come from npm: bootstrap3, bootstrap4.)
  # The Windows tests (npm run test:windows): Wine runs node.exe and kopia.exe; MinGW builds Wine's ProcessPrng shim.
  { [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1; } || missing+=(wine64)
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64-win32)
  # The package test reads the release zip with an unzip of its own, not with the writer's code.
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing Debian packages: ${missing[*]} (install them with apt-get as root)"; return 0
  fi
  say "installing Debian packages: ${missing[*]}"
  # Waits for another install on this machine instead of failing on dpkg's lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
}

install_node_modules() {
  # A symlinked node_modules is shared with another checkout: `npm ci` would empty the folder it points to.
  if [ -L node_modules ]; then
    [ -f node_modules/.package-lock.json ] || say "node_modules is a symlink to an empty install; run npm ci where it points"
    return 0
  fi
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund >&2
  fi
}

install_debian_packages
install_node_modules
KOPIA="$(bash scripts/ensure-kopia.sh)"
bash scripts/ensure-versitygw.sh >/dev/null
say "kopia: $KOPIA"
# What npm run test:windows runs: a Wine prefix, kopia.exe and node.exe, all cached across checkouts. Without Wine
# (not root, no apt) everything else still works; the Windows tests then fail with the missing piece's message.
for tool in ensure-wine ensure-kopia-exe ensure-node-win; do
  if out="$(bash "scripts/$tool.sh")"; then say "$tool: $out"; else say "$tool failed: npm run test:windows cannot run"; fi
done
npx tsc -p tsconfig.json
