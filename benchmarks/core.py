"""The compiled core against its pure-Python reference, kernel by kernel, side by side.

    python benchmarks/core.py [--mb 5] [--rounds 3]

Generates a corpus with benchmarks/corpus.py (deterministic), folds its paragraphs
into dedup keys, and times each kernel both ways on the same keys, alternating;
prints MB/s of keys (best round) and checks the outputs are equal. Without a
compiled core (``textclean --version`` says so) only the reference runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import textclean.native
    import textclean.signatures
    from textclean.config import DedupConfig
    from textclean.signatures import Signer

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "corpus.py"), folder, "--mb", str(args.mb)],
                       check=True, stdout=subprocess.DEVNULL)
        texts = [line for path in sorted(Path(folder).rglob("*.txt"))
                 for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line]
    signer = Signer(DedupConfig())
    keys = signer.keys(texts)
    megabytes = sum(len(key.encode("utf-8")) for key in keys) / 1e6
    compiled = textclean.native.core()
    print(f"{len(keys)} keys, {megabytes:.2f} MB; core: {textclean.native.describe()}")
    ways = {"pure-Python (numpy)": lambda: None}
    if compiled is not None:
        ways["compiled"] = textclean.native.core
    best: dict[str, float] = {}
    results = {}
    for _ in range(args.rounds):
        for name, chooser in ways.items():
            textclean.signatures.core = chooser
            start = time.perf_counter()
            results[name] = signer.signatures(keys)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    textclean.signatures.core = textclean.native.core
    print("kernel: char n-gram shingles + MinHash (128 permutations)")
    for name, seconds in best.items():
        print(f"  {name:<22} {megabytes / seconds:8.1f} MB/s")
    if len(results) == 2:
        values = list(results.values())
        print(f"  outputs equal: {np.array_equal(values[0], values[1])}")


if __name__ == "__main__":
    main()
