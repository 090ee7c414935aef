#!/usr/bin/env bash
# Makes real QEMU guest memory samples for ksmscope: the same paused guest written as raw
# memory (pmemsave), an ELF core and a flattened kdump-zlib dump (QMP dump-guest-memory).
#
#   bash samples/qemu/make-samples.sh [OUT_DIR]          # the committed sample (default OUT_DIR:
#                                                        # this folder): a 64 MiB guest that never
#                                                        # runs; QEMU's generic loader device puts
#                                                        # recognizable pages into its RAM
#   bash samples/qemu/make-samples.sh --linux [OUT_DIR]  # a booted Debian guest (default OUT_DIR:
#                                                        # $KSMSCOPE_QEMU_CACHE/linux-samples)
#   bash samples/qemu/make-samples.sh --prepare          # only fetch the kernel, build the initramfs
#
# Both guests hold the same recognizable pages: 256 pattern pages 4 times, 256 unique text pages
# and (loader guest only) 256 pseudo-random pages. The booted guest is realistic (a Linux kernel,
# its data and page cache) but its dumps are about 27 MB, too large to commit: the kernel's
# ~30 MiB is in every copy. The loader guest's are about 3 MB.
#
# Needs root for apt-get (or sudo). Installs qemu-system-x86, busybox-static, xz-utils and
# python3 when missing; downloads (does not install) the current Debian cloud kernel package
# and extracts vmlinuz. Downloads and intermediate files are cached in $KSMSCOPE_QEMU_CACHE
# (default /var/tmp/ksmscope-qemu), where the tests also look for the kernel and initramfs.
#
# Environment: KSMSCOPE_QEMU_MEM guest RAM in MiB of the booted guest (default 96; the Debian
# cloud kernel needs at least 72, see README.md), KSMSCOPE_QEMU_KERNEL_PACKAGE a linux-image
# package to use instead of the one linux-image-cloud-amd64 depends on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${KSMSCOPE_QEMU_CACHE:-/var/tmp/ksmscope-qemu}
mem=${KSMSCOPE_QEMU_MEM:-96}
mode=loader
out=$here
case "${1:-}" in
    --prepare) mode=prepare ;;
    --linux) mode=linux; out=${2:-$cache/linux-samples} ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) out=$1 ;;
esac
mkdir -p "$cache" "$out"
out=$(cd "$out" && pwd)
log() { echo "make-samples: $*" >&2; }

# 1. Debian packages.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ "$mode" = loader ] || { [ -x /bin/busybox ] && /bin/busybox --list | grep -x cpio >/dev/null; } || need+=(busybox-static)
command -v xz >/dev/null || need+=(xz-utils)
[ -x /usr/bin/python3 ] || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python=/usr/bin/python3

