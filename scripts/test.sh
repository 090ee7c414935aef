#!/usr/bin/env bash
# The test command of the README's quick start and of CI: installs what is missing, builds
# everything (the tests also run the ksmscope executable) and runs the Swift Testing suites.
# The kernel comparison tests run only as root with a writable /sys/kernel/mm/ksm. QEMU (the
# live-guest test) and xz (the committed QEMU samples) are installed for the tests too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh qemu-system-x86 xz-utils
swift build --build-tests
swift test --skip-build
# make install / make uninstall into a temporary DESTDIR, reusing the debug build made above.
CONFIGURATION=debug bash scripts/check-install.sh
