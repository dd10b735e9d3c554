#!/usr/bin/env bash
# Builds bench/restore/kopia-reader (kopia's own Go library reading a snapshot's disk in-process, the floor
# `npm run bench:restore` compares our engine with) into the cache shared by every checkout and prints its path.
# A no-op when the cached binary is there: its folder is named by a hash of the sources, so an edit builds anew.
# A bench tool: neither setup.sh nor npm test needs it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/versions.env"
SRC="$ROOT/bench/restore/kopia-reader"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
# The kopia it links must be the one the CLI and the agent run, or the row would compare two versions.
grep -q "^require github.com/kopia/kopia v$KOPIA_VERSION\$" "$SRC/go.mod" || {
  echo "$SRC/go.mod does not require github.com/kopia/kopia v$KOPIA_VERSION (scripts/versions.env)" >&2; exit 1; }
HASH="$(cd "$SRC" && cat ./*.go go.mod go.sum | sha256sum | cut -c1-12)"
BIN_DIR="$CACHE_ROOT/kopia-reader-$HASH"
BIN="$BIN_DIR/kopia-reader"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
GO="$(command -v go || true)"
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
[ -n "$GO" ] || { echo "the kopia reader is built with Go, which is not installed: install Go 1.25+" >&2; exit 1; }
mkdir -p "$BIN_DIR"
echo "building the kopia reader (kopia v$KOPIA_VERSION's library) with $GO..." >&2
# Exact versions only, from go.mod and go.sum: -mod=readonly never resolves a newer one, so the module proxy is
# asked for those versions' files and never for a version list (which the proxy here refuses).
TMP="$BIN.tmp.$$"
trap 'rm -f "$TMP"' EXIT
(cd "$SRC" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 "$GO" build -trimpath -ldflags="-s -w" -o "$TMP" .) >&2
mv "$TMP" "$BIN"
echo "$BIN"
