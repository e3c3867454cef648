"""Regenerate src/textclean/data/common_han.txt: the most frequent Chinese characters.

The decoder uses the list to tell real Chinese from bytes decoded with the wrong
codec (which spread evenly over thousands of rarely used characters). Frequencies
are summed per character over jieba's dictionary (word frequency x occurrences),
so the list is reproducible from a pinned jieba. Traditional forms of the same
characters are added with zhconv (a build-time tool only, not a dependency):

    pip install zhconv
    python scripts/build_common_han.py > src/textclean/data/common_han.txt
"""

from __future__ import annotations

import collections
import os
import sys

import jieba
import zhconv

TOP = 1500


def main() -> None:
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    counts: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word, freq, *_ = line.split(" ")
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff":
                    counts[ch] += int(freq)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    simplified = "".join(ch for ch, _ in ranked)
    traditional = "".join(dict.fromkeys(t for t in zhconv.convert(simplified, "zh-hant") if t not in simplified))
    sys.stdout.write(
        f"# {TOP} most frequent characters in jieba {jieba.__version__} dict.txt, then the traditional forms\n"
        f"# of those that differ ({len(traditional)}, converted with zhconv); 50 per line\n"
    )
    chars = simplified + traditional
    for start in range(0, len(chars), 50):
        sys.stdout.write(chars[start : start + 50] + "\n")


if __name__ == "__main__":
    main()
