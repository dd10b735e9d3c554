#!/usr/bin/env bash
# Installs the pinned kopia into a cache shared by every checkout on this machine and prints its path.
# A no-op when the cached binary already reports the pinned version.
set -euo pipefail
VERSION="0.22.3"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
BIN_DIR="$CACHE_ROOT/kopia-v$VERSION"
BIN="$BIN_DIR/kopia"

if [ -n "${KOPIA_PATH:-}" ] && "$KOPIA_PATH" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "$KOPIA_PATH"; exit 0
fi
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "$BIN"; exit 0
fi
GO="$(command -v go || true)"
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
if [ -z "$GO" ]; then
  echo "kopia v$VERSION is needed and Go is not installed: install Go 1.22+ (so this script can build kopia)," >&2
  echo "or put a kopia v$VERSION release binary on PATH and set KOPIA_PATH to it." >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
echo "building kopia v$VERSION with $GO (a few minutes the first time)..." >&2
# `go install pkg@version` also asks the proxy for the module's version list, which the proxy here refuses;
# downloading the exact version and building inside it needs only that version.
SRC="$(cd /tmp && "$GO" mod download -json "github.com/kopia/kopia@v$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$SRC" ] || { echo "could not download github.com/kopia/kopia@v$VERSION from the Go module proxy" >&2; exit 1; }
(cd "$SRC" && CGO_ENABLED=0 "$GO" build -trimpath -tags nohtmlui \
  -ldflags="-s -w -X github.com/kopia/kopia/repo.BuildVersion=$VERSION -X github.com/kopia/kopia/repo.BuildInfo=v$VERSION" -o "$BIN.tmp" .) >&2
mv "$BIN.tmp" "$BIN"
"$BIN" --version >/dev/null
echo "$BIN"
