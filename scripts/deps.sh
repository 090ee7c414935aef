#!/usr/bin/env bash
# Installs the Debian packages ksmscope needs, only those missing, plus any named as arguments
# (the tests add QEMU and xz for the real-guest samples, scripts/fuzz.sh lld where the Swift
# toolchain has no ld.lld of its own). Runs apt-get as root, or through sudo for other users.
# Arguments `pip:MODULE=REQUIREMENT` are PyPI packages, installed with pip only when python3
# cannot import MODULE (the Dask driver's test: pip:distributed=dask[distributed]).
set -euo pipefail
extra=()
python_packages=()
for argument in "$@"; do
    case "$argument" in
        pip:*) python_packages+=("${argument#pip:}") ;;
        *) extra+=("$argument") ;;
    esac
done
packages=(libxxhash-dev pkg-config zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev "${extra[@]}")
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "ksmscope: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for entry in "${python_packages[@]}"; do
    module=${entry%%=*}
    requirement=${entry#*=}
    python3 -c "import $module" 2>/dev/null && continue
    echo "ksmscope: installing $requirement (pip)" >&2
    python3 -m pip install -q "$requirement" 2>/dev/null \
        || python3 -m pip install -q --break-system-packages "$requirement"
done
