#!/usr/bin/env bash
# `npm run demo`: from a fresh clone, installs and builds, prepares the embedded database and starts the sidecar
# in demo mode on loopback. Everything the demo makes lives under ./demo (git ignores it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p demo
export DEMO_MODE=1 HOST=127.0.0.1 PORT="${PORT:-8787}" DATABASE_URL="sqlite://$PWD/demo/sidecar.db"
node dist/sidecar/cli/demo-seed.js --out demo/seed.json
echo "[demo] open http://127.0.0.1:$PORT/pages/hyperv   (health: http://127.0.0.1:$PORT/healthz; Ctrl+C stops)" >&2
exec node dist/sidecar/main.js
