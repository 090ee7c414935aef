#!/usr/bin/env bash
# out-of-core.sh: ksmscope scan of a generated set larger than memory, from a cold page cache,
# against the C floor (reference/xxh-count.c) in the same conditions.
#
#   bash Benchmarks/out-of-core.sh              # as root (drops the page cache)
#   SCALE=3 bash Benchmarks/out-of-core.sh      # a smaller set
#
# Environment:
#   SPEC                fleet spec (default samples/linux-web-servers.json)
#   SCALE               generate --scale (default 6: 36 GiB, 1.5 x this 24 GiB machine)
#   KSMSCOPE_BENCH_DIR  where the set and helpers go (default /tmp/ksmscope-bench)
#   KSMSCOPE            a ksmscope binary to use instead of building one in release
#   SCAN_OPTIONS        extra options for ksmscope scan (e.g. "--memory-limit 4G")
#   KEEP                1: keep the set afterwards (default: delete it, it is large)
#   STRICT              exit 1 when a goal is missed
#
# Goals (issue 10): wall time <= 1.25 x the C floor's, cold cache; peak memory (VmHWM) within
# --memory-limit (default half of RAM); every counter equal to expected.json.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
spec=${SPEC:-$root/samples/linux-web-servers.json}
scale=${SCALE:-6}
bench=${KSMSCOPE_BENCH_DIR:-/tmp/ksmscope-bench}
set_dir=$bench/ooc-$(basename "$spec" .json)-x$scale
bin=$bench/bin
log() { printf '%s\n' "$*" >&2; }
[[ $(id -u) -eq 0 ]] || { log "out-of-core.sh: needs root to drop the page cache"; exit 1; }
mkdir -p "$bin"
cc -O2 -pthread -o "$bin/xxh-count" "$here/reference/xxh-count.c" -lxxhash
cc -O2 -o "$bin/measure" "$here/tools/measure.c"
if [[ -n "${KSMSCOPE:-}" ]]; then
    ksmscope=$KSMSCOPE
else
    ksmscope=$(bash "$root/scripts/release-build.sh")
fi

# --- the set ------------------------------------------------------------------------------
if [[ ! -f $set_dir/expected.json ]]; then
    rm -rf "$set_dir"
    need_gib=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(int(sum(f['count']*f['memory_mib'] for f in s['fleet'])*float(sys.argv[2])/1024)+1)" "$spec" "$scale")
    free_gib=$(df -BG --output=avail "$bench" | tail -1 | tr -dc 0-9)
    log "== the set needs up to ${need_gib} GiB (non-zero pages; zero pages are holes), ${free_gib} GiB free in $bench"
    ((free_gib > need_gib + 4)) || { log "not enough free disk space"; exit 1; }
    "$ksmscope" generate --spec "$spec" --scale "$scale" --out "$set_dir" --quiet >&2
fi
set_bytes=$(du -sb --apparent-size "$set_dir" | cut -f1)
set_disk=$(du -s --block-size=1 "$set_dir" | cut -f1)
mem_total=$(awk '/MemTotal/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
field() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p" "$2"; }
out=$(mktemp -d)
trap 'rm -rf "$out"; [[ "${KEEP:-0}" == 1 ]] || rm -rf "$set_dir"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

log "== C floor: xxh-count -t 2, cold cache"
drop
"$bin/measure" -i 0 -- "$bin/xxh-count" -t 2 "$set_dir" 2> "$out/c.txt"
c_wall=$(field wall_s "$out/c.txt")
log "== ksmscope scan, cold cache"
drop
# shellcheck disable=SC2086
"$bin/measure" -i 20000 -o "$out/k.json" -- "$ksmscope" scan --quiet --format json ${SCAN_OPTIONS:-} "$set_dir" 2> "$out/k.txt"
k_wall=$(field wall_s "$out/k.txt")
grep -q 'rc=0' "$out/k.txt" || { cat "$out/k.txt" >&2; log "ksmscope scan failed"; exit 1; }
hwm=$(field vmhwm_kib "$out/k.txt")
anon=$(field peak_rss_anon_kib "$out/k.txt")
rss_file=$(field peak_rss_file_kib "$out/k.txt")
user=$(field user_s "$out/k.txt")
sys=$(field sys_s "$out/k.txt")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

verdict=$(python3 - "$out/k.json" "$set_dir/expected.json" <<'PY'
import json, sys
report, expected = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["sets"][0]
keys = ["pages", "zero_pages", "distinct_contents", "pages_shared", "pages_sharing", "pages_unmerged",
        "ksm_zero_pages", "stable_node_chains", "stable_node_dups", "rmap_items"]
wrong = [f"{k}: {report[k]} != {expected[k]}" for k in keys if report[k] != expected[k]]
print("EQUAL" if not wrong else "DIFFERENT " + "; ".join(wrong), report["equality"])
PY
)
# The limit the scan ran with: --memory-limit in SCAN_OPTIONS (K/M/G/T, powers of 1024), else half of RAM.
limit=$(python3 - "$mem_total" ${SCAN_OPTIONS:-} <<'PY'
import sys
limit = int(sys.argv[1]) // 2
args = sys.argv[2:]
for i, arg in enumerate(args):
    value = args[i + 1] if arg == "--memory-limit" and i + 1 < len(args) else arg.partition("=")[2] if arg.startswith("--memory-limit=") else None
    if value:
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(value[-1].upper(), 1)
        limit = int(float(value.rstrip("KMGTkmgt")) * scale)
print(limit)
PY
)
awk -v c="$c_wall" -v k="$k_wall" -v h="$hwm" -v a="$anon" -v f="$rss_file" -v l="$limit" -v b="$set_bytes" -v d="$set_disk" \
    -v v="$verdict" -v u="$user" -v s="$sys" -v lb="$load_before" -v la="$load_after" -v m="$mem_total" 'BEGIN {
    r = k / c
    printf "\nout-of-core scan: %.1f GiB of images (%.1f GiB on disk, the rest holes), %.1f GiB of RAM, cold cache\n", b / 2^30, d / 2^30, m / 2^30
    printf "load average: %s before, %s after\n\n", lb, la
    printf "C floor (xxh-count -t 2)  %8.2f s  %6.0f MiB/s of images\n", c, b / 2^20 / c
    printf "ksmscope scan             %8.2f s  %6.0f MiB/s of images  (user %.1f s, sys %.1f s)\n", k, b / 2^20 / k, u, s
    printf "ratio ksmscope/C          %8.2f    goal <= 1.25: %s\n", r, (r <= 1.25 ? "PASS" : "FAIL")
    printf "peak memory               VmHWM %.0f MiB (RssAnon %.0f MiB, RssFile %.0f MiB), limit %.0f MiB: %s\n", h / 1024, a / 1024, f / 1024, l / 2^20, (h * 1024 <= l ? "PASS" : "FAIL")
    printf "counters vs expected.json %s\n", v
    if (r > 1.25 || h * 1024 > l || v !~ /^EQUAL/) { print "RESULT: FAIL"; exit 1 } else print "RESULT: PASS"
}' || { [[ -n "${STRICT:-}" ]] && exit 1; }
exit 0
