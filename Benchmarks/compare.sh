#!/usr/bin/env bash
# compare.sh: ksmscope's full scan against the C reference (reference/xxh-count.c), side by side.
#
#   bash Benchmarks/compare.sh                 # from the repo root (or from anywhere)
#   SIZES="0.5 1" ROUNDS=3 bash Benchmarks/compare.sh
#
# Environment:
#   SIZES               set sizes in GiB (default "0.5 1 2"); each set is 8 images
#   ROUNDS              timing rounds per size (default 5)
#   KSMSCOPE_BENCH_DIR  where sets and helper binaries go (default /tmp/ksmscope-bench)
#   KSMSCOPE            a ksmscope binary to use instead of building one in release
#   SAMPLE_US           memory sampling interval in microseconds (default 2000)
#   RELOAD              1 (default): drop each set from the page cache and read it back before
#                       timing; 0: only read it (cat)
#   NICE                run both programs under `nice -n NICE` (e.g. -20 as root on a machine
#                       shared with builds, so that other load disturbs the timing less)
#   STRICT              if set, exit 1 when a speed or memory goal is missed (default: print FAIL in
#                       the table and exit 0, since timings on a shared machine are noisy)
#
# Answers checked, always: for every set, ksmscope's pages, zero_pages and distinct_contents must
# equal what make-dataset says it wrote (it counts them as it generates the set), and the C
# reference's pages and distinct hashes must equal them too. A wrong answer exits 1 whatever
# STRICT says: a fast scan of the wrong answer is no result.
#
# Goals checked (from the issue):
#   time    ksmscope wall time (median) <= 1.3 x the C reference's, files in the page cache
#   memory  ksmscope's peak RssAnon <= 64 MiB + 24 B x scanned pages (mapped file pages are in
#           RssFile, so they are not counted)
#   linear  scan time per GiB reported for every size (max/min of s/GiB shown)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
sizes=${SIZES:-0.5 1 2}
rounds=${ROUNDS:-5}
bench=${KSMSCOPE_BENCH_DIR:-/tmp/ksmscope-bench}
sample_us=${SAMPLE_US:-2000}
bin=$bench/bin
mkdir -p "$bin"

log() { printf '%s\n' "$*" >&2; }

# --- 1. helpers and the C reference --------------------------------------------------------
log "== building the C reference and helpers (cc -O2) into $bin"
cc -O2 -pthread -o "$bin/xxh-count" "$here/reference/xxh-count.c" -lxxhash
cc -O2 -DKSMBENCH_MAIN -D_GNU_SOURCE -o "$bin/make-dataset" "$here/Sources/CBenchDataset/dataset.c"
cc -O2 -o "$bin/measure" "$here/tools/measure.c"

# --- 2. ksmscope in release ----------------------------------------------------------------
if [[ -n "${KSMSCOPE:-}" ]]; then
    ksmscope=$KSMSCOPE
else
    log "== scripts/release-build.sh (in $root)"
    ksmscope=$(bash "$root/scripts/release-build.sh")
fi
[[ -x "$ksmscope" ]] || { log "no ksmscope binary at $ksmscope"; exit 1; }

# --- 3. datasets ---------------------------------------------------------------------------
label() { awk -v s="$1" 'BEGIN { if (s == int(s)) printf "%d", s; else printf "%s", s }'; }
# What each set holds, as make-dataset counted it: "pages N: zero N, ... distinct N".
declare -A set_pages set_zero set_distinct
for size in $sizes; do
    dir="$bench/$(label "$size")g"
    line=$("$bin/make-dataset" --images 8 --total-gib "$size" "$dir")
    log "$line"
    set_pages[$size]=$(sed -n 's/.* pages \([0-9]*\):.*/\1/p' <<< "$line")
    set_zero[$size]=$(sed -n 's/.* zero \([0-9]*\),.*/\1/p' <<< "$line")
    set_distinct[$size]=$(sed -n 's/.* distinct \([0-9]*\)$/\1/p' <<< "$line")
    [[ -n "${set_pages[$size]}" && -n "${set_zero[$size]}" && -n "${set_distinct[$size]}" ]] \
        || { log "cannot read the counts of make-dataset's line: $line"; exit 1; }
done

