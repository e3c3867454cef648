"""Memory: the duplicate index's model, and the peak RSS of a whole run.

    python benchmarks/memory.py model [--paragraphs 1000000] [--max-memory 256M]
        index N random paragraphs; print bytes per paragraph (measured from the
        arrays and from RSS) and the model "1 million paragraphs ~ X MB".
    python benchmarks/memory.py run -- textclean clean IN OUT --jobs 2
        run a command; print its wall time and the peaks of its whole process tree
        (parent + workers, sampled from /proc every 0.2 s): the sum of the processes'
        RSS, and of their PSS, which counts a page shared by several processes once —
        workers forked from the parent share its pages until they write them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` (bytes; 0 where /proc has no smaps_rollup)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_of(root: int) -> list[int]:
    """``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def pss_of_tree(root: int) -> int:
    """Proportional set size of ``root`` and its descendants: shared pages counted once."""
    return sum(_pss(pid) for pid in tree_of(root))


def rss_of_tree(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def self_rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def model(paragraphs: int, max_memory: int | None) -> None:
    from textclean import DedupConfig
    from textclean.index import DedupIndex

    config = DedupConfig()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as spill:
        before = self_rss()
        index = DedupIndex(config, memory_limit=max_memory, spill_dir=Path(spill) if max_memory else None)
        document = index.add_document("d")
        start = time.perf_counter()
        for first in range(0, paragraphs, 10_000):
            n = min(10_000, paragraphs - first)
            signatures = rng.integers(0, 2**32, (n, config.num_perm), dtype=np.uint64).astype(np.uint32)
            bands = rng.integers(0, 2**63, (n, config.bands), dtype=np.uint64)
            exact = rng.integers(0, 2**63, n, dtype=np.uint64)
            for i in range(n):
                index.add(int(exact[i]), signatures[i], bands[i], document, first + i)
        seconds = time.perf_counter() - start
        index.exact.flush()
        index.band_table.flush()
        grown = self_rss() - before
        arrays = index.nbytes()
        per = arrays / paragraphs
        print(f"{paragraphs:,} paragraphs, num_perm {config.num_perm}, bands {config.bands}"
              + (f", max_memory {max_memory / 2**20:.0f} MiB ({index.spills} spills)" if max_memory else ""))
        print(f"  index arrays {arrays / 2**20:.0f} MiB = {per:.0f} B/paragraph; in RAM {index.ram_bytes() / 2**20:.0f} MiB")
        print(f"  RSS grew {grown / 2**20:.0f} MiB = {grown / paragraphs:.0f} B/paragraph; {paragraphs / seconds:,.0f} inserts/s")
        print(f"  model: 1 million paragraphs ~ {per * 1e6 / 2**30:.2f} GiB of index "
              f"(datasketch MinHashLSH ~3.3 KB/entry ~ {3300 * 1e6 / 2**30:.2f} GiB)")


def run(command: list[str]) -> None:
    start = time.monotonic()
    process = subprocess.Popen(command)
    peak = peak_pss = 0
    while process.poll() is None:
        peak = max(peak, rss_of_tree(process.pid))
        peak_pss = max(peak_pss, pss_of_tree(process.pid))
        time.sleep(0.2)
    wall = time.monotonic() - start
    print(f"exit {process.returncode}; wall {wall:.1f} s; peak RSS of the process tree {peak / 2**20:.0f} MiB "
          f"(PSS, shared pages once: {peak_pss / 2**20:.0f} MiB)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("model")
    m.add_argument("--paragraphs", type=int, default=1_000_000)
    m.add_argument("--max-memory", default=None, help="bytes, or e.g. 256M")
    r = sub.add_parser("run")
    r.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.what == "model":
        limit = None
        if args.max_memory:
            text = args.max_memory.upper()
            scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
            limit = int(float(text.rstrip("KMG")) * scale)
        model(args.paragraphs, limit)
    else:
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        run(command)


if __name__ == "__main__":
    main()
