"""Detection throughput on a deterministic mixed-encoding folder.

Builds N files from data/samples in a rotation of encodings (UTF-8, UTF-8 with
BOM, GBK, GB18030, Big5 for the traditional-safe part, UTF-16 with and without
BOM), then times, on the same bytes:

  lower bound   bytes.decode(<the codec we know>)
  chardet       chardet.detect(<first 64 KiB>) + decode with its answer
  textclean     textclean.decode() (detection + verification)

and prints MB/s for each plus textclean's accuracy.

    python benchmarks/decode_throughput.py [--files 500]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import chardet

from textclean.decode import decode

ROOT = Path(__file__).resolve().parent.parent
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "utf-16", "utf-16-le"]


def build(count: int) -> list[tuple[bytes, str, str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "samples").glob("*.txt"))]
    corpus = []
    for i in range(count):
        text = texts[i % len(texts)]
        encoding = ENCODINGS[i % len(ENCODINGS)]
        if encoding in ("big5", "gbk"):  # keep what the legacy codec can encode (Big5: no simplified-only forms)
            text = text.encode(encoding, "ignore").decode(encoding)
        # vary length so files are not identical: a different slice of the text each time
        cut = len(text) * (50 + (i * 37) % 50) // 100
        text = text[:cut]
        corpus.append((text.encode(encoding), encoding, text))
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    corpus = build(args.files)
    total = sum(len(data) for data, _, _ in corpus) / 1e6
    print(f"{len(corpus)} files, {total:.1f} MB, encodings: {', '.join(ENCODINGS)}")

    start = time.perf_counter()
    for data, encoding, _ in corpus:
        data.decode(encoding)
    lower = time.perf_counter() - start

    start = time.perf_counter()
    chardet_right = 0
    for data, _, text in corpus:
        guess = chardet.detect(data[:65536])["encoding"] or "utf-8"
        try:
            chardet_right += data.decode(guess).lstrip("\ufeff") == text
        except (UnicodeDecodeError, LookupError):
            pass
    detect = time.perf_counter() - start

    decode(b"\xb1\xea\xcc\xe2")  # warm the lazily built character tables once
    start = time.perf_counter()
    right = 0
    for data, _, text in corpus:
        right += decode(data).text == text
    ours = time.perf_counter() - start

    print(f"{'lower bound (known codec)':28} {total / lower:8.1f} MB/s")
    print(f"{'chardet.detect + decode':28} {total / detect:8.1f} MB/s   exact {chardet_right}/{len(corpus)}")
    print(f"{'textclean.decode':28} {total / ours:8.1f} MB/s   exact {right}/{len(corpus)}")


if __name__ == "__main__":
    main()