# 2. The kernel (booted guest only): downloaded as a .deb, vmlinuz taken out of it, never installed.
if [ "$mode" != loader ] && [ ! -s "$cache/vmlinuz" ]; then
    package=${KSMSCOPE_QEMU_KERNEL_PACKAGE:-}
    if [ -z "$package" ]; then
        apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || $sudo apt-get update -qq
        package=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
    fi
    [ -n "$package" ] || { log "cannot find a linux-image package"; exit 1; }
    log "downloading $package"
    rm -f "$cache"/linux-image-*.deb
    (cd "$cache" && apt-get download -q "$package" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    deb=$(ls "$cache"/linux-image-*.deb | head -1)
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' > "$cache/vmlinuz.part"
    mv "$cache/vmlinuz.part" "$cache/vmlinuz"
    dpkg-deb -f "$deb" Package Version > "$cache/kernel-package"
    rm -f "$deb"
fi

# 3. The initramfs: static busybox and an init that fills memory with recognizable content.
#    pattern: 256 pages, each "KSMSCOPE SAMPLE PATTERN PAGE nnnn" repeated, copied 4 times
#    into a tmpfs; unique: 256 pages, each "KSMSCOPE SAMPLE UNIQUE PAGE nnnn" repeated, once.
#    Both are shipped gzip-compressed so that the only uncompressed copies are the tmpfs
#    files; init_on_free=1 zeroes every page the guest frees, so no stale copies remain.
if [ "$mode" != loader ] && { [ ! -s "$cache/initramfs.cpio.gz" ] || [ "$0" -nt "$cache/initramfs.cpio.gz" ]; }; then
    root=$cache/initramfs
    rm -rf "$root"
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    "$python" - "$root" <<'EOF'
import gzip, sys
root = sys.argv[1]
for name, word in (("pattern", "PATTERN"), ("unique", "UNIQUE")):
    data = bytearray()
    for index in range(256):
        line = ("KSMSCOPE SAMPLE %s PAGE %04d\n" % (word, index)).encode()
        data += (line * (4096 // len(line) + 1))[:4096]
    with gzip.GzipFile(f"{root}/{name}.bin.gz", "wb", mtime=0) as f:
        f.write(data)
EOF
    cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /fill
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o size=8m fill /fill
for copy in 1 2 3 4; do zcat /pattern.bin.gz > /fill/pattern-$copy; done
zcat /unique.bin.gz > /fill/unique
sync
echo KSMSCOPE-READY
exec sleep 2147483647
EOF
    chmod 755 "$root/init"
    (cd "$root" && find . | LC_ALL=C sort | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -9n > "$cache/initramfs.cpio.gz"
fi
[ "$mode" = prepare ] && { log "kernel and initramfs ready in $cache"; exit 0; }

# 4. Start the guest under TCG with a QMP socket.
work=$(mktemp -d "$cache/run.XXXXXX")
qemu_pid=""
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# mem-merge=off: the guest's RAM is not registered with KSM, so this run never disturbs
# ksmscope's real-kernel tests (which refuse to run beside other KSM users).
if [ "$mode" = loader ]; then
    # The loader guest never runs (-S): QEMU's generic loader device copies the pages into RAM
    # at reset; the rest of RAM stays zero. 256 pattern pages at 16, 18, 20 and 22 MiB, 256
    # unique text pages at 24 MiB, 256 pseudo-random pages (fixed seed) at 26 MiB.
    mem=64
    "$python" "$here/sample_pages.py" "$work"
    loaders=()
    for address in 0x1000000 0x1200000 0x1400000 0x1600000; do
        loaders+=(-device "loader,file=$work/pattern.bin,addr=$address,force-raw=on")
    done
    loaders+=(-device "loader,file=$work/unique.bin,addr=0x1800000,force-raw=on")
    loaders+=(-device "loader,file=$work/random.bin,addr=0x1a00000,force-raw=on")
    qemu-system-x86_64 -accel tcg -machine pc,mem-merge=off -m "$mem" -smp 1 -nodefaults -display none -S \
        -name ksmscope-sample "${loaders[@]}" \
        -qmp "unix:$work/qmp.sock,server=on,wait=off" -pidfile "$work/qemu.pid" -daemonize
    qemu_pid=$(cat "$work/qemu.pid")
    log "started a paused $mem MiB loader guest (pid $qemu_pid)"
else
    # mem-merge=off: the guest's RAM is not registered with KSM, so this run never disturbs
    # ksmscope's real-kernel tests (which refuse to run beside other KSM users).
    qemu-system-x86_64 -accel tcg -machine pc,mem-merge=off -m "$mem" -smp 1 -nodefaults -display none -no-reboot \
        -name ksmscope-sample -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 init_on_free=1 quiet" \
        -serial "file:$work/console.log" -qmp "unix:$work/qmp.sock,server=on,wait=off" \
        -pidfile "$work/qemu.pid" -daemonize
    qemu_pid=$(cat "$work/qemu.pid")
    log "booting a $mem MiB guest (pid $qemu_pid)"
    for _ in $(seq 1 240); do
        grep -q KSMSCOPE-READY "$work/console.log" 2>/dev/null && break
        kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/console.log" >&2; log "QEMU exited"; exit 1; }
        sleep 0.5
    done
    grep -q KSMSCOPE-READY "$work/console.log" || { tail -20 "$work/console.log" >&2; log "guest did not get ready"; exit 1; }
    sleep 3  # let the guest settle (deferred frees, RCU) before pausing it
fi

# 5. Pause, dump three ways, quit; one QMP session, so the guest stays paused throughout.
#    The raw image holds the same memory blocks as the ELF and kdump files: the ranges of the
#    ELF's PT_LOAD segments (guest RAM from address 0, then the 256 KiB BIOS ROM below 4 GiB),
#    each read with pmemsave and concatenated in address order.
"$python" - "$work/qmp.sock" "$work" <<'PY'
import json, socket, struct, sys, time
sock_path, work = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(sock_path)
f = s.makefile("rw")
json.loads(f.readline())  # greeting
def qmp(command, **arguments):
    f.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
    f.flush()
    while True:
        reply = json.loads(f.readline())
        if "return" in reply:
            return reply["return"]
        if "error" in reply:
            raise SystemExit(f"QMP {command}: {reply['error']}")
qmp("qmp_capabilities")
qmp("stop")
qmp("dump-guest-memory", paging=False, protocol=f"file:{work}/guest.elf", format="elf")
qmp("dump-guest-memory", paging=False, protocol=f"file:{work}/guest.kdump", format="kdump-zlib")
while qmp("query-dump")["status"] == "active":
    time.sleep(0.1)
with open(f"{work}/guest.elf", "rb") as elf:
    header = elf.read(64)
    phoff, = struct.unpack_from("<Q", header, 0x20)
    phnum, = struct.unpack_from("<H", header, 0x38)
    elf.seek(phoff)
    table = elf.read(56 * phnum)
loads = []
for index in range(phnum):
    kind, _, _, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", table, 56 * index)
    if kind == 1 and filesz > 0:
        loads.append((paddr, filesz))
with open(f"{work}/guest.raw", "wb") as raw, open(f"{work}/ranges.txt", "w") as ranges:
    for number, (paddr, size) in enumerate(sorted(loads)):
        qmp("pmemsave", val=paddr, size=size, filename=f"{work}/range-{number}")
        with open(f"{work}/range-{number}", "rb") as part:
            raw.write(part.read())
        ranges.write(f"0x{paddr:x} {size}\n")
qmp("quit")
PY
for _ in $(seq 1 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
qemu_pid=""

# 6. Keep small files: the kdump-zlib file as written (its pages are already compressed), the
#    raw and ELF files together in one xz stream whose dictionary spans both, so the ELF's
#    copy of the memory costs almost nothing.
raw_bytes=$(stat -c %s "$work/guest.raw")
dictionary=$(( (raw_bytes >> 20) + 32 ))
tar -C "$work" --owner=0 --group=0 --numeric-owner --mode=0644 --mtime=@0 -cf - guest.raw guest.elf \
    | xz -T1 --format=xz --lzma2=preset=9e,dict=${dictionary}MiB > "$out/guest-raw-elf.tar.xz"
cp "$work/guest.kdump" "$out/guest.kdump-zlib"
chmod 644 "$out/guest.kdump-zlib" "$out/guest-raw-elf.tar.xz"
{
    echo "guest: $mode"
    echo "qemu: $(qemu-system-x86_64 --version | sed -n 1p)"
    echo "qemu_package: qemu-system-x86 $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || echo unknown)"
    if [ "$mode" = linux ]; then
        echo "kernel: $(awk '{print $2}' "$cache/kernel-package" | paste -sd' ')"
        echo "busybox: busybox-static $(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo unknown)"
    fi
    echo "memory_mib: $mem"
    echo "raw_ranges: $(paste -sd',' "$work/ranges.txt")"
    for name in raw elf kdump; do echo "${name}_bytes: $(stat -c %s "$work/guest.$name")"; done
    (cd "$work" && sha256sum guest.raw guest.elf guest.kdump | awk '{print "sha256_" substr($2, 7) ": " $1}')
} > "$out/SAMPLES.txt"
ls -l "$out"/guest* >&2
log "done"
