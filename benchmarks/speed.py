"""The speed figures of the compiled-core issue, in one run, side by side.

Generates two corpora with benchmarks/corpus.py (deterministic, --mb each): the
samples' sentences as they are, and the same with full-width punctuation
(，；：（）, as Chinese pages write it: NFKC has work to do there). Then:

  - per-stage CPU s/MB in one process, compiled core and pure-Python path
    (TEXTCLEAN_PURE=1), on both corpora;
  - `textclean clean IN OUT` end to end with --jobs 1 and --jobs 2: wall-clock
    MB/s, the speed-up of --jobs 2, and the parent process's share of the run's
    CPU (its own getrusage vs every process below it, read from /proc: Linux);
    on both corpora as folders written into a tree, and on the generated one as one
    JSONL file written as JSONL;
  - the file system alone: the generated pages written as files the way the tree
    writer writes them (temporary name, rename), nothing else — a lower bound of
    a folder run on this disk (creating a file took 90–570 µs of kernel time on the
    development machine's ext4, ~10 µs on tmpfs);
  - datatrove's MinHash dedup (signature, buckets, cluster, filter; 2 workers,
    Chinese word tokenizer) on the same pages as JSONL, timed alternately with
    textclean --jobs 2 (--repeat rounds; medians), set against textclean on the
    folder and on that same JSONL file. datatrove only dedups whole
    documents, so it does far less than textclean;
  - with --real-pages DIR (by default ../shared/realpages/pages beside the
    repository, when it is there): the same per-stage and end-to-end figures on
    real scraped pages, --copies copies of DIR side by side (each copy a folder of
    its own, so each site is mined per copy and the copies' pages go as reposts in
    the corpus phase). Real pages have ~5x the lines per MB of the generated
    corpora, so per-line work weighs more there. The pages are read where they are
    and copied to a temporary folder, never into the repository.

datatrove lives in its own environment (never a dependency of textclean):

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install datatrove spacy jieba regex tokenizers orjson "xxhash<4"
    python benchmarks/speed.py --mb 10 --datatrove-python /tmp/bench-venv/bin/python

MB are input bytes; wall-clock seconds include process start-up. Each run writes
an output of its own, all removed when the benchmark ends: a tree removed just before
the next run was timed made that run's files several times dearer to create (ext4
skips recently deleted inodes one by one). This machine's speed drifts between runs:
compare figures of one run, not across runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL_PAGES = HERE.parent.parent / "shared" / "realpages" / "pages"  # the labelled pages beside the repository
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (the generator beside this file)

DATATROVE_DRIVER = textwrap.dedent(
    """
    import sys, time
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    src, work, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    config = MinhashConfig()
    start = time.perf_counter()
    stages = [
        [JsonlReader(src, id_key="id"), MinhashDedupSignature(f"{work}/sigs", config=config, language="zh")],
        [MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=config)],
        [MinhashDedupCluster(f"{work}/buckets", f"{work}/ids", config=config)],
        [JsonlReader(src, id_key="id"), MinhashDedupFilter(f"{work}/ids"), JsonlWriter(f"{work}/out")],
    ]
    tasks = [workers, config.num_buckets, 1, workers]
    for steps, n in zip(stages, tasks):
        LocalPipelineExecutor(pipeline=steps, tasks=n, workers=min(workers, n),
                              logging_dir=f"{work}/logs/{len(str(steps))}").run()
    print(time.perf_counter() - start)
    """
)

# One end-to-end run in a fresh process: wall clock and CPU of the parent and of its workers. Workers are
# forked by the parent (reaped by it when the run ends: its children's time) or, where the parent runs other
# threads, by a server process (forkserver), whose children they are: when the run is over, the CPU of the
# processes still below this one is read once from /proc (Linux) — their own time and that of the children
# they reaped. Not polled while the run goes: a thread waking every 50 ms takes the GIL from the main thread
# (that made --jobs 1 ~15 % slower), and with another thread running the workers would not be forked.
RUN_DRIVER = textwrap.dedent(
    """
    import json, os, resource, sys, time
    from textclean._entry import prepare
    prepare()  # as the textclean command does before numpy loads
    from textclean.cli import main

    def below():
        tick, me = os.sysconf("SC_CLK_TCK"), os.getpid()
        table = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    fields = open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                # parent, own user + system, reaped children's user + system
                table[int(name)] = (int(fields[1]), sum(map(int, fields[11:15])) / tick)
        family, grown = {me}, True
        while grown:
            grown = False
            for pid, (parent, _) in table.items():
                if parent in family and pid not in family:
                    family.add(pid)
                    grown = True
        return {pid: table[pid][1] for pid in family - {me}}

    if __name__ == "__main__":
        start = time.perf_counter()
        code = main(["clean", sys.argv[1], sys.argv[2], "-q", "--jobs", sys.argv[3]])
        wall = time.perf_counter() - start
        for _ in range(100):  # the workers exit with the run; wait until the server has reaped them
            seen = below()
            if len(seen) <= 1:
                break
            time.sleep(0.01)
        own = resource.getrusage(resource.RUSAGE_SELF)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({"code": code, "wall": wall, "parent": own.ru_utime + own.ru_stime,
                          "workers": sum(seen.values()) + reaped.ru_utime + reaped.ru_stime}))
    """
)


# Per-stage CPU seconds in this process: the steps of Pipeline.default timed one by one, and inside
# the clean step (textclean.page.PageCleaner) the rules, the title line, dedup and the line model.
STAGES_DRIVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import textclean.page as page
    from textclean import Config, Pipeline
    from textclean.corpus_dedup import CorpusDedup
    from textclean.pipeline import Map
    from textclean.sources import FolderSource

    spent = {}
    def timed(name, function):
        def run(*args, **kwargs):
            start = time.process_time()
            out = function(*args, **kwargs)
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
            return out
        return run

    for name, attribute in (("  rules", "strip_boilerplate"), ("  title line", "drop_repeated_title"),
                            ("  dedup", "dedup_document"), ("  line model", "judge_lines")):
        setattr(page, attribute, timed(name, getattr(page, attribute)))
    steps = []
    for step in Pipeline.default(Config()).steps:
        if isinstance(step, Map):
            steps.append(Map(step.name, timed(step.name, step.function)))
        else:
            assert isinstance(step, CorpusDedup)
            step.process = timed("corpus-dedup", step.process)
            steps.append(step)
    documents = list(FolderSource(Path(sys.argv[1])).documents())
    for _ in Pipeline(steps).run(documents):
        pass
    spent["  other"] = spent["clean"] - sum(v for k, v in spent.items() if k.startswith("  "))
    order = ["read", "decode", "normalize", "clean", "  rules", "  title line", "  dedup", "  line model", "  other",
             "corpus-dedup", "finish"]
    print(json.dumps({name: spent.get(name, 0.0) for name in order}))
    """
)


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def end_to_end(source: Path, out: Path, jobs: int) -> dict[str, float]:
    """One run into ``out``, a path not used before; left in place (see :func:`_fresh`)."""
    return json.loads(_run([sys.executable, "-c", RUN_DRIVER, str(source), str(out), str(jobs)]))


