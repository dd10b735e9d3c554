#!/usr/bin/env bash
# Installs the pinned versitygw (local S3 server for tests and benchmarks) into the shared cache and prints its path.
set -euo pipefail
VERSION="1.7.0"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
BIN_DIR="$CACHE_ROOT/versitygw-v$VERSION"
BIN="$BIN_DIR/versitygw"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
GO="$(command -v go || true)"
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
[ -n "$GO" ] || { echo "versitygw v$VERSION needs Go to build: install Go 1.22+" >&2; exit 1; }
mkdir -p "$BIN_DIR"
echo "building versitygw v$VERSION with $GO (a few minutes the first time)..." >&2
CGO_ENABLED=0 GOBIN="$BIN_DIR.tmp" "$GO" install -trimpath -ldflags='-s -w' "github.com/versity/versitygw/cmd/versitygw@v$VERSION" >&2
mv "$BIN_DIR.tmp/versitygw" "$BIN" && rmdir "$BIN_DIR.tmp"
echo "$BIN"
