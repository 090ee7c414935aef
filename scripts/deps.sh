#!/usr/bin/env bash
# Installs the Debian packages ksmscope needs, only those missing, plus any named as arguments
# (the tests add QEMU and xz for the real-guest samples, scripts/fuzz.sh lld where the Swift
# toolchain has no ld.lld of its own). Runs apt-get as root, or through sudo for other users.
set -euo pipefail
packages=(libxxhash-dev pkg-config zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "ksmscope: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
