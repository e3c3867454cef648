"""The Ray engine against the local engine on the same generated corpus, side by side.

    python benchmarks/ray_vs_local.py [--mb 20] [--jobs 2]

Generates a corpus (benchmarks/corpus.py), runs `textclean clean` with
`--engine local --jobs N` and `--engine ray --jobs N` (a local Ray with N CPUs),
prints wall time and MB/s of each and the Ray run's per-stage seconds, and
checks that the two output trees are byte-identical.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run([sys.executable, str(HERE / "corpus.py"), str(root / "in"), "--mb", str(args.mb)],
                       check=True, stdout=subprocess.DEVNULL)
        size = sum(p.stat().st_size for p in (root / "in").rglob("*.txt")) / 2**20
        results = {}
        for engine in ("local", "ray"):
            command = [sys.executable, "-m", "textclean.cli", "clean", str(root / "in"), str(root / engine),
                       "--engine", engine, "--jobs", str(args.jobs)]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if done.returncode not in (0, 1):
                sys.exit(f"{engine} failed:\n{done.stderr[-2000:]}")
            stages = [line for line in done.stderr.splitlines() if line.startswith("textclean: ray:")]
            results[engine] = seconds
            print(f"{engine:>5}: {seconds:7.1f} s  {size / seconds:5.2f} MB/s  ({size:.1f} MB, --jobs {args.jobs})"
                  + (f"  [{stages[0].removeprefix('textclean: ray: ')}]" if stages else ""))
        same = tree(root / "local") == tree(root / "ray")
        print(f"ray / local wall time: {results['ray'] / results['local']:.2f}x; outputs byte-identical: {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
