#!/usr/bin/env bash
# Makes app/fonts/geist-sans-latin.woff2: the `geist` package's variable Geist Sans (69 KB) cut to
# the Latin letters and signs Koppel's languages and its users' names need (31 KB), every weight
# kept. Run again after upgrading `geist`. Needs fonttools with brotli (Debian: python3-fonttools
# python3-brotli). Characters outside the subset fall back to the next font of the stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Basic Latin, Latin-1, Latin Extended-A (Central European names), ƒ, Romanian ș ț, modifier
# letters and combining marks, general punctuation, €, ™, arrows, minus and slash.
# The first Python that has fonttools and brotli (a pyenv python3 may shadow Debian's).
python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import fontTools.subset, brotli" 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "fonttools with brotli is needed (Debian: apt-get install python3-fonttools python3-brotli)" >&2; exit 1; }
UNICODES="U+0000-017F,U+0192,U+0218-021B,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2190-2193,U+2212,U+2215,U+FEFF,U+FFFD"
"$python" -m fontTools.subset node_modules/geist/dist/fonts/geist-sans/Geist-Variable.woff2 \
  --unicodes="$UNICODES" --flavor=woff2 --output-file=app/fonts/geist-sans-latin.woff2
cp node_modules/geist/LICENSE.txt app/fonts/GEIST-OFL.txt
