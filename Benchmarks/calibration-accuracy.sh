#!/usr/bin/env bash
# The calibration accuracy table (issue 8, part 1): calibrate ksmd on this host, then run
# guests calibration did not use (a generated fleet and the committed QEMU sample) on the real
# ksmd and in the calibrated simulator for pages_to_scan {100, 1000, 5000} x sleep_millisecs
# {10, 20, 50} x smart_scan {1, 0}, and print wall time and ksmd CPU at full scans 1, 2, 3 and
# 10, predicted beside measured (medians of REPEATS runs). Targets: wall ±10 %, CPU ±15 %.
#
#   sudo bash Benchmarks/calibration-accuracy.sh            # about 12 minutes a pass
#   REPEATS=2 bash Benchmarks/calibration-accuracy.sh       # two passes, medians and ranges
#   REPEATS=3 PAGES="100 1000" SLEEPS=20 bash Benchmarks/calibration-accuracy.sh
#   PROFILE=host.json bash Benchmarks/calibration-accuracy.sh   # skip calibrating
#   SCALE=1 (the demo fleet's scale, default 1: 58 MiB, 14848 pages)
#
# Needs root and KSM; every KSM setting is restored afterwards (also on Ctrl-C). Not run in CI.
# The machine should be quiet: ksmd runs at nice 5 and other work stretches its batches. The
# load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${KSMSCOPE_BENCH_DIR:-/tmp/ksmscope-bench}/calibration-accuracy"
mkdir -p "$work"
bash scripts/deps.sh
ksmscope=$(bash scripts/release-build.sh)
(cd Benchmarks && swift build -c release --product CalibrationAccuracy)
accuracy=Benchmarks/.build/release/CalibrationAccuracy

"$ksmscope" generate --spec samples/demo.json --out "$work/fleet" --scale "${SCALE:-1}" --force --quiet
profile="${PROFILE:-$work/profile.json}"
if [ -z "${PROFILE:-}" ]; then
    echo "load average before calibrate: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$ksmscope" calibrate --out "$profile" --quiet > "$work/profile.txt"
    sed -n '1,30p' "$work/profile.txt"
fi
"$accuracy" "$profile" "demo=$work/fleet" "qemu=samples/qemu/guest.kdump-zlib"
