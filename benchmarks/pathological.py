"""Seconds per MB of `clean()` on the shapes that used to be quadratic or worse,
at two sizes side by side: linear time shows as a flat s/MB column.

    python benchmarks/pathological.py [--mb 1]

Shapes: one line with no sentence end, one SEO keyword line (space-separated
words, as on a real repost farm's page), a calendar row of day numbers, a million
short lines (scaled to --mb), short lines among repeats, unpunctuated paragraphs.
"""

from __future__ import annotations

import argparse
import time

from textclean import clean


def shapes(mb: float) -> dict[str, str]:
    chars = int(mb * 1e6 / 3)  # a Han character is 3 bytes in UTF-8
    return {
        "one line, no end mark": "字" * chars,
        "one SEO keyword line": " ".join(f"关键词{i}" for i in range(chars // 6)),
        "calendar rows": "\n".join(" ".join(str(d) for d in range(1, 32)) for _ in range(chars // 90)),
        "many short lines": "\n".join(f"标题{i}" for i in range(chars // 5)),
        "short lines among repeats": "\n".join(
            f"标题{i}\n这是一段重复的正文内容，在页面中出现了很多次。" for i in range(chars // 30)),
        "unpunctuated lines": "\n".join("这是一个没有标点的很长的句子" * 8 for _ in range(chars // 113)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.0, help="the larger size; the smaller is a quarter of it")
    args = parser.parse_args(argv)
    small, large = shapes(args.mb / 4), shapes(args.mb)
    print(f"{'shape':<28} {'MB':>6} {'s/MB':>7}   {'MB':>6} {'s/MB':>7}   (linear: the two s/MB agree)")
    for name in small:
        row = [name]
        for text in (small[name], large[name]):
            size = len(text.encode("utf-8")) / 1e6
            start = time.perf_counter()
            clean(text)
            row.append(f"{size:6.2f} {(time.perf_counter() - start) / size:7.2f}")
        print(f"{row[0]:<28} {row[1]}   {row[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
