#!/usr/bin/env bash
# Makes real QEMU guest memory samples for ksmscope: the same paused guest written as raw
# memory (pmemsave), an ELF core and a flattened kdump-zlib dump (QMP dump-guest-memory), and
# makedumpfile's kdump-compressed dumps made from that ELF core (lzo, flattened lzo, and zlib
# without zero pages).
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
# its data and page cache) but its dumps are about 50 MB, too large to commit: the kernel's
# ~30 MiB is in every copy. The loader guest's are about 3.4 MB.
#
# Needs root for apt-get (or sudo). Installs qemu-system-x86, makedumpfile, busybox-static,
# xz-utils and python3 when missing; downloads (does not install) the current Debian cloud
# kernel package and extracts vmlinuz. Downloads and intermediate files are cached in
# $KSMSCOPE_QEMU_CACHE (default /var/tmp/ksmscope-qemu), where the tests also look for the
# kernel and initramfs.
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
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
[ "$mode" = prepare ] || command -v makedumpfile >/dev/null || need+=(makedumpfile)
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

# 6. makedumpfile's dumps of the same memory, made from QEMU's ELF core. Debian's makedumpfile
#    1.7.2 is built with lzo but without snappy and zstd (`makedumpfile -v`), so it writes zlib
#    (-c) and lzo (-l) only. It needs no VMCOREINFO (the loader guest has no kernel to provide
#    one) for the dump levels that do not look at kernel structures: -d 0 (every page
#    compressed on its own) and -d 1 (zero pages, found by content, written once: in a
#    kdump-compressed dump their frames stay, all pointing at one zero block). The levels that
#    leave frames out (-d 2 and up) need the kernel's page structures (VMCOREINFO, vmlinux).
#    makedumpfile reads the program headers right after the ELF header (elf_info.c
#    get_elf64_phdr ignores e_phoff), where QEMU 7.2 puts its section headers (program headers
#    at 192), so it reads a copy with the program headers moved to offset 64 and no section
#    headers (which only matter for PN_XNUM); the segment data stays where it is.
"$python" - "$work/guest.elf" "$work/makedumpfile.elf" <<'PY'
import shutil, struct, sys
shutil.copyfile(sys.argv[1], sys.argv[2])
with open(sys.argv[2], "r+b") as elf:
    header = bytearray(elf.read(64))
    phoff, = struct.unpack_from("<Q", header, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
    elf.seek(phoff)
    table = elf.read(phentsize * phnum)
    struct.pack_into("<QQ", header, 0x20, 64, 0)  # e_phoff, e_shoff
    struct.pack_into("<HHH", header, 0x3A, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    elf.seek(0)
    elf.write(header + table)
PY
# "version 1.7.2 (released on 20 Oct 2022); lzo enabled, snappy disabled, zstd disabled"
makedumpfile -v | awk 'NR == 1 { sub(/^makedumpfile: /, ""); v = $0 } NR > 1 && NF == 2 { f = f (f ? ", " : "") $1 " " $2 }
    END { print v "; " f }' > "$work/makedumpfile.version"
mdf() { makedumpfile "$@" >>"$work/makedumpfile.log" 2>&1 || { cat "$work/makedumpfile.log" >&2; log "makedumpfile $* failed"; exit 1; }; }
mdf -l -d 0 "$work/makedumpfile.elf" "$work/guest.kdump-lzo"
mdf -c -d 1 "$work/makedumpfile.elf" "$work/guest.kdump-zlib-d1"
# -F writes the flattened stream to stdout.
makedumpfile -l -d 0 -F "$work/makedumpfile.elf" >"$work/guest.kdump-lzo-flat" 2>>"$work/makedumpfile.log" \
    || { cat "$work/makedumpfile.log" >&2; log "makedumpfile -F failed"; exit 1; }
dumps=(guest.kdump-lzo guest.kdump-lzo-flat guest.kdump-zlib-d1)

# 7. Keep small files: QEMU's kdump-zlib file as written (its pages are already compressed);
#    the raw and ELF files and makedumpfile's dumps together in one xz stream whose dictionary
#    spans them, so every copy of the memory after the first (the ELF's, and the pages
#    makedumpfile stores uncompressed because they do not shrink) costs almost nothing.
raw_bytes=$(stat -c %s "$work/guest.raw")
dictionary=$(( 2 * (raw_bytes >> 20) + 32 ))
tar -C "$work" --owner=0 --group=0 --numeric-owner --mode=0644 --mtime=@0 -cf - guest.raw guest.elf "${dumps[@]}" \
    | xz -T1 --format=xz --lzma2=preset=9e,dict=${dictionary}MiB > "$out/guest-dumps.tar.xz"
cp "$work/guest.kdump" "$out/guest.kdump-zlib"
chmod 644 "$out/guest.kdump-zlib" "$out/guest-dumps.tar.xz"
{
    echo "guest: $mode"
    echo "qemu: $(qemu-system-x86_64 --version | sed -n 1p)"
    echo "qemu_package: qemu-system-x86 $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || echo unknown)"
    if [ "$mode" = linux ]; then
        echo "kernel: $(awk '{print $2}' "$cache/kernel-package" | paste -sd' ')"
        echo "busybox: busybox-static $(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo unknown)"
    fi
    echo "makedumpfile: $(cat "$work/makedumpfile.version")"
    echo "makedumpfile_package: makedumpfile $(dpkg-query -W -f='${Version}' makedumpfile 2>/dev/null || echo unknown)"
    echo "memory_mib: $mem"
    echo "raw_ranges: $(paste -sd',' "$work/ranges.txt")"
    for name in raw elf kdump "${dumps[@]#guest.}"; do echo "${name}_bytes: $(stat -c %s "$work/guest.$name")"; done
    (cd "$work" && sha256sum guest.raw guest.elf guest.kdump "${dumps[@]}" | awk '{print "sha256_" substr($2, 7) ": " $1}')
} > "$out/SAMPLES.txt"
ls -l "$out"/guest* >&2
log "done"
