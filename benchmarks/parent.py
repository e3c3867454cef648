"""Where the parent process of a `textclean clean` run spends its time.

With worker processes the parent's serial work caps how far more workers take a
run (see the README's speed section); this prints that work by part, for any input
and --jobs, in one run:

    python benchmarks/parent.py IN [--jobs 2] [--out OUT] [--format txt] [--repeat 3]

Each part is the CPU time of the parent's main thread inside some textclean
functions (exclusive: a part called inside another counts for itself only), the
medians of --repeat runs; "other" is the rest of the main thread (the loops that
hand out pages and wait, the writer, start-up not in a part). The process's own CPU
(all its threads: the sender thread that pickles pages for the workers, a .gz's
compression threads) and the workers' CPU are printed beside it, and what they
say of scaling: the parent's CPU a MB once started against a worker's, i.e. how
many workers a parent keeps busy. Wall-clock seconds include process start-up.
OUT (a tree, or a .jsonl(.gz) path) gets a number for each run after the first,
and all are removed once every run is timed (a tree removed just before the next run
made that run's files dearer to create: ext4 skips recently deleted inodes one by
one); by default a temporary folder (a JSONL input is written as JSONL).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

# The run itself, in a fresh process: the parts wrapped before the command starts.
DRIVER = textwrap.dedent(
    """
    import json, os, resource, sys, time
    started = time.thread_time()
    from textclean._entry import prepare
    prepare()  # as the textclean command does before numpy loads
    import multiprocessing.connection as connection
    import textclean.cli, textclean.corpus as corpus, textclean.corpus_dedup as corpus_dedup
    import textclean.engines as engines, textclean.index as index, textclean.io as io
    import textclean.mining as mining, textclean.pipeline as pipeline, textclean.report as report
    import textclean.resume as resume
    imports = time.thread_time() - started
    main_thread = __import__("threading").get_ident()
    spent, stack = {}, []

    def timed(owner, name, label, kind="function"):
        function = getattr(owner, name)
        raw = function.__func__ if kind == "class" else function

        def enter():
            stack.append(0.0)
            return time.thread_time()

        def leave(start):
            inside = time.thread_time() - start
            spent[label] = spent.get(label, 0.0) + inside - stack.pop()
            if stack:
                stack[-1] += inside

        if kind == "generator":
            def wrapper(*args, **kwargs):
                items = raw(*args, **kwargs)
                while True:
                    if __import__("threading").get_ident() != main_thread:
                        yield from items
                        return
                    start = enter()
                    try:
                        item = next(items)
                    except StopIteration:
                        leave(start)
                        return
                    leave(start)
                    yield item
        else:
            def wrapper(*args, **kwargs):
                if __import__("threading").get_ident() != main_thread:
                    return raw(*args, **kwargs)
                start = enter()
                try:
                    return raw(*args, **kwargs)
                finally:
                    leave(start)
        setattr(owner, name, classmethod(wrapper) if kind == "class" else
                staticmethod(wrapper) if kind == "static" else wrapper)

    timed(pipeline, "warm_up", "warm-up before the fork")
    timed(engines.LocalEngine, "mine", "mining pass: the rest")
    timed(mining.Miner, "merge", "mining pass: counting observations")
    timed(mining.Miner, "candidates", "mining pass: candidates")
    timed(mining.MinedRules, "from_candidates", "mining pass: mined rules", kind="class")
    timed(corpus_dedup.CorpusDedup, "decide", "keep rule (corpus index)")
    timed(io.WriteTree, "claim", "places in the tree")
    timed(connection.Connection, "recv", "receiving from workers")
    timed(resume.RunState, "append", "journal")
    timed(report.Report, "entry", "report entries", kind="static")
    timed(report.Report, "add_entry", "report entries")
    timed(report.Report, "write", "report file")
    timed(io, "_jsonl_lines", "reading the input", kind="generator")
    timed(io, "read_folder", "reading the input", kind="generator")
    timed(io, "write_gzip", "compressing the output")

    if __name__ == "__main__":
        wall = time.perf_counter()
        before = time.thread_time()
        code = textclean.cli.main(["clean", *sys.argv[1:]])
        wall = time.perf_counter() - wall
        main = time.thread_time() - before + imports
        own = resource.getrusage(resource.RUSAGE_SELF)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent["imports"] = imports
        print(json.dumps({"code": code, "wall": wall, "main": main, "process": own.ru_utime + own.ru_stime,
                          "workers": reaped.ru_utime + reaped.ru_stime, "parts": spent}))
    """
)


def run(source: Path, out: Path, jobs: str, report: Path | None, output_format: str | None = None) -> dict:
    args = [sys.executable, "-c", DRIVER, str(source), str(out), "-q", "--jobs", jobs]
    if output_format is not None:
        args += ["--format", output_format]
    if report is not None:
        args += ["--report", str(report)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"the run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--out", type=Path, help="where the run writes (removed after each run)")
    parser.add_argument("--report", action="store_true", help="write a --report file too (its part is timed)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=("txt", "jsonl", "parquet"), help="the output's format (the command's default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        records = args.input.is_file() and ".jsonl" in args.input.name.lower()
        out = args.out or Path(tmp) / ("out.jsonl" if records and args.format in (None, "jsonl") else "out")
        report = Path(tmp) / "report.json" if args.report else None
        outs = [out if i == 0 else out.with_name(f"{out.name}.{i + 1}") for i in range(args.repeat)]
        try:
            runs = [run(args.input, each, args.jobs, report, args.format) for each in outs]
        finally:
            for each in outs:
                shutil.rmtree(each, ignore_errors=True) if each.is_dir() else each.unlink(missing_ok=True)
    megabytes = (sum(p.stat().st_size for p in args.input.rglob("*") if p.is_file()) if args.input.is_dir()
                 else args.input.stat().st_size) / 1e6

    def median(values: list[float]) -> float:
        return statistics.median(values)

    main_seconds = median([r["main"] for r in runs])
    print(f"{args.input} ({megabytes:.1f} MB), --jobs {args.jobs}, median of {len(runs)} runs: "
          f"wall {median([r['wall'] for r in runs]):.2f} s; parent process CPU "
          f"{median([r['process'] for r in runs]):.2f} s (main thread {main_seconds:.2f} s), workers "
          f"{median([r['workers'] for r in runs]):.2f} s")
    labels = sorted({label for r in runs for label in r["parts"]},
                    key=lambda label: -median([r["parts"].get(label, 0.0) for r in runs]))
    shown = 0.0
    for label in labels:
        seconds = median([r["parts"].get(label, 0.0) for r in runs])
        shown += seconds
        print(f"  {label:36} {seconds:6.3f} s  {seconds / main_seconds:5.1%}")
    print(f"  {'other':36} {max(main_seconds - shown, 0.0):6.3f} s  {max(main_seconds - shown, 0.0) / main_seconds:5.1%}")
    workers = median([r["workers"] for r in runs])
    if workers > 0:
        # what caps more workers: the parent's work per MB once it has started (all its threads; imports
        # and the warm-up before the fork are paid once a run), against a worker's
        start_up = median([r["parts"].get("imports", 0.0) + r["parts"].get("warm-up before the fork", 0.0)
                           for r in runs])
        parent_per_mb = max(median([r["process"] for r in runs]) - start_up, 1e-9) / megabytes
        worker_per_mb = workers / megabytes
        print(f"  scaling: after start-up ({start_up:.2f} s) the parent spends {parent_per_mb:.4f} CPU-s a MB "
              f"(keeps up with ~{1 / parent_per_mb:.0f} MB/s), the workers {worker_per_mb:.3f} (~{1 / worker_per_mb:.1f} "
              f"MB/s each): more workers pay off up to ~{worker_per_mb / parent_per_mb:.1f} of them, on as many "
              "free cores (a projection: no contention for memory or disk counted)")


if __name__ == "__main__":
    main()
