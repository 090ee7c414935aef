#!/usr/bin/env bash
# The release binary every script, `make release` and `make install` use: built with the Swift
# runtime and Foundation linked in (--static-swift-stdlib), so it runs without the toolchain's
# libraries and starts in half the time. Build output goes to stderr; stdout gets the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
build=(swift build -c release --static-swift-stdlib)
"${build[@]}" --product ksmscope >&2
echo "$("${build[@]}" --show-bin-path)/ksmscope"
