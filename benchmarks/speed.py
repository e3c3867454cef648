"""End-to-end and per-stage MB/s, side by side with datatrove's MinHash dedup.

Generates a corpus with benchmarks/corpus.py (deterministic), then in one run:
  - textclean per stage, one process (decode, normalize, boilerplate, dedup of
    each document, corpus dedup), and its index memory per paragraph;
  - `textclean clean IN OUT` end to end (mining, cleaning, near-dup, writing),
    with --jobs 1 and --jobs 2;
  - datatrove's four MinHash stages (signature, buckets, cluster, filter) on the
    same pages as JSONL, 2 workers, Chinese word tokenizer — it only dedups
    whole documents, so it does far less than textclean.

datatrove lives in its own environment (never a dependency of textclean):

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install datatrove spacy jieba
    python benchmarks/speed.py --mb 20 --datatrove-python /tmp/bench-venv/bin/python

MB are input bytes; wall-clock seconds include process start-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
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


def per_stage(folder: Path) -> tuple[dict[str, float], float, int]:
    from textclean import Config, Pipeline
    from textclean.corpus_dedup import CorpusDedup
    from textclean.io import read_folder
    from textclean.pipeline import Map

    pipeline = Pipeline.default(Config())
    spent: dict[str, float] = {}
    timed = []
    for step in pipeline.steps:
        if isinstance(step, Map):
            def wrap(doc, function=step.function, name=step.name):  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                out = function(doc)
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
                return out

            timed.append(Map(step.name, wrap))
        else:
            timed.append(step)
    corpus_step = next(step for step in timed if isinstance(step, CorpusDedup))
    original = corpus_step.process

    def process(doc):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        out = original(doc)
        spent["corpus-dedup"] = spent.get("corpus-dedup", 0.0) + time.perf_counter() - start
        return out

    corpus_step.process = process  # type: ignore[method-assign]
    for _ in Pipeline(timed).run(read_folder(folder)):
        pass
    return spent, corpus_step.index.bytes_per_entry(), corpus_step.index.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--datatrove-python", help="python of an environment with datatrove installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = corpus.generate(root / "in", args.mb, 8, 7)
        megabytes = sum(len(text.encode()) for _, text in pages) / 1e6
        jsonl = root / "jsonl" / "corpus.jsonl"  # a folder of its own: the reader takes every file in it
        jsonl.parent.mkdir()
        import json

        with jsonl.open("w", encoding="utf-8") as handle:
            for rel, text in pages:
                handle.write(json.dumps({"id": rel, "text": text}, ensure_ascii=False) + "\n")
        print(f"corpus: {len(pages)} pages, {megabytes:.1f} MB (benchmarks/corpus.py, seed 7)")

        spent, per_entry, entries = per_stage(root / "in")
        print("\ntextclean per stage, one process:")
        for name, seconds in spent.items():
            print(f"  {name:14} {megabytes / seconds:8.1f} MB/s")
        print(f"  index: {entries} paragraphs, {per_entry:.0f} bytes each "
              f"(~{per_entry * 1e6 / 2**30:.2f} GiB per million paragraphs)")

        print("\nend to end (wall clock, same corpus):")
        rows = []
        for jobs in (1, 2):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", "import sys; from textclean.cli import main; sys.exit(main(sys.argv[1:]))",
                 "clean", str(root / "in"), str(root / f"out{jobs}"), "-q", "--jobs", str(jobs)],
                check=False,
            )
            seconds = time.perf_counter() - start
            rows.append((f"textclean --jobs {jobs}", seconds))
        if args.datatrove_python:
            result = subprocess.run(
                [args.datatrove_python, "-c", DATATROVE_DRIVER, str(jsonl.parent), str(root / "datatrove"), "2"],
                capture_output=True, text=True, check=False,
            )
            if result.returncode == 0:
                rows.append(("datatrove MinHash, 2 workers", float(result.stdout.strip().splitlines()[-1])))
            else:
                print("  datatrove failed:", result.stderr.strip().splitlines()[-1:])
        else:
            print("  (datatrove skipped: pass --datatrove-python)")
        for name, seconds in rows:
            print(f"  {name:30} {seconds:7.1f} s {megabytes / seconds:8.2f} MB/s")


if __name__ == "__main__":
    main()