def _fresh(folder: Path, name: str) -> Path:
    """A path under ``folder`` that no run wrote yet. Outputs are kept until the benchmark
    ends (its temporary folder goes then): on ext4, files made just after thousands were
    deleted cost several times more kernel time — a new inode skips the recently deleted
    ones one by one (``recently_deleted``, ~8 % of a --jobs 1 folder run here when the
    previous run's tree was removed right before it) — a cost of the harness, not of
    the run being timed."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in itertools.count():
        path = folder / f"{number:03d}-{name}"
        if not path.exists():
            return path
    raise AssertionError("unreachable")


def stages(folder: Path, pure: bool) -> dict[str, float]:
    env = {**os.environ, "TEXTCLEAN_PURE": "1" if pure else "0"}
    return json.loads(_run([sys.executable, "-c", STAGES_DRIVER, str(folder)], env=env))


def _cached_bytecode() -> None:
    """Time textclean as an installed package runs: from cached bytecode. With
    PYTHONDONTWRITEBYTECODE set (and an editable install) every process would compile
    the sources again (~0.1 s each, the workers' server too): compile them once, and
    let the runs below read them."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("textclean")
    if spec is not None and spec.submodule_search_locations:
        compileall.compile_dir(list(spec.submodule_search_locations)[0], quiet=1)
        print("(PYTHONDONTWRITEBYTECODE is set: textclean's bytecode compiled once, as an install does)")
    os.environ.pop("PYTHONDONTWRITEBYTECODE")


def write_floor(folder: Path, pages: list[tuple[str, str]]) -> float:
    """Seconds to write ``pages`` as files under a new ``folder`` as the tree writer does
    (each to a temporary name, then renamed; no fsync, folders made first): what the
    file system alone costs a folder run, a lower bound beside it. The files stay (see
    :func:`_fresh`)."""
    blobs = [(folder / rel, text.encode("utf-8")) for rel, text in pages]
    for parent in sorted({path.parent for path, _ in blobs}):
        parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for path, data in blobs:
        tmp = f"{path.parent}/.{path.name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.write(fd, data)
        os.close(fd)
        os.replace(tmp, path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the end-to-end runs (medians)")
    parser.add_argument("--datatrove-python", help="python of an environment with datatrove installed")
    parser.add_argument("--real-pages", type=lambda text: Path(text) if text else None,
                        default=REAL_PAGES if REAL_PAGES.is_dir() else None,
                        help="a folder of real pages (site folders of .txt files) to time too; '' for none")
    parser.add_argument("--copies", type=int, default=10, help="copies of --real-pages side by side")
    args = parser.parse_args()
    _cached_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpora = {}
        for name, full_width in (("generated", False), ("full-width", True)):
            pages = corpus.generate(root / name, args.mb, 8, 7, full_width=full_width)
            corpora[name] = (root / name, sum(len(text.encode()) for _, text in pages) / 1e6, pages)
        jsonl = root / "jsonl" / "corpus.jsonl"  # a folder of its own: datatrove's reader takes every file in it
        jsonl.parent.mkdir()
        with jsonl.open("w", encoding="utf-8") as handle:
            for rel, text in corpora["generated"][2]:
                handle.write(json.dumps({"id": rel, "text": text}, ensure_ascii=False) + "\n")
        for name, (_, megabytes, pages) in corpora.items():
            print(f"corpus {name}: {len(pages)} pages, {megabytes:.1f} MB (benchmarks/corpus.py, seed 7)")
        if args.real_pages is not None:
            folder = root / "real-pages"
            files = sorted(path for path in args.real_pages.rglob("*.txt") if path.is_file())
            for copy in range(args.copies):
                for path in files:
                    target = folder / f"c{copy}" / path.relative_to(args.real_pages)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
            megabytes = args.copies * sum(path.stat().st_size for path in files) / 1e6
            corpora["real pages"] = (folder, megabytes, files * args.copies)
            print(f"corpus real pages: {args.copies} copies of the {len(files)} pages of {args.real_pages}, "
                  f"{megabytes:.1f} MB")

        print("\nper stage, one process, CPU s/MB (compiled core | pure-Python path):")
        for name, (folder, megabytes, _) in corpora.items():
            compiled, pure = stages(folder, pure=False), stages(folder, pure=True)
            print(f"  {name}:")
            for stage in compiled:
                print(f"    {stage:14} {compiled[stage] / megabytes:7.3f} | {pure[stage] / megabytes:7.3f}")
            total = [sum(v for k, v in spent.items() if not k.startswith(" ")) for spent in (compiled, pure)]
            print(f"    {'all stages':14} {total[0] / megabytes:7.3f} | {total[1] / megabytes:7.3f}   "
                  f"({megabytes / total[0]:.2f} | {megabytes / total[1]:.2f} MB/s)")

        print(f"\nend to end, `textclean clean IN OUT -q --jobs N` (median of {args.repeat}, wall clock):")
        # the generated pages once more as one JSONL file written as JSONL (how corpus jobs hand records over)
        runs = {name: (folder, megabytes, "out") for name, (folder, megabytes, _) in corpora.items()}
        runs["JSONL"] = (jsonl, jsonl.stat().st_size / 1e6, "out.jsonl")
        outputs = root / "outputs"
        rows: dict[tuple[str, int], list[dict[str, float]]] = {}
        datatrove: list[float] = []
        floor: list[float] = []
        for _ in range(args.repeat):  # alternately, so drifts of the machine hit both sides alike
            for name, (source, _, out) in runs.items():
                for jobs in (1, 2):
                    rows.setdefault((name, jobs), []).append(end_to_end(source, _fresh(outputs, out), jobs))
            floor.append(write_floor(_fresh(outputs, "floor"), corpora["generated"][2]))
            if args.datatrove_python:
                work = _fresh(outputs, "datatrove")
                seconds = _run([args.datatrove_python, "-c", DATATROVE_DRIVER, str(jsonl.parent), str(work), "2"])
                datatrove.append(float(seconds))
        print(f"  {'corpus':11} {'jobs':>4} {'seconds':>8} {'MB/s':>7} {'MB/s/core':>9} {'speed-up':>8} "
              f"{'parent CPU':>10}")
        for (name, jobs), timed in rows.items():
            megabytes = runs[name][1]
            wall = statistics.median(run["wall"] for run in timed)
            share = statistics.median(run["parent"] / (run["parent"] + run["workers"]) for run in timed)
            single = statistics.median(run["wall"] for run in rows[(name, 1)])
            print(f"  {name:11} {jobs:4} {wall:8.2f} {megabytes / wall:7.2f} {megabytes / wall / jobs:9.2f} "
                  f"{single / wall:7.2f}x {share:9.0%}")
        single = statistics.median(run["wall"] for run in rows[("generated", 1)])
        print(f"  the file system alone: the {len(corpora['generated'][2])} generated pages written as files the "
              f"way the tree writer writes them (a temporary name, then renamed), nothing else: "
              f"{statistics.median(floor):.2f} s, {statistics.median(floor) / single:.0%} of the --jobs 1 run "
              f"({statistics.median(floor) / len(corpora['generated'][2]) * 1e6:.0f} µs a file here)")
        if datatrove:
            seconds = statistics.median(datatrove)
            megabytes = corpora["generated"][1]
            ours = statistics.median(run["wall"] for run in rows[("generated", 2)])
            same_file = statistics.median(run["wall"] for run in rows[("JSONL", 2)])
            print(f"  datatrove MinHash, 2 workers, same pages (its input: the JSONL file): {seconds:.2f} s, "
                  f"{megabytes / seconds:.2f} MB/s; textclean --jobs 2 is {seconds / ours:.1f}x as fast on the "
                  f"folder, {seconds / same_file:.1f}x on the same JSONL file")
        else:
            print("  (datatrove skipped: pass --datatrove-python)")
        print("\ntargets: --jobs 1 >= 5 MB/s per core on both corpora; --jobs 2 >= 1.8x --jobs 1 with the parent "
              "<= 15 % of the CPU; --jobs 2 >= 10x datatrove")


if __name__ == "__main__":
    main()
