"""Corpus jobs: resume after SIGKILL or Ctrl-C, refusals, a full disk, a spilling index."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import textclean.io
import textclean.resume
from textclean import DedupConfig
from textclean.index import DedupIndex
from textclean.resume import STATE_NAME, RunState

from .conftest import colliding_records, mixed_corpus, tree
from .conftest import run_cli as run


def report_files(path: Path) -> list[dict]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return [{k: v for k, v in f.items() if k != "output"} for f in report["files"]], report["summary"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    mixed_corpus(root / "in")
    generator = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"
    subprocess.run([sys.executable, str(generator), str(root / "in" / "generated"), "--mb", "0.25", "--sites", "3"],
                   check=True, stdout=subprocess.DEVNULL)
    return root


@pytest.fixture(scope="module")
def reference(corpus: Path) -> Path:
    """An uninterrupted run: a tree, its report, and a JSONL output of the same input."""
    code, err = run("clean", str(corpus / "in"), str(corpus / "ref"), "-q", "--report", str(corpus / "ref.json"))
    assert code in (0, 1), err
    code, err = run("clean", str(corpus / "in"), str(corpus / "ref.jsonl.gz"), "-q")
    assert code in (0, 1), err
    return corpus


def _crash_at(monkeypatch: pytest.MonkeyPatch, k: int, *, torn: bool) -> None:
    """Make the k-th journal append fail the way a killed process would leave it."""
    original = RunState.append
    count = {"n": 0}

    def append(self: RunState, record: dict) -> None:
        count["n"] += 1
        if count["n"] == k:
            if torn:  # half a record reached the file
                with open(self.path / "journal", "ab") as handle:
                    handle.write(b"\x40\x00\x00\x00\x01\x02\x03\x04partial")
            raise KeyboardInterrupt
        original(self, record)

    monkeypatch.setattr(RunState, "append", append)


@pytest.mark.parametrize("k, torn", [(1, False), (7, True), (15, False), (29, True)])
def test_interrupted_tree_run_resumes_to_identical_output(reference: Path, tmp_path: Path, monkeypatch, k, torn):
    out, report = tmp_path / "out", tmp_path / "r.json"
    with monkeypatch.context() as patch:
        _crash_at(patch, k, torn=torn)
        code, err = run("clean", str(reference / "in"), str(out), "-q", "--report", str(report))
    assert code == 130 and "--resume" in err
    assert (out / STATE_NAME / "options.json").exists()
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--report", str(report), "--resume")
    assert code in (0, 1), err
    assert tree(out) == tree(reference / "ref")  # the state folder is gone, every file identical
    assert report_files(report) == report_files(reference / "ref.json")


@pytest.mark.parametrize("k, jobs", [(2, "1"), (20, "1"), (20, "2")])
def test_interrupted_jsonl_run_resumes_to_identical_output(reference: Path, tmp_path: Path, monkeypatch, k, jobs):
    out = tmp_path / "out.jsonl.gz"
    with monkeypatch.context() as patch:
        _crash_at(patch, k, torn=True)
        assert run("clean", str(reference / "in"), str(out), "-q", "--jobs", jobs)[0] == 130
    assert not out.exists()  # nothing half-written where the output goes
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--resume", "--jobs", jobs)
    assert code in (0, 1), err
    assert out.read_bytes() == (reference / "ref.jsonl.gz").read_bytes()
    assert not Path(str(out) + STATE_NAME).exists()


def test_interrupted_run_over_records_with_workers_resumes_to_identical_output(reference: Path, tmp_path: Path,
                                                                               monkeypatch):
    """JSONL in, JSONL out, two workers that parse the lines and make the output lines:
    stopped, then resumed from the journal, the file one uninterrupted process writes."""
    from .conftest import records_of

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in records_of(reference / "in")),
                   encoding="utf-8")
    code, err = run("clean", str(src), str(tmp_path / "ref.jsonl"), "-q", "--jobs", "1")
    assert code in (0, 1), err
    out = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        _crash_at(patch, 25, torn=True)
        assert run("clean", str(src), str(out), "-q", "--jobs", "2")[0] == 130
    code, err = run("clean", str(src), str(out), "-q", "--resume", "--jobs", "2")
    assert code in (0, 1), err
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


@pytest.mark.parametrize("k", [1, 25])
def test_records_written_into_a_tree_by_workers_resume_to_identical_output(reference: Path, tmp_path: Path,
                                                                          monkeypatch, k: int):
    """JSONL in, a tree out, two workers that write the files the parent claims in input
    order: stopped, then resumed, the tree and report one uninterrupted process makes."""
    from .conftest import records_of

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in records_of(reference / "in")),
                   encoding="utf-8")
    code, err = run("clean", str(src), str(tmp_path / "ref"), "--format", "txt", "-q", "--jobs", "1",
                    "--report", str(tmp_path / "ref.json"))
    assert code in (0, 1), err
    out, report = tmp_path / "out", tmp_path / "r.json"
    with monkeypatch.context() as patch:
        _crash_at(patch, k, torn=True)
        assert run("clean", str(src), str(out), "--format", "txt", "-q", "--jobs", "2", "--report", str(report))[0] == 130
    code, err = run("clean", str(src), str(out), "--format", "txt", "-q", "--resume", "--jobs", "2",
                    "--report", str(report))
    assert code in (0, 1), err
    assert tree(out) == tree(tmp_path / "ref")
    assert report_files(report) == report_files(tmp_path / "ref.json")


def test_a_writer_handed_to_a_worker_leaves_what_was_placed_behind(tmp_path: Path) -> None:
    """The files a resumed run claims again stay with the parent: pickled (as the steps go
    to every worker) the writer carries none of them, and writes the same way."""
    import pickle

    from textclean.io import WriteTree

    placed = tuple((str(tmp_path / f"{n}.txt"), str(n)) for n in range(1000))
    writer = WriteTree(tmp_path, claimed=placed)
    shipped = pickle.loads(pickle.dumps(writer))
    assert shipped.claimed == () and shipped == WriteTree(tmp_path)
    assert len(pickle.dumps(writer)) < 500
    assert len(writer.claims().written) == 1000 and not shipped.claims().written


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("k", [5, 9])
def test_a_resumed_tree_run_keeps_the_file_an_earlier_id_claimed(tmp_path: Path, monkeypatch, jobs: str,
                                                                 k: int) -> None:
    """Records whose ids land on one file (a repeated id) or on a folder another id needs
    (``d`` and ``d/e``): the first one stays and the later is skipped — also when the run
    stopped between them and was resumed (the resumed run claimed nothing of what the
    first part wrote, and the later record was written over the earlier one's file)."""
    src = colliding_records(tmp_path / "in.jsonl", ["a", "same", "d", "b", "c", "f", "g", "same", "d/e", "h", "i",
                                                    "same"])
    code, err = run("clean", str(src), str(tmp_path / "ref"), "--format", "txt", "-q", "--jobs", jobs,
                    "--report", str(tmp_path / "ref.json"))
    assert code == 1 and "the first one stays" in err  # the later ids are skipped
    assert (tmp_path / "ref" / "same.txt").read_text(encoding="utf-8").startswith("第1条")
    out, report = tmp_path / "out", tmp_path / "r.json"
    with monkeypatch.context() as patch:
        _crash_at(patch, k, torn=False)
        assert run("clean", str(src), str(out), "--format", "txt", "-q", "--jobs", jobs, "--report", str(report))[0] == 130
    code, err = run("clean", str(src), str(out), "--format", "txt", "-q", "--resume", "--jobs", jobs,
                    "--report", str(report))
    assert code == 1, err
    assert tree(out) == tree(tmp_path / "ref")
    assert report_files(report) == report_files(tmp_path / "ref.json")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_run_over_parquet_resumes_to_identical_output(reference: Path, tmp_path: Path, monkeypatch,
                                                                  jobs: str):
    """Parquet in (two files, row groups of 4 rows, read 3 rows at a time), JSONL out:
    the resumed run skips the rows the journal holds by the footers' counts and
    writes the file one uninterrupted run writes."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    import textclean.parquet

    from .conftest import records_of

    rows = records_of(reference / "in")
    (tmp_path / "in").mkdir()
    half = len(rows) // 2
    for name, part in (("1.parquet", rows[half:]), ("2.parquet", rows[:half])):  # not in id order
        pq.write_table(pa.Table.from_pylist(part), tmp_path / "in" / name, row_group_size=4)
    monkeypatch.setattr(textclean.parquet, "BATCH_ROWS", 3)
    code, err = run("clean", str(tmp_path / "in"), str(tmp_path / "ref.jsonl"), "-q", "--jobs", "1")
    assert code in (0, 1), err
    out = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        _crash_at(patch, 23, torn=True)
        assert run("clean", str(tmp_path / "in"), str(out), "-q", "--jobs", jobs)[0] == 130
    code, err = run("clean", str(tmp_path / "in"), str(out), "-q", "--resume", "--jobs", jobs)
    assert code in (0, 1), err
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


@pytest.mark.parametrize("k, jobs", [(2, "1"), (17, "1"), (30, "2")])
def test_interrupted_parquet_output_resumes_after_its_last_whole_part(reference: Path, tmp_path: Path, monkeypatch,
                                                                       k: int, jobs: str):
    """Parquet written in parts of 4 rows: a run stopped anywhere resumes after the last
    part its journal holds (a part written after the journal's last sync, or half
    written, is written again) and ends with the parts of an uninterrupted run."""
    pytest.importorskip("pyarrow")
    import textclean.parquet

    monkeypatch.setattr(textclean.parquet, "PART_ROWS", 4)
    code, err = run("clean", str(reference / "in"), str(tmp_path / "ref"), "-q", "--format", "parquet")
    assert code in (0, 1), err
    expected = {p.name: p.read_bytes() for p in (tmp_path / "ref").iterdir()}
    assert len(expected) > 3
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _crash_at(patch, k, torn=True)
        assert run("clean", str(reference / "in"), str(out), "-q", "--format", "parquet", "--jobs", jobs)[0] == 130
    assert (out / STATE_NAME).is_dir()
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--format", "parquet")
    assert code == 2 and "--resume" in err  # an unfinished run is not silently restarted
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--format", "parquet", "--resume",
                    "--jobs", jobs)
    assert code in (0, 1), err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == expected  # the state folder is gone


def test_a_parquet_part_its_journal_names_but_the_disk_lost_is_written_again(reference: Path, tmp_path: Path,
                                                                            monkeypatch):
    pytest.importorskip("pyarrow")
    import textclean.parquet

    monkeypatch.setattr(textclean.parquet, "PART_ROWS", 4)
    assert run("clean", str(reference / "in"), str(tmp_path / "ref"), "-q", "--format", "parquet")[0] in (0, 1)
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _crash_at(patch, 30, torn=False)
        assert run("clean", str(reference / "in"), str(out), "-q", "--format", "parquet")[0] == 130
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) > 3
    parts[2].unlink()
    code, err = run("clean", str(reference / "in"), str(out), "--format", "parquet", "--resume")
    assert code in (0, 1), err
    assert "done again" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "ref").iterdir()}


@pytest.mark.parametrize("moment", ["before compressing", "while compressing", "after the output is in place"])
@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl"])
def test_a_stop_in_the_last_step_of_a_jsonl_run_loses_nothing(reference: Path, tmp_path: Path, monkeypatch,
                                                             moment: str, suffix: str):
    """The last step moves the finished lines into place; a run stopped there used to
    resume to 'written' with no output file and its work deleted."""
    from textclean import io as io_module

    out = tmp_path / f"out{suffix}"
    expected_gz = (reference / "ref.jsonl.gz").read_bytes()
    with monkeypatch.context() as patch:
        if moment == "before compressing":
            def stop(*args, **kwargs):
                raise KeyboardInterrupt
            patch.setattr(io_module, "atomic_output", stop)
            patch.setattr(io_module, "_place_copy", stop)
        elif moment == "while compressing":
            def half(source, target, *args, **kwargs):  # half the bytes, then the kill
                target.write(source.read(1000))
                raise KeyboardInterrupt
            patch.setattr(io_module.shutil, "copyfileobj", half)  # a plain output copied (no hard links)
            patch.setattr(io_module, "write_gzip", half)  # a .gz output compressed
            patch.setattr(io_module.os, "link", lambda *a: (_ for _ in ()).throw(OSError("no links here")))
        else:
            patch.setattr(RunState, "finish", lambda self: (_ for _ in ()).throw(KeyboardInterrupt()))
        code, err = run("clean", str(reference / "in"), str(out), "-q")
        assert code == 130, err
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--resume")
    assert code in (0, 1), err
    import gzip

    expected = gzip.decompress(expected_gz)
    assert (gzip.decompress(out.read_bytes()) if suffix.endswith(".gz") else out.read_bytes()) == expected
    assert not Path(str(out) + STATE_NAME).exists()


def _wait_for(condition, process: subprocess.Popen, timeout: float = 60.0) -> bool:
    """Poll until condition() holds (True) or the process ends (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    pytest.fail("the run made no progress in a minute")


def test_sigkill_at_any_moment_then_resume(reference: Path, tmp_path: Path):
    """Kill the real process again and again, resuming each time; the final tree equals the
    uninterrupted run's. Kills follow the run's progress, not the clock, so they land mid-run
    on a machine of any speed: the first before any document is finished (while mining),
    the others after the journal has grown, later each round and at varying offsets
    (between records, during a write, during a rename)."""
    out = tmp_path / "out"
    journal = out / STATE_NAME / "journal"
    command = [sys.executable, "-m", "textclean.cli", "clean", str(reference / "in"), str(out), "-q", "--resume"]

    def size() -> int:
        return journal.stat().st_size if journal.exists() else 0

    kills_mid_run = 0
    for round_ in range(200):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if round_ == 0:
            alive = _wait_for((out / STATE_NAME / "options.json").exists, process)
        else:
            before = size()
            alive = _wait_for(lambda: size() > before, process)  # at least one more document done
            time.sleep(0.003 * (round_ % 7) + 0.03 * round_)  # later each round: a few rounds in all
        if not alive or process.poll() is not None:
            break
        process.kill()
        process.wait()
        kills_mid_run += 1
    else:
        pytest.fail("the run never finished")
    assert process.wait() in (0, 1), process.stderr.read().decode()
    assert kills_mid_run >= 2  # one before the first record, at least one after some files were finished
    assert tree(out) == tree(reference / "ref")


def test_ctrl_c_stops_cleanly_and_resumes(reference: Path, tmp_path: Path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "textclean.cli", "clean", str(reference / "in"), str(out), "-q", "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / STATE_NAME / "journal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not (journal.exists() and journal.stat().st_size):
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 130:  # interrupted (it may have finished first on a fast machine)
        message = stderr.decode()
        assert "--resume" in message and "Traceback" not in message
        assert not list(out.rglob(".*.tmp"))
        code, err = run("clean", str(reference / "in"), str(out), "-q", "--jobs", "2", "--resume")
        assert code in (0, 1), err
    assert tree(out) == tree(reference / "ref")


def test_resume_with_other_options_is_refused(reference: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _crash_at(patch, 3, torn=False)
        run("clean", str(reference / "in"), str(out), "-q")
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--resume", "--threshold", "0.7")
    assert code == 2 and "threshold" in err and "0.6" in err and "0.7" in err
    code, err = run("clean", str(reference / "in"), str(out), "-q")  # neither silently restarts
    assert code == 2 and "--resume" in err
    assert (out / STATE_NAME / "journal").exists()  # the interrupted run is still resumable


def test_resume_without_an_unfinished_run_starts_fresh(reference: Path, tmp_path: Path):
    code, err = run("clean", str(reference / "in"), str(tmp_path / "out"), "--resume")
    assert code in (0, 1) and "starting from the beginning" in err
    assert tree(tmp_path / "out") == tree(reference / "ref")


def test_a_full_disk_fails_clearly_and_leaves_no_half_files(reference: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    written = {"n": 0}
    real_replace = os.replace

    def replace(src, dst):  # the 23rd output file finds the disk full
        written["n"] += 1
        if written["n"] == 25:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(textclean.io.os, "replace", replace)
        code, err = run("clean", str(reference / "in"), str(out), "-q")
    assert code == 2 and "No space left on device" in err and "--resume" in err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--resume")  # space freed: carry on
    assert code in (0, 1), err
    assert tree(out) == tree(reference / "ref")


def test_an_unusable_output_is_a_clear_error(reference: Path, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, err = run("clean", str(reference / "in"), str(blocker / "out"), "-q")
    assert code == 2 and "cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize("size, ok", [("2G", True), ("500M", True), ("1.5g", True), ("10k", False), ("lots", False)])
def test_max_memory_values(reference: Path, tmp_path: Path, size: str, ok: bool):
    code, err = run("clean", str(reference / "in"), str(tmp_path / "out"), "-q", "--max-memory", size)
    assert (code in (0, 1)) if ok else (code == 2 and "--max-memory" in err)


def test_a_spilling_index_finds_the_same_matches(tmp_path: Path):
    config = DedupConfig()
    rng = np.random.default_rng(5)
    count = 3 * DedupIndex._BLOCK + 100
    signatures = rng.integers(0, 2**32, (count, config.num_perm), dtype=np.uint64).astype(np.uint32)
    bands = rng.integers(0, 2**63, (count, config.bands), dtype=np.uint64)
    exact = rng.integers(0, 2**63, count, dtype=np.uint64)
    in_ram = DedupIndex(config)
    spilling = DedupIndex(config, memory_limit=1, spill_dir=tmp_path / "index")
    for index in (in_ram, spilling):
        document = index.add_document("d")
        for i in range(count):
            index.add(int(exact[i]), signatures[i], bands[i], document, i)
    assert spilling.spills >= 3 and list((tmp_path / "index").iterdir())
    assert spilling.ram_bytes() < in_ram.ram_bytes() / 4
    probe = rng.choice(count, 200, replace=False)
    queries = signatures[probe].copy()
    queries[:, :20] = 0  # near copies, not exact ones
    for index in (in_ram, spilling):
        found = index.match_many(exact[probe] + 1, queries, bands[probe])
        assert [f[0] for f in found if f] == probe.tolist()
    assert in_ram.match_many(exact[probe], signatures[probe], bands[probe]) == spilling.match_many(
        exact[probe], signatures[probe], bands[probe]
    )


def test_a_corpus_run_with_a_small_memory_budget_spills_and_matches(reference: Path, tmp_path: Path, monkeypatch):
    spills = []
    real_spill = DedupIndex.spill
    monkeypatch.setattr(DedupIndex, "_BLOCK", 8)  # tiny blocks, and always over budget: spill after every 8
    monkeypatch.setattr(DedupIndex, "ram_bytes", lambda self: 1 << 40)
    monkeypatch.setattr(DedupIndex, "spill", lambda self: spills.append(1) or real_spill(self))
    code, err = run("clean", str(reference / "in"), str(tmp_path / "out"), "-q", "--max-memory", "16M")
    assert code in (0, 1), err
    assert len(spills) >= 3
    assert tree(tmp_path / "out") == tree(reference / "ref")


def test_journal_records_survive_a_torn_tail(tmp_path: Path):
    state = RunState.start(tmp_path / "s", {"a": "1"})
    for i in range(3):
        state.append({"entry": i})
    state.close()
    with open(tmp_path / "s" / "journal", "ab") as handle:
        handle.write(b"\xff\xff")
    again = RunState.resume(tmp_path / "s", {"a": "1"})
    assert [r["entry"] for r in again.records()] == [0, 1, 2]
    again.append({"entry": 3})
    assert [r["entry"] for r in again.records()] == [0, 1, 2, 3]
    with pytest.raises(textclean.resume.ResumeError, match="a: 1 then, 2 now"):
        RunState.resume(tmp_path / "s", {"a": "2"})


def test_resume_removes_temporaries_a_kill_left_behind(reference: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _crash_at(patch, 5, torn=False)
        run("clean", str(reference / "in"), str(out), "-q")
    stale = out / "s1" / ".000_ca93ba84090e03e2.txt.0123456789ab.tmp"  # as a SIGKILL mid-write leaves it
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half")
    assert run("clean", str(reference / "in"), str(out), "-q", "--resume")[0] in (0, 1)
    assert tree(out) == tree(reference / "ref")


def test_a_tree_is_made_durable_by_syncing_the_file_system_not_each_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    """Where the file system can be synced whole, the written pages are not fsync'd one by
    one: the journal's syncs and one at the end cover them (see WriteTree.run)."""
    import textclean.io

    if not textclean.io.can_sync_file_system():
        pytest.skip("no syncfs here: each file is fsync'd")
    synced: list[int] = []
    fsynced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(textclean.io, "sync_file_system", lambda fd: synced.append(fd))
    monkeypatch.setattr(os, "fsync", lambda fd: (fsynced.append(fd), real_fsync(fd)))
    src, out = tmp_path / "in", tmp_path / "out"
    mixed_corpus(src, copies=4)
    pages = len(list(src.rglob("*.txt")))
    code, err = run("clean", str(src), str(out), "-q", "--no-mine")
    assert code == 0, err
    assert synced and len(fsynced) < pages // 2  # the manifest and the like, not the pages


def test_ctrl_c_just_after_a_temporary_file_is_made_leaves_none(tmp_path: Path, monkeypatch):
    """The window between making a writer's temporary file and owning it: an interrupt
    there removes the file too (a Ctrl-C once left one beside the output)."""
    import textclean.io as io_module

    real_open = os.open

    def open_then_interrupt(*args, **kwargs):
        real_open(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(io_module.os, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        io_module.write_atomic(tmp_path / "page.txt", b"text")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_journal_records_are_written_together_and_none_is_lost(tmp_path: Path, monkeypatch) -> None:
    """The first record is written at once (a run killed early has a journal), later ones
    together (one write for many small documents); reading the journal or closing it
    writes what is pending."""
    import textclean.resume as resume

    monkeypatch.setattr(resume, "_WRITE_SECONDS", 3600.0)
    state = resume.RunState.start(tmp_path / "state", {"a": "b"})
    journal = tmp_path / "state" / "journal"
    state.append({"n": 0})
    size = journal.stat().st_size
    assert size > 0
    for n in range(1, 50):
        state.append({"n": n})
    assert journal.stat().st_size == size  # waiting for the next write
    assert [r["n"] for r in state.records()] == list(range(50))
    state.append({"n": 50})
    state.close()
    assert [r["n"] for r in resume.RunState(tmp_path / "state").records()] == list(range(51))


def test_a_run_stopped_while_writing_its_report_says_how_to_continue(reference: Path, tmp_path: Path, monkeypatch):
    """Ctrl-C after the last page, while the report is written: the journal is whole,
    and the run says to continue with --resume (it said so only for a stop among the
    pages), which then writes the report."""
    from textclean.report import Report

    out, report = tmp_path / "out", tmp_path / "r.json"
    with monkeypatch.context() as patch:
        def interrupted(self: Report, path: Path, **kwargs: object) -> None:
            raise KeyboardInterrupt

        patch.setattr(Report, "write", interrupted)
        code, err = run("clean", str(reference / "in"), str(out), "-q", "--report", str(report))
    assert code == 130 and "--resume" in err, err
    code, err = run("clean", str(reference / "in"), str(out), "-q", "--report", str(report), "--resume")
    assert code in (0, 1), err
    assert tree(out) == tree(reference / "ref") and report_files(report) == report_files(reference / "ref.json")


@pytest.mark.parametrize("paragraphs", [0, 1, 7])
def test_an_index_change_comes_back_from_the_journal_as_it_went_in(paragraphs: int) -> None:
    """The journal pickles each document's IndexChange as bytes: the same lines, keys,
    signatures and bands come back, with their types and shapes (the band keys made
    again from the signatures, not written: a journal written with them still loads)."""
    import pickle

    import numpy as np

    from textclean.document import IndexChange, _index_change_of
    from textclean.signatures import band_keys

    rng = np.random.default_rng(paragraphs)
    signatures = rng.integers(0, 2**32, (paragraphs, 128), dtype=np.uint64).astype(np.uint32)
    change = IndexChange(document="site/页.txt", lines=[int(n) for n in rng.integers(1, 10**6, paragraphs)],
                         exact=[2**64 - 1, *map(int, rng.integers(0, 2**63, paragraphs, dtype=np.uint64))][:paragraphs],
                         signatures=signatures, bands=band_keys(signatures, 16))
    blob = pickle.dumps(change, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(blob) < 200 + 8 * 2 * paragraphs + 4 * 128 * paragraphs  # no band keys in it
    older = _index_change_of(change.document, np.asarray(change.lines, dtype=np.int64).tobytes(),
                             np.asarray(change.exact, dtype=np.uint64).tobytes(), "<u4", signatures.shape,
                             signatures.tobytes(), "<u8", change.bands.shape, change.bands.tobytes())
    assert np.array_equal(older.bands, change.bands)
    back = pickle.loads(blob)
    assert (back.document, back.lines, back.exact) == (change.document, change.lines, change.exact)
    assert all(type(key) is int for key in back.exact + back.lines)
    for name in ("signatures", "bands"):
        ours, theirs = getattr(back, name), getattr(change, name)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs)
        assert ours.flags.writeable


def test_a_jsonl_output_shorter_than_its_journal_is_done_again_from_there(reference: Path, tmp_path: Path,
                                                                           monkeypatch):
    """A machine that stops while syncing can keep journal records whose lines it lost: the
    resumed run cuts the journal at the first line past the partial file's end and does
    those records again (it used to cut the file back to the journal's length: zeros)."""
    out = tmp_path / "out.jsonl.gz"
    with monkeypatch.context() as patch:
        _crash_at(patch, 30, torn=False)
        assert run("clean", str(reference / "in"), str(out), "-q")[0] == 130
    state_path = Path(str(out) + STATE_NAME)
    offsets = sorted({record["offset"] for record in RunState(state_path).records() if record["offset"]})
    assert len(offsets) > 5
    with open(state_path / "partial.jsonl", "r+b") as handle:  # the lines after the 3rd never reached the disk
        handle.truncate(offsets[2] + 10)
    code, err = run("clean", str(reference / "in"), str(out), "--resume")
    assert code in (0, 1), err
    assert "done again" in err
    assert out.read_bytes() == (reference / "ref.jsonl.gz").read_bytes()


@pytest.mark.parametrize("loss, jobs", [("missing", "1"), ("cut short", "1"), ("cut short", "2")])
def test_a_tree_file_its_journal_names_but_the_disk_lost_is_written_again(reference: Path, tmp_path: Path,
                                                                         monkeypatch, loss: str, jobs: str):
    """The same for a tree: a file the journal says was written, missing on resume or
    shorter than it was written (its name reached the disk, not all of its data), is
    written again (and every document after it is done again)."""
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _crash_at(patch, 30, torn=False)
        assert run("clean", str(reference / "in"), str(out), "-q", "--jobs", jobs)[0] == 130
    state = RunState(out / STATE_NAME)
    written = [record for record in state.records() if record["entry"].get("output")]
    assert len(written) > 5
    assert all(record["offset"] == Path(record["entry"]["output"]).stat().st_size for record in written)
    lost = Path(written[3]["entry"]["output"])
    if loss == "missing":
        lost.unlink()
    else:
        os.truncate(lost, lost.stat().st_size // 2)
    code, err = run("clean", str(reference / "in"), str(out), "--resume", "--report", str(tmp_path / "r.json"))
    assert code in (0, 1), err
    assert "done again" in err
    assert tree(out) == tree(reference / "ref")
