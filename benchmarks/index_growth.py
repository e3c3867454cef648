"""The corpus index as a corpus grows: what a page costs to look up and index.

    python benchmarks/index_growth.py [--pages 100000] [--keys 330]

Replays the corpus pass's use of one key table (``textclean.index._Table``): each
page looks up ``--keys`` new random keys (~10 paragraphs' exact key and 32 band
keys; almost none is held, as for a corpus of new pages), then indexes them. Prints
the lookup and insert time per page at each tenth of the run, and the seconds spent
in flushes and tier merges, for the table as it is and, side by side in the same run
on the same keys, for the table without its tier filters, with tiers merged by numpy
(``np.unique`` of the concatenation, the reference path) and flushed by numpy's argsort
- what it was before.
Needs the compiled core.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Iterator

import numpy as np


class _ArgsortKeys:
    """The compiled key table, its items sorted by numpy's argsort at a flush."""

    def __init__(self, table: object) -> None:
        self.table = table

    def __len__(self) -> int:
        return len(self.table)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.table, name)

    def sorted_items(self) -> tuple[np.ndarray, np.ndarray]:
        keys, values = self.table.items()  # type: ignore[attr-defined]
        order = np.argsort(keys, kind="stable")
        return keys[order], values[order]


@contextlib.contextmanager
def _as_before(index: object) -> Iterator[None]:
    """Tiers without filters, merged by the numpy reference, flushed by numpy's argsort."""
    saved = index._tier, index._merged, index._new_keys  # type: ignore[attr-defined]

    def unfiltered(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return keys, values, np.zeros(0, dtype=np.uint64)

    def numpy_merge(older_keys, older_values, newer_keys, newer_values):  # type: ignore[no-untyped-def]
        keys, first = np.unique(np.concatenate([older_keys, newer_keys]), return_index=True)
        return keys, np.concatenate([older_values, newer_values])[first]

    new_keys = index._new_keys  # type: ignore[attr-defined]
    index._tier, index._merged = unfiltered, numpy_merge  # type: ignore[attr-defined]
    index._new_keys = lambda: _ArgsortKeys(new_keys())  # type: ignore[attr-defined]
    try:
        yield
    finally:
        index._tier, index._merged, index._new_keys = saved  # type: ignore[attr-defined]


def replay(pages: int, per_page: int, seed: int) -> tuple[list[str], float]:
    import textclean.index as index

    table = index._Table()
    rng = np.random.default_rng(seed)
    flushed = 0.0
    flush = table.flush

    def timed_flush(**options: bool) -> None:
        nonlocal flushed
        started = time.perf_counter()
        flush(**options)
        flushed += time.perf_counter() - started

    table.flush = timed_flush  # type: ignore[method-assign]
    rows, lookup, insert, step = [], 0.0, 0.0, max(pages // 10, 1)
    for page in range(pages):
        keys = rng.integers(0, 2**64 - 1, size=per_page, dtype=np.uint64)
        started = time.perf_counter()
        table.lookup(keys)
        looked = time.perf_counter()
        table.insert_values(keys, np.full(per_page, page, dtype=np.int32))
        lookup += looked - started
        insert += time.perf_counter() - looked
        if (page + 1) % step == 0:
            rows.append(f"{page + 1:>8} {len(table) / 1e6:>6.1f}M {len(table.tiers):>5} "
                        f"{lookup / step * 1e6:>8.0f} {insert / step * 1e6:>8.0f}")
            lookup = insert = 0.0
    return rows, flushed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=330, help="keys looked up and indexed per page")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    import textclean.index as index
    from textclean.native import core, describe

    if core() is None:
        print(f"needs the compiled core ({describe()})", file=sys.stderr)
        return 2
    now, now_flush = replay(args.pages, args.keys, args.seed)
    with _as_before(index):
        before, before_flush = replay(args.pages, args.keys, args.seed)
    print(f"{args.pages} pages x {args.keys} keys; microseconds a page: now | before (no filters, numpy merges "
          "and flushes)")
    print(f"{'pages':>8} {'keys':>7} {'tiers':>5} {'lookup':>8} {'insert':>8} | {'tiers':>5} {'lookup':>8} {'insert':>8}")
    for a, b in zip(now, before):
        print(f"{a} | {b[17:]}")
    print(f"flushes and merges: now {now_flush:.1f} s | before {before_flush:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
