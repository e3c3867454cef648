"""What the line model adds to an end-to-end `textclean clean`, side by side.

    python benchmarks/line_model_cost.py [--mb 10] [--rounds 3]

Generates the benchmark corpus (benchmarks/corpus.py, deterministic), then times
`textclean clean IN OUT -q --jobs 1` with and without `--no-line-model`,
alternately, ``--rounds`` times each, and prints the best wall and CPU seconds of
each and the overhead. Also times the model alone (features + both stages) on
every page of the corpus, in one process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and child CPU seconds of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lm-cost-"))
    try:
        source = work / "in"
        subprocess.run([sys.executable, str(HERE / "corpus.py"), str(source), "--mb", str(args.mb)], check=True,
                       stdout=subprocess.DEVNULL)
        size = sum(p.stat().st_size for p in source.rglob("*.txt")) / 1e6
        textclean = [sys.executable, "-m", "textclean.cli", "clean", str(source)]
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for name, extra in (("rules only (--no-line-model)", ["--no-line-model"]), ("with the line model", [])):
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                wall, cpu = timed([*textclean, str(out), "-q", "--jobs", "1", *extra])
                if name not in best or wall < best[name][0]:
                    best[name] = (wall, cpu)
        # the model alone, in this process
        from textclean.line_model import LineModel

        model = LineModel.builtin()
        pages = [p.read_text(encoding="utf-8").split("\n") for p in sorted(source.rglob("*.txt"))]
        start = time.process_time()
        for lines in pages:
            model.scores([line for line in lines if line.strip()])
        alone = time.process_time() - start
        print(f"corpus: {size:.1f} MB, {len(pages)} pages (benchmarks/corpus.py --mb {args.mb:g}); "
              f"best of {args.rounds}, alternating; {os.cpu_count()} cores")
        print(f"{'run':<30} {'wall s':>7} {'cpu s':>7} {'MB/s':>6}")
        for name, (wall, cpu) in best.items():
            print(f"{name:<30} {wall:>7.2f} {cpu:>7.2f} {size / wall:>6.2f}")
        base, with_model = best["rules only (--no-line-model)"], best["with the line model"]
        print(f"line model overhead: wall {100 * (with_model[0] / base[0] - 1):+.1f} %, "
              f"cpu {100 * (with_model[1] / base[1] - 1):+.1f} %; the model alone on every page: "
              f"{alone:.2f} CPU s ({size / max(alone, 1e-9):.1f} MB/s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
