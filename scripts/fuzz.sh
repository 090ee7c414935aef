#!/usr/bin/env bash
# Fuzzes the dump parsers: builds the libFuzzer harnesses of Fuzz/ (libFuzzer + AddressSanitizer,
# release) and runs each for RUNS inputs (default 20000), starting from a seed corpus of small
# valid dumps the harnesses write themselves plus the saved regression inputs; then replays
# the whole corpus through an uninstrumented optimized build of the same harness
# (scripts/fuzz-replay.sh).
#
#   bash scripts/fuzz.sh [RUNS]
#
# Targets: elf (ElfCoreImage), kdump (KdumpImage, plain and flattened), lime (LimeImage),
# detect (format detection and whichever parser it picks). Work files, the growing corpus and
# any crashing input (crash-*, leak-*, timeout-*, oom-*) go to Fuzz/.build/fuzz/<target>/.
# A crashing input is a bug: fix the parser, then keep the input in
# Tests/KSMScopeTests/FuzzRegressions/<target>/ so the tests replay it. Exit status 1 if any
# target found one.
#
# Links with lld (ld.gold fails on these links: internal error in format_file_lineno). The Swift
# toolchain's clang runs the ld.lld beside it: swift.org toolchains ship one (here
# /opt/swift/usr/bin/ld.lld, part of no Debian package), and libFuzzer and ASan's runtimes too.
# A toolchain without ld.lld gets Debian's lld, which clang then finds on the PATH.
set -euo pipefail
runs="${1:-20000}"
cd "$(dirname "$0")/.."
toolchain="$(dirname "$(readlink -f "$(command -v swiftc)")")"
if [ -x "$toolchain/ld.lld" ]; then bash scripts/deps.sh; else bash scripts/deps.sh lld; fi

flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld)
(cd Fuzz && swift build "${flags[@]}")
bin="$(cd Fuzz && swift build "${flags[@]}" --show-bin-path)"

work="$PWD/Fuzz/.build/fuzz"
status=0
for target in elf kdump lime detect; do
    dir="$work/$target"
    rm -rf "$dir/seeds" "$dir/input"
    mkdir -p "$dir/seeds" "$dir/corpus" "$dir/crashes" "$dir/input"
    KSMSCOPE_FUZZ_SEEDS="$dir/seeds" "$bin/fuzz-$target"
    if [ -d "Tests/KSMScopeTests/FuzzRegressions/$target" ]; then
        cp "Tests/KSMScopeTests/FuzzRegressions/$target"/* "$dir/seeds/" 2>/dev/null || true
    fi
    # Each input is written to a file in $TMPDIR, since the parsers read mapped files.
    if TMPDIR="$dir/input" "$bin/fuzz-$target" -runs="$runs" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$dir/crashes/" -print_final_stats=1 "$dir/corpus" "$dir/seeds" >"$dir/log" 2>&1; then
        summary="ok"
    else
        summary="FOUND A CRASH: see $dir/log and $dir/crashes/"
        status=1
    fi
    if ! bash scripts/fuzz-replay.sh "$target" "$dir/seeds" "$dir/corpus" >"$dir/replay.log" 2>&1; then
        summary="$summary; REPLAY CRASHED (optimized build): see $dir/replay.log"
        status=1
    fi
    done_line="$(grep -E '^Done [0-9]+ runs' "$dir/log" | tail -1 || true)"
    coverage="$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1 || true)"
    echo "fuzz-$target: $summary (${done_line:-no summary}, $coverage, corpus $(ls "$dir/corpus" | wc -l) inputs)"
done
exit "$status"
