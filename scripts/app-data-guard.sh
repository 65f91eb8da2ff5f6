#!/usr/bin/env bash
# `app-data-guard.sh before` records the state of the app's real data folder; `after` fails
# if anything changed it. Tests must always work in their own ENROLL_DATA_DIR: a test that
# touched a clerk's real vault would be a disaster on a developer's station.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
identifier=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["identifier"])' "$repo/src-tauri/tauri.conf.json")
folder="${XDG_DATA_HOME:-$HOME/.local/share}/$identifier"
record="$repo/artifacts/app-data-state"
state() { if [ -e "$folder" ]; then find "$folder" -printf '%p %s %T@\n' | sort | sha256sum; else echo absent; fi; }
mkdir -p "$repo/artifacts"
case "${1:-}" in
    before) state > "$record" ;;
    after)
        if [ "$(state)" != "$(cat "$record")" ]; then
            echo "FAILED: a test changed the real app-data folder $folder"; exit 1
        fi ;;
    *) echo "usage: $0 before|after"; exit 2 ;;
esac
