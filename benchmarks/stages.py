"""Per-stage and end-to-end MB/s of the default pipeline on the bundled samples.

The samples are repeated --repeat times (each copy a separate document, so
in-document dedup sees what it would see in a real corpus). Rule patterns are
compiled before timing. MB are input bytes.

    python benchmarks/stages.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from textclean import Config, Document
from textclean.boilerplate import strip_boilerplate
from textclean.dedup import dedup_document
from textclean.normalize import normalize
from textclean.boilerplate import resolve_rules
from textclean.pipeline import decode_document, mark_empty

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    blobs = [p.read_bytes() for p in sorted((ROOT / "data" / "samples").glob("*.txt"))] * args.repeat
    megabytes = sum(map(len, blobs)) / 1e6
    config = Config()
    rules = resolve_rules(config.boilerplate)
    for blob in blobs[:5]:  # compile the combined rule patterns for every length bucket in use
        strip_boilerplate(normalize(decode_document(Document(id="warm", data=blob))), rules)
    stages = [
        ("decode", lambda d: decode_document(d, config)),
        ("normalize", lambda d: normalize(d, config.normalize)),
        ("boilerplate", lambda d: strip_boilerplate(d, rules, config.boilerplate)),
        ("dedup", lambda d: dedup_document(d, config.dedup)),
        ("finish", mark_empty),
    ]
    spent = dict.fromkeys((name for name, _ in stages), 0.0)
    start = time.perf_counter()
    for blob in blobs:
        doc = Document(id="x", data=blob)
        for name, stage in stages:
            t = time.perf_counter()
            doc = stage(doc)
            spent[name] += time.perf_counter() - t
    total = time.perf_counter() - start
    print(f"{len(blobs)} documents, {megabytes:.1f} MB")
    for name, seconds in spent.items():
        print(f"{name:12} {megabytes / seconds:8.1f} MB/s")
    print(f"{'end to end':12} {megabytes / total:8.1f} MB/s (one process)")


if __name__ == "__main__":
    main()
