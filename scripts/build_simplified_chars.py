"""Regenerate src/textclean/data/simplified_chars.txt: traditional -> simplified, one character each.

Boilerplate rules are written once, in simplified Chinese, and matched against a
*simplified view* of each line (:func:`textclean.normalize.simplified_view`), so
"延伸閱讀" on a Big5 page is caught by the rule for "延伸阅读". The view must keep
every character position (span rules cut the original line where they matched the
view), so only one-to-one character conversions are listed. They are taken from
OpenCC's ``t2s`` character table (Apache-2.0; a build-time tool here, and the
optional ``textclean[opencc]`` extra, not a dependency):

    pip install 'opencc>=1.1'
    python scripts/build_simplified_chars.py > src/textclean/data/simplified_chars.txt
"""

from __future__ import annotations

import sys

import opencc

# CJK Unified Ideographs, Extension A, compatibility ideographs, the astral extensions.
RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20))
PER_LINE = 40


def main() -> None:
    converter = opencc.OpenCC("t2s")
    pairs = []
    for start, stop in RANGES:
        for code in range(start, stop):
            char = chr(code)
            simplified = converter.convert(char)
            if simplified != char and len(simplified) == 1:
                pairs.append(char + simplified)
    sys.stdout.write(
        f"# {len(pairs)} traditional characters and their simplified form (OpenCC {opencc.__version__} t2s,\n"
        "# Apache-2.0), one pair of characters after another; regenerate with scripts/build_simplified_chars.py\n"
    )
    for i in range(0, len(pairs), PER_LINE):
        sys.stdout.write("".join(pairs[i : i + PER_LINE]) + "\n")


if __name__ == "__main__":
    main()
