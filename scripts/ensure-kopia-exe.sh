#!/usr/bin/env bash
# Prints the path of the pinned kopia's Windows build (kopia.exe), building it into the shared cache when missing.
exec bash "$(dirname "$0")/ensure-kopia.sh" --windows
