#!/usr/bin/env bash
# `npm run demo`: from a fresh clone, installs and builds, then brings up the whole product on this machine: two real
# VHDX disks backed up at a Full and two Incrementals into a real kopia repository, the demo client seeded with
# those points in the embedded database, the sidecar in demo mode on loopback, and an agent that restores into a
# folder standing for the Hyper-V host's C:\. Everything lives under DEMO_DIR (default ./demo, git ignores it); a
# second run reuses it. Ctrl+C stops the sidecar and the agent.
#   PORT=8787 (listen port), DEMO_DIR=./demo, DEMO_SKIP_SETUP=1 (skip install + build, for tests).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${DEMO_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
DEMO_DIR="${DEMO_DIR:-$PWD/demo}"
mkdir -p "$DEMO_DIR"
DEMO_DIR="$(cd "$DEMO_DIR" && pwd)"
export DEMO_MODE=1 HOST=127.0.0.1 PORT="${PORT:-8787}" DATABASE_URL="sqlite://$DEMO_DIR/sidecar.db"
URL="http://127.0.0.1:$PORT"

node dist/sidecar/cli/demo-prepare.js disks --dir "$DEMO_DIR"
node dist/sidecar/cli/demo-seed.js --points "$DEMO_DIR/points.json" --repository "$DEMO_DIR/repository.json" --out "$DEMO_DIR/seed.json"
node dist/sidecar/cli/demo-prepare.js agent --dir "$DEMO_DIR" --sidecar-url "$URL"

pids=()
stop() {
  trap - INT TERM
  echo "[demo] stopping the sidecar and the agent" >&2
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  exit "${1:-0}"
}
trap 'stop 0' INT TERM

node dist/sidecar/main.js >>"$DEMO_DIR/sidecar.log" 2>&1 &
pids+=($!)
if ! node -e '
  const url = process.argv[1];
  (async () => {
    for (let i = 0; i < 150; i++) {
      try { if ((await fetch(url)).ok) process.exit(0); } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    process.exit(1);
  })();' "$URL/healthz"; then
  echo "[demo] the sidecar did not start; the end of $DEMO_DIR/sidecar.log:" >&2
  tail -n 5 "$DEMO_DIR/sidecar.log" >&2
  stop 1
fi
node dist/agent/main.js --config "$DEMO_DIR/agent.json" >>"$DEMO_DIR/agent.log" 2>&1 &
pids+=($!)

echo "[demo] sidecar pid ${pids[0]}, agent pid ${pids[1]}; logs: $DEMO_DIR/sidecar.log, $DEMO_DIR/agent.log" >&2
echo "[demo] restores to C:\\... land in $DEMO_DIR/hyperv-host/C" >&2
echo "[demo] open $URL/pages/hyperv   (Ctrl+C stops)" >&2
# Either process ending on its own ends the demo (and stops the other).
wait -n "${pids[@]}" || true
echo "[demo] the sidecar or the agent stopped; see the logs above" >&2
stop 1
