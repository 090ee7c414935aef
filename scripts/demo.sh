#!/usr/bin/env bash
# The demo of the README's quick start: generates a small guest fleet from samples/demo.json
# and prints what KSM would save on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
ksmscope=$(bash scripts/release-build.sh)
out=.build/demo
rm -rf "$out"
"$ksmscope" generate --spec samples/demo.json --out "$out" --seed 1 >&2
"$ksmscope" scan "$out"