# --- 4. page cache -------------------------------------------------------------------------
# By default each set is flushed, dropped from the page cache and read back (make-dataset
# --reload): files then sit in readahead's large folios, as images read from disk do, whatever
# happened to them before. RELOAD=0 only reads them (cat), keeping the current cache layout.
if [[ "${RELOAD:-1}" == 0 ]]; then
    log "== warming the page cache (cat)"
    for size in $sizes; do cat "$bench/$(label "$size")g"/* > /dev/null; done
else
    log "== reloading the sets into the page cache (drop, then read)"
    for size in $sizes; do
        "$bin/make-dataset" --images 8 --total-gib "$size" --reload "$bench/$(label "$size")g" > /dev/null
    done
fi

# --- 5. timing rounds, alternating ---------------------------------------------------------
# measure -i 0: no sampling during timing runs. Wall time is measured outside both programs
# (fork to exit), so process start-up and exit count for both.
# "WALL CPU" (CPU = user + sys) of a measure line.
wall_of() { sed -n 's/.*wall_s=\([0-9.]*\).*user_s=\([0-9.]*\) sys_s=\([0-9.]*\).*/\1 \2 \3/p' | awk '{ printf "%s %.3f\n", $1, $2 + $3 }'; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
prio=()
[[ -n "${NICE:-}" ]] && prio=(nice -n "$NICE")
run_c() {
    "${prio[@]}" "$bin/measure" -i 0 -o "$out/c.txt" -- "$bin/xxh-count" -t 2 "$1" 2> "$out/m.txt" \
        || { cat "$out/m.txt" >&2; log "xxh-count failed"; exit 1; }
    wall_of < "$out/m.txt"
}
run_k() {
    "${prio[@]}" "$bin/measure" -i 0 -o "$out/k.json" -- "$ksmscope" scan --quiet --format json "$1" 2> "$out/m.txt" \
        || { cat "$out/m.txt" >&2; log "ksmscope scan failed"; exit 1; }
    wall_of < "$out/m.txt"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A c_times k_times c_cpu k_cpu
for size in $sizes; do c_times[$size]=""; k_times[$size]=""; c_cpu[$size]=""; k_cpu[$size]=""; done
for ((round = 1; round <= rounds; round++)); do
    for size in $sizes; do
        dir="$bench/$(label "$size")g"
        if ((round % 2)); then
            read -r c cc < <(run_c "$dir"); read -r k kc < <(run_k "$dir")
        else
            read -r k kc < <(run_k "$dir"); read -r c cc < <(run_c "$dir")
        fi
        c_times[$size]+="$c "; k_times[$size]+="$k "; c_cpu[$size]+="$cc "; k_cpu[$size]+="$kc "
        log "round $round/$rounds  ${size} GiB  C ${c}s (cpu ${cc}s)  ksmscope ${k}s (cpu ${kc}s)"
    done
done
minimum() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- 6. memory: one sampled run per size ---------------------------------------------------
declare -A anon hwm file pages zero distinct c_pages c_distinct
for size in $sizes; do
    dir="$bench/$(label "$size")g"
    "${prio[@]}" "$bin/measure" -i "$sample_us" -o "$out/k.json" -- "$ksmscope" scan --quiet --format json "$dir" 2> "$out/m.txt"
    anon[$size]=$(sed -n 's/.*peak_rss_anon_kib=\([0-9]*\).*/\1/p' "$out/m.txt")
    file[$size]=$(sed -n 's/.*peak_rss_file_kib=\([0-9]*\).*/\1/p' "$out/m.txt")
    hwm[$size]=$(sed -n 's/.*vmhwm_kib=\([0-9]*\).*/\1/p' "$out/m.txt")
    # Top-level keys of the pretty-printed report are indented by two spaces.
    pages[$size]=$(sed -n 's/^  "pages" : \([0-9]*\).*/\1/p' "$out/k.json")
    zero[$size]=$(sed -n 's/^  "zero_pages" : \([0-9]*\).*/\1/p' "$out/k.json")
    distinct[$size]=$(sed -n 's/^  "distinct_contents" : \([0-9]*\).*/\1/p' "$out/k.json")
    "$bin/xxh-count" -t 2 "$dir" > "$out/c.txt"
    c_pages[$size]=$(sed -n 's/.*pages=\([0-9]*\).*/\1/p' "$out/c.txt")
    c_distinct[$size]=$(sed -n 's/.*distinct=\([0-9]*\).*/\1/p' "$out/c.txt")
done

# --- 7. answers: both programs must count what the set holds ------------------------------
wrong=0
for size in $sizes; do
    for check in "ksmscope pages:${pages[$size]}:${set_pages[$size]}" \
        "ksmscope zero_pages:${zero[$size]}:${set_zero[$size]}" \
        "ksmscope distinct_contents:${distinct[$size]}:${set_distinct[$size]}" \
        "C reference pages:${c_pages[$size]}:${set_pages[$size]}" \
        "C reference distinct:${c_distinct[$size]}:${set_distinct[$size]}"; do
        IFS=: read -r what got want <<< "$check"
        if [[ "$got" != "$want" ]]; then
            log "WRONG ANSWER: ${size} GiB set: $what ${got:-missing}, the set holds $want"
            wrong=1
        fi
    done
done

# --- 8. the table --------------------------------------------------------------------------
if [[ -n "${KSMSCOPE:-}" ]]; then
    revision="prebuilt, not from this tree"
else
    revision=$(cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown)
fi
printf '\nksmscope scan vs C reference (xxh-count: pread 1 MiB, 2 threads, XXH64, hash table)\n'
printf 'ksmscope: %s (tree %s)\nsets: %s   rounds: %s   nice: %s   wall-time medians, page cache warm   load average: %s before, %s after\n\n' \
    "$ksmscope" "$revision" "$bench" "$rounds" "${NICE:-0}" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %9s %7s %7s %6s %-5s %10s %8s %9s %9s %9s %11s %11s %11s %-5s %s\n' \
    GiB pages "C s" "ksm s" ratio time "ratio(min)" "C s/GiB" "ksm s/GiB" "C cpu s" "ksm cpu s" "RssAnon" "VmHWM" budget mem \
    "distinct ksm/C/set"
fail=0
per_gib=()
for size in $sizes; do
    cm=$(median <<< "${c_times[$size]}")
    km=$(median <<< "${k_times[$size]}")
    cmin=$(minimum <<< "${c_times[$size]}")
    kmin=$(minimum <<< "${k_times[$size]}")
    p=${pages[$size]:-0}
    read -r ratio tverdict rmin cpg kpg anon_mib hwm_mib budget_mib mverdict < <(awk \
        -v c="$cm" -v k="$km" -v cn="$cmin" -v kn="$kmin" -v g="$size" -v a="${anon[$size]:-0}" -v h="${hwm[$size]:-0}" \
        -v p="$p" 'BEGIN {
            r = k / c; b = 64 + 24 * p / 1048576; am = a / 1024
            printf "%.2f %s %.2f %.3f %.3f %.1f %.1f %.1f %s\n", r, (r <= 1.3 ? "PASS" : "FAIL"), kn / cn, c / g, k / g,
                am, h / 1024, b, (am <= b && a > 0 ? "PASS" : "FAIL") }')
    [[ $tverdict == PASS && $mverdict == PASS ]] || fail=1
    per_gib+=("$kpg")
    printf '%-6s %9s %7.3f %7.3f %6s %-5s %10s %8s %9s %9.3f %9.3f %7s MiB %7s MiB %7s MiB %-5s %s/%s/%s\n' \
        "$size" "$p" "$cm" "$km" "$ratio" "$tverdict" "$rmin" "$cpg" "$kpg" "$(median <<< "${c_cpu[$size]}")" \
        "$(median <<< "${k_cpu[$size]}")" "$anon_mib" "$hwm_mib" "$budget_mib" "$mverdict" \
        "${distinct[$size]:-?}" "${c_distinct[$size]:-?}" "${set_distinct[$size]}"
done
printf '%s\n' "${per_gib[@]}" | awk 'NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
    END { if (NR > 1) printf "\nlinearity: ksmscope s/GiB ranges %.3f..%.3f (max/min %.2f)\n", lo, hi, hi / lo }'
printf 'ratio = ksmscope/C median wall time (goal <= 1.3; ratio(min) = of the fastest runs, for noisy machines); budget = 64 MiB + 24 B x pages; RssAnon = peak sampled every %s us;\n' "$sample_us"
printf 'cpu = median user+sys seconds (both programs use 2 threads: on a busy machine compare these too);\n'
printf 'VmHWM = peak RSS incl. mapped file pages (for reference only); distinct = ksmscope distinct_contents / C distinct XXH64 values / contents make-dataset wrote.\n'
if ((wrong)); then
    printf 'RESULT: WRONG ANSWER (see the lines above the table): the timings measure a wrong scan\n'
    exit 1
elif ((fail)); then
    printf 'RESULT: FAIL (a speed or memory goal is missed)\n'
    [[ -n "${STRICT:-}" ]] && exit 1
else
    printf 'RESULT: PASS\n'
fi
exit 0
