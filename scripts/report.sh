#!/usr/bin/env bash
# `make report`: the bundled demo's capacity plan as one self-contained HTML page, rendered by
# headless Chromium (Debian's chromium) to a PNG, as a 1280-pixel-wide laptop screen shows it,
# and to a PDF, as a printer gets it. The demo is samples/demo.json with a churn timeline (4
# snapshots, 30 s apart) planned on hosts shrunk like the demo's guests (about 100-fold): 40 MiB
# of memory, 4 MiB reserved, 2 MiB of overhead per guest, and placed on 2 such hosts; ksmd's
# CPU priced with a profile from `ksmscope calibrate --quick`.
# Output: $REPORT_DIR (default .build/report)/report.html, report.png, report.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh chromium python3-pil
ksmscope=$(bash scripts/release-build.sh)
out=${REPORT_DIR:-.build/report}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/demo"
"$ksmscope" generate --spec samples/demo.json --out "$out/demo" --seed 1 --timeline 4 --interval 30 --quiet >&2
# ksmd's CPU priced with this host's profile: measured on its ksmd as root with KSM, else
# estimated from userspace timings; without one the report has no CPU section.
profile=()
if "$ksmscope" calibrate --quick --out "$out/profile.json" --quiet >/dev/null; then
    profile=(--profile "$out/profile.json")
else
    echo "ksmscope report: no cost profile, the report is not priced" >&2
fi
"$ksmscope" plan "$out/demo/timeline.json" --host-memory 40M --reserved 4M --guest-overhead 2M --hosts 2 \
    "${profile[@]}" --format html --out "$out/report.html" --quiet
# Chromium runs as root in CI, which its sandbox refuses; the page has no script and loads nothing.
chromium=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions)
"${chromium[@]}" --window-size=1280,16000 --screenshot="$out/report-tall.png" "file://$out/report.html" 2>/dev/null
"${chromium[@]}" --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$out/report.html" 2>/dev/null
# The screenshot is as tall as the window: cut it below the page's last row that differs from
# the background.
# Debian's own python3, the one python3-pil is installed for.
/usr/bin/python3 - "$out/report-tall.png" "$out/report.png" <<'PY'
import sys
from PIL import Image, ImageChops
image = Image.open(sys.argv[1]).convert("RGB")
background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
box = ImageChops.difference(image, background).getbbox()
bottom = min(image.height, (box[3] if box else image.height) + 24)
image.crop((0, 0, image.width, bottom)).save(sys.argv[2], optimize=True)
PY
rm -f "$out/report-tall.png"
echo "ksmscope report: $out/report.html, $out/report.png, $out/report.pdf"
