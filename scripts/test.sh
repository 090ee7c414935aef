#!/usr/bin/env bash
# The test command of the README's quick start and of CI: installs what is missing, builds
# everything (the tests also run the ksmscope executable), runs the Swift Testing suites, checks
# make install and uninstall in a temporary DESTDIR, then replays the saved fuzz regressions
# through an optimized build (scripts/fuzz-replay.sh), and last the Dask driver's pytest suite
# (integrations/dask/tests; dask[distributed] and pytest come from PyPI through deps.sh).
#
# Tests that need something of the machine skip without it: the real-kernel comparisons (root
# and a writable /sys/kernel/mm/ksm), the live QEMU guest (qemu-system-x86_64), the QEMU
# samples (xz); QEMU and xz are installed here, and libxml2 (FoundationXML, with which the tests
# check that the plan's HTML report is well-formed). KSMSCOPE_REQUIRE_KERNEL=1 and
# KSMSCOPE_REQUIRE_QEMU=1 (.ci/run sets both) make those tests fail instead, naming what is
# missing; KSMSCOPE_REQUIRE_EXECUTABLE=1, set here because this script builds the executable,
# does the same for the tests that run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh qemu-system-x86 xz-utils libxml2 'pip:distributed=dask[distributed]' 'pip:pytest=pytest'
export KSMSCOPE_REQUIRE_EXECUTABLE=1
swift build --build-tests
swift test --skip-build
# make install / make uninstall into a temporary DESTDIR, reusing the debug build made above.
CONFIGURATION=debug bash scripts/check-install.sh
bash scripts/fuzz-replay.sh
# The Dask driver (integrations/dask) against single scans: 2 local workers, one killed mid-run.
KSMSCOPE="$(swift build --show-bin-path)/ksmscope" PYTHONPATH=integrations/dask \
    python3 -m pytest -q -p no:cacheprovider integrations/dask/tests
