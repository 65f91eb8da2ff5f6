#!/usr/bin/env bash
# Start the reference intake on loopback and the desktop app pointed at it: embedded
# defaults, simulated devices, nothing to configure. Stops the intake when the app closes.
# The binaries are the release build that `make run` makes (what a clerk's .deb holds);
# ENROLL_BIN_DIR=target/debug runs a developer's `make build` instead.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=${ENROLL_BIN_DIR:-$repo/target/release}
run_dir=${ENROLL_RUN_DIR:-$repo/.run}
port=${ENROLL_INTAKE_PORT:-8470}
mkdir -p "$run_dir"

# The register key is generated on the first run and kept, so that a station set up against
# it keeps verifying its receipts on the next run. A demo intake approves every station at
# once; a register runs with the default, manual approval (`enroll intake stations approve`).
"$bin_dir/enroll" intake serve --addr "127.0.0.1:$port" --data "$run_dir/intake" \
    --key "$run_dir/register.key" --generate-key --approve-stations automatic &
intake_pid=$!
cleanup() { kill "$intake_pid" 2>/dev/null || true; [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    kill -0 "$intake_pid" 2>/dev/null || { echo "The intake did not start (is port $port in use? set ENROLL_INTAKE_PORT)"; exit 1; }
    sleep 0.1
done
echo "Intake: http://127.0.0.1:$port (register key $run_dir/register.key)"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    # A machine without a screen (CI, SSH): run in a virtual one so the app still starts.
    display=":${ENROLL_XVFB_DISPLAY:-99}"
    Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp &
    xvfb_pid=$!
    export DISPLAY=$display
    echo "No display found: the app runs in the virtual display $display"
fi

ENROLL_INTAKE_URL="http://127.0.0.1:$port" "$bin_dir/enroll-app"
