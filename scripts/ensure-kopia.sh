#!/usr/bin/env bash
# Installs the pinned kopia into a cache shared by every checkout on this machine and prints its path.
# A no-op when the cached binary is already there. `--windows` builds the Windows binary (kopia.exe, GOOS=windows)
# from the same pinned source instead; the Windows tests run it under Wine (scripts/ensure-wine.sh).
set -euo pipefail
. "$(dirname "$0")/versions.env"
VERSION="$KOPIA_VERSION"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
BIN_DIR="$CACHE_ROOT/kopia-v$VERSION"
GOOS_TARGET=linux
BIN="$BIN_DIR/kopia"
if [ "${1:-}" = "--windows" ]; then GOOS_TARGET=windows; BIN="$BIN_DIR/kopia.exe"; fi

if [ "$GOOS_TARGET" = linux ]; then
  if [ -n "${KOPIA_PATH:-}" ] && "$KOPIA_PATH" --version 2>/dev/null | grep -q "^$VERSION"; then
    echo "$KOPIA_PATH"; exit 0
  fi
  if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION"; then
    echo "$BIN"; exit 0
  fi
else
  # A Windows binary cannot be asked its version here; it is only ever renamed into place once fully built.
  if [ -f "$BIN" ] && [ "$(head -c 2 "$BIN")" = "MZ" ]; then echo "$BIN"; exit 0; fi
fi
GO="$(command -v go || true)"
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
if [ -z "$GO" ]; then
  echo "kopia v$VERSION ($GOOS_TARGET) is needed and Go is not installed: install Go 1.22+ (so this script can build kopia)," >&2
  [ "$GOOS_TARGET" = linux ] && echo "or put a kopia v$VERSION release binary on PATH and set KOPIA_PATH to it." >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
echo "building kopia v$VERSION for $GOOS_TARGET with $GO (a few minutes the first time)..." >&2
# `go install pkg@version` also asks the proxy for the module's version list, which the proxy here refuses;
# downloading the exact version and building inside it needs only that version.
SRC="$(cd /tmp && "$GO" mod download -json "github.com/kopia/kopia@v$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$SRC" ] || { echo "could not download github.com/kopia/kopia@v$VERSION from the Go module proxy" >&2; exit 1; }
# A temp name of this process's own: several checkouts may build at the same time; the rename makes it appear whole.
TMP="$BIN.tmp.$$"
trap 'rm -f "$TMP"' EXIT
(cd "$SRC" && GOOS="$GOOS_TARGET" GOARCH=amd64 CGO_ENABLED=0 "$GO" build -trimpath -tags nohtmlui \
  -ldflags="-s -w -X github.com/kopia/kopia/repo.BuildVersion=$VERSION -X github.com/kopia/kopia/repo.BuildInfo=v$VERSION" -o "$TMP" .) >&2
if [ "$GOOS_TARGET" = linux ]; then "$TMP" --version >/dev/null; fi
mv "$TMP" "$BIN"
echo "$BIN"
