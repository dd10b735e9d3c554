#!/usr/bin/env bash
# Prepares the Wine prefix the Windows tests run in and prints its path: made once per Wine version in the cache
# shared by every checkout (about 700 MB), with the ProcessPrng shim (scripts/wine/processprng-shim.c) in its
# system32 so Go programs such as kopia.exe start. A no-op when the prefix is ready. Needs Debian's wine64 and
# gcc-mingw-w64-x86-64-win32 (scripts/setup.sh installs both); `--print-wine` prints the wine64 binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
SHIM_SOURCE="scripts/wine/processprng-shim.c"

WINE="$(command -v wine64 || true)"
[ -n "$WINE" ] || { [ -x /usr/lib/wine/wine64 ] && WINE=/usr/lib/wine/wine64; }
if [ -z "$WINE" ]; then
  echo "wine64 is not installed: run scripts/setup.sh as root (it installs Debian's wine64)" >&2
  exit 1
fi
if [ "${1:-}" = "--print-wine" ]; then echo "$WINE"; exit 0; fi
MINGW="$(command -v x86_64-w64-mingw32-gcc || true)"
WINESERVER="$(dirname "$WINE")/wineserver"
[ -x "$WINESERVER" ] || WINESERVER="$(command -v wineserver)"

# e.g. "wine-8.0 (Debian 8.0~repack-4)" -> wine-8.0-Debian-8.0-repack-4
VERSION="$(WINEDEBUG=-all "$WINE" --version | sed 's/[^A-Za-z0-9.]\{1,\}/-/g; s/-$//')"
PREFIX="$CACHE_ROOT/prefix-$VERSION"
# The marker names the shim's source: a changed shim makes a new prefix.
MARK="ready-$(sha256sum "$SHIM_SOURCE" | cut -c1-16)"
if [ -f "$PREFIX/.hyperv-restore-$MARK" ]; then echo "$PREFIX"; exit 0; fi
if [ -z "$MINGW" ]; then
  echo "x86_64-w64-mingw32-gcc is not installed: run scripts/setup.sh as root (it installs gcc-mingw-w64-x86-64-win32)" >&2
  exit 1
fi

mkdir -p "$CACHE_ROOT"
# Built under a name of this process's own and renamed into place whole: other checkouts may be doing the same.
TMP="$PREFIX.tmp.$$"
cleanup() { WINEPREFIX="$TMP" "$WINESERVER" -k 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
echo "creating the Wine prefix $PREFIX (about a minute)..." >&2
# No Mono or Gecko: nothing here needs .NET or a browser engine, and their installers would ask.
WINEPREFIX="$TMP" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" "$WINE" wineboot --init >/dev/null 2>&1
# The registry is written when the prefix's own wineserver ends; wait for exactly that one.
WINEPREFIX="$TMP" "$WINESERVER" -w
"$MINGW" -shared -O2 -o "$TMP/drive_c/windows/system32/bcryptprimitives.dll" "$SHIM_SOURCE" -ladvapi32
[ -f "$TMP/system.reg" ] || { echo "wineboot did not create a usable prefix in $TMP" >&2; exit 1; }
touch "$TMP/.hyperv-restore-$MARK"
if [ -d "$PREFIX" ]; then
  # Another checkout finished first, or an older shim: keep a ready one, replace an outdated one.
  if [ -f "$PREFIX/.hyperv-restore-$MARK" ]; then echo "$PREFIX"; exit 0; fi
  mv -T "$PREFIX" "$PREFIX.old.$$" && rm -rf "$PREFIX.old.$$"
fi
mv -T "$TMP" "$PREFIX"
trap - EXIT
echo "$PREFIX"
