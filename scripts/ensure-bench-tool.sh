#!/usr/bin/env bash
# Builds one of the bench's Go tools, bench/restore/<name> (kopia-reader: kopia's own library reading a snapshot's
# disk in-process, the floor `npm run bench:restore` compares our engine with; latency-proxy: the round trip put in
# front of the local S3 server), into the cache shared by every checkout, and prints the binary's path.
# A no-op when the cached binary is there: its folder is named by a hash of the sources, so an edit builds anew.
# Bench tools only: neither setup.sh nor npm test needs them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/versions.env"
NAME="${1:-}"
case "$NAME" in
  kopia-reader|latency-proxy) ;;
  *) echo "usage: $0 kopia-reader|latency-proxy" >&2; exit 2 ;;
esac
SRC="$ROOT/bench/restore/$NAME"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
# A tool that links kopia must link the one the CLI and the agent run, or its row would compare two versions.
if grep -q '^require github.com/kopia/kopia ' "$SRC/go.mod"; then
  grep -q "^require github.com/kopia/kopia v$KOPIA_VERSION\$" "$SRC/go.mod" || {
    echo "$SRC/go.mod does not require github.com/kopia/kopia v$KOPIA_VERSION (scripts/versions.env)" >&2; exit 1; }
fi
HASH="$(cd "$SRC" && cat ./*.go go.mod $( [ -f go.sum ] && echo go.sum ) | sha256sum | cut -c1-12)"
BIN_DIR="$CACHE_ROOT/$NAME-$HASH"
BIN="$BIN_DIR/$NAME"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
GO="$(command -v go || true)"
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
[ -n "$GO" ] || { echo "the bench's $NAME is built with Go, which is not installed: install Go 1.25+" >&2; exit 1; }
mkdir -p "$BIN_DIR"
echo "building the bench's $NAME with $GO..." >&2
# Exact versions only, from go.mod and go.sum: -mod=readonly never resolves a newer one, so the module proxy is
# asked for those versions' files and never for a version list (which the proxy here refuses).
TMP="$BIN.tmp.$$"
trap 'rm -f "$TMP"' EXIT
(cd "$SRC" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 "$GO" build -trimpath -ldflags="-s -w" -o "$TMP" .) >&2
mv "$TMP" "$BIN"
echo "$BIN"
