#!/usr/bin/env bash
# Replays fuzz inputs through `fuzz-replay`: the fuzz harness of Fuzz/ built optimized, without
# libFuzzer or sanitizers, as the library ships. Some inputs crashed only there: a miscompiled
# ("phantom") throw hid from the debug and instrumented builds (swiftlang/swift#90477, see
# Tests/KSMScopeTests/FuzzRegressions/README.md).
#
#   bash scripts/fuzz-replay.sh                     # every target's saved regressions
#   bash scripts/fuzz-replay.sh TARGET PATH...      # files or folders through one target
#
# Targets: elf, kdump, lime, detect. scripts/test.sh runs the first form, scripts/fuzz.sh the
# second; both use this one build (Fuzz/.build/replay), so each reuses what the other built.
# Exit status non-zero if an input crashes the harness or a folder holds no input.
set -euo pipefail
cd "$(dirname "$0")/.."
# -enable-testing: the harness and the tests' dump writers (the seed corpus) use internal API.
flags=(-c release -Xswiftc -enable-testing --product fuzz-replay --scratch-path .build/replay)
(cd Fuzz && swift build "${flags[@]}" >&2)
replay="$(cd Fuzz && swift build "${flags[@]}" --show-bin-path)/fuzz-replay"
if [ $# -gt 0 ]; then
    exec "$replay" "$@"
fi
for target in elf kdump lime detect; do
    "$replay" "$target" "Tests/KSMScopeTests/FuzzRegressions/$target"
done
