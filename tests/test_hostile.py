"""Hostile input and faults (issue 12): nothing hangs, nothing outside OUT is touched,
bad input gives a reason instead of a traceback. Each case is small; a hang guard
with a generous bound catches a quadratic or exponential path."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from textclean import Config, ConfigError, clean, clean_bytes, clean_corpus
from textclean.decode import decode

from .conftest import SAMPLES, mixed_corpus, run_cli, tree

# ------------------------------------------------------------------ time


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("one line with no end mark", "字" * 300_000),
        ("one SEO keyword line", " ".join(f"关键词{i}" for i in range(60_000))),
        ("a calendar row", " ".join(str(d) for d in range(1, 32)) + "\n正文。"),
        ("many short lines", "\n".join(f"标题{i}" for i in range(60_000))),
        ("short lines among repeats", "\n".join(f"标题{i}\n这是一段重复的正文内容，在页面中出现了很多次。" for i in range(20_000))),
        ("unpunctuated lines", "\n".join("这是一个没有标点的很长的句子" * 8 for _ in range(3_000))),
    ],
)
def test_pathological_shapes_finish_in_linear_time(name: str, text: str):
    """About 0.3-1 MB each; the bound is generous (the benchmark prints s/MB:
    benchmarks/pathological.py). Before the fixes, the keyword line took minutes
    and the calendar row never finished (exponential backtracking in ``re``)."""
    start = time.perf_counter()
    clean(text)
    assert time.perf_counter() - start < 60, name


# ------------------------------------------------------------------ inputs


def _page(root: Path, name: str = "a.txt", sample: str = "002_037b8862a6aab3ed.txt") -> Path:
    path = root / name
    path.write_bytes((SAMPLES / sample).read_bytes())
    return path


def test_a_fifo_named_txt_is_skipped_not_waited_on(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    _page(src)
    os.mkfifo(src / "pipe.txt")
    done = subprocess.run([sys.executable, "-m", "textclean.cli", "clean", str(src), str(tmp_path / "out"),
                           "--report", str(tmp_path / "r.json"), "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # one file skipped, the rest written
    files = {f["id"]: f for f in json.loads((tmp_path / "r.json").read_text())["files"]}
    assert files["pipe.txt"]["skipped"] == "not a regular file"
    assert (tmp_path / "out" / "a.txt").exists()


@pytest.mark.skipif(not hasattr(os, "posix_fadvise") or not Path("/proc/self/fd").is_dir(), reason="Linux read-ahead")
def test_read_ahead_opens_only_the_regular_files_that_will_be_read(tmp_path: Path, monkeypatch):
    """Reading a folder asks the system to fetch the files ahead (posix_fadvise): each
    regular file once, in order — never a FIFO (opening one can wait forever), an empty
    or oversize file, or a link (to a file outside the input, say)."""
    from textclean.io import read_folder

    src, outside = tmp_path / "in", tmp_path / "secret.txt"
    src.mkdir()
    for name in ("b.txt", "a.txt"):
        (src / name).write_text("正文。", encoding="utf-8")
    (src / "big.txt").write_bytes(b"x" * 100)
    (src / "empty.txt").write_bytes(b"")
    os.mkfifo(src / "pipe.txt")
    outside.write_text("外面。", encoding="utf-8")
    (src / "link.txt").symlink_to(outside)
    advised: list[str] = []
    advise = os.posix_fadvise

    def record(fd: int, offset: int, length: int, advice: int) -> None:
        advised.append(os.readlink(f"/proc/self/fd/{fd}"))
        advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", record)
    documents = list(read_folder(src, max_bytes=50, lazy=True))
    assert [doc.id for doc in documents] == ["a.txt", "b.txt", "big.txt", "empty.txt", "link.txt", "pipe.txt"]
    assert advised == [str(src / "a.txt"), str(src / "b.txt")]


def test_a_link_out_of_the_input_is_skipped_unless_asked(tmp_path: Path):
    src, outside = tmp_path / "in", tmp_path / "elsewhere"
    src.mkdir()
    outside.mkdir()
    _page(src)
    (src / "link.txt").symlink_to(_page(outside, "secret.txt", "000_ca93ba84090e03e2.txt"))
    (src / "inside.txt").symlink_to(src / "a.txt")
    code, err = run_cli("clean", str(src), str(tmp_path / "out"), "--report", str(tmp_path / "r.json"), "-q")
    files = {f["id"]: f for f in json.loads((tmp_path / "r.json").read_text())["files"]}
    assert code == 1 and files["link.txt"]["skipped"] == "outside input", err
    assert files["inside.txt"].get("skipped") != "outside input"  # read (and dropped as a copy of a.txt)
    code, err = run_cli("clean", str(src), str(tmp_path / "out2"), "-q", "--follow-symlinks")
    assert code == 0 and (tmp_path / "out2" / "link.txt").exists(), err


def test_a_fifo_as_input_is_refused(tmp_path: Path):
    os.mkfifo(tmp_path / "in.txt")
    code, err = run_cli("clean", str(tmp_path / "in.txt"), str(tmp_path / "out.txt"))
    assert code == 2 and "neither a regular file nor a folder" in err


# ------------------------------------------------------------------ outputs


def test_a_report_inside_the_input_is_refused_before_anything_is_written(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    page = _page(src)
    before = page.read_bytes()
    code, err = run_cli("clean", str(src), str(tmp_path / "out"), "--report", str(page))
    assert code == 2 and "inside the input" in err
    assert page.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_report_that_cannot_be_written_fails_up_front(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    _page(src)
    code, err = run_cli("clean", str(src), str(tmp_path / "out"), "--report", str(tmp_path / "no" / "such" / "r.json"))
    assert code == 2 and "cannot write the report" in err and not (tmp_path / "out").exists()


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path: Path):
    page = _page(tmp_path)
    os.mkfifo(tmp_path / "out.txt")  # stands for /dev/null, which a run as root used to replace
    code, err = run_cli("clean", str(page), str(tmp_path / "out.txt"))
    assert code == 2 and "neither a regular file nor a folder" in err
    assert (tmp_path / "out.txt").is_fifo()


# ------------------------------------------------------------------ decoding


def test_a_stray_byte_costs_that_byte_not_the_page(tmp_path: Path):
    data = bytearray((SAMPLES / "002_037b8862a6aab3ed.txt").read_bytes())
    data[200] = 0xFF
    result = decode(bytes(data))
    assert result.ok and result.encoding == "utf-8" and 1 <= result.replaced_bytes <= 3
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(bytes(data))
    code, _ = run_cli("clean", str(tmp_path / "in"), str(tmp_path / "out"), "--report", str(tmp_path / "r.json"), "-q")
    entry = json.loads((tmp_path / "r.json").read_text())["files"][0]
    assert code == 0 and entry["replaced_bytes"] == result.replaced_bytes


def test_single_byte_mutations_of_a_utf8_page_still_decode():
    import random

    source = (SAMPLES / "002_037b8862a6aab3ed.txt").read_bytes()
    rng = random.Random(12)
    decoded = 0
    for _ in range(100):
        data = bytearray(source)
        data[rng.randrange(len(data))] = rng.randrange(256)
        decoded += decode(bytes(data)).ok
    assert decoded >= 99  # was 49 of 300 before (the page was skipped whole)


def test_text_in_another_codec_is_not_taken_for_utf8_with_strays():
    text = "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。" * 3
    assert decode(text.encode("gbk")).encoding == "gb18030"


@pytest.mark.parametrize("size", [10, 15, 20])
def test_short_garbage_is_not_passed_off_as_text(size: int):
    import random

    rng = random.Random(size)
    threshold = Config().decode.min_plausibility
    for _ in range(50):
        result = decode(bytes(rng.randrange(256) for _ in range(size)))
        assert not result.ok or result.confidence >= threshold


# ------------------------------------------------------------------ config and signals


@pytest.mark.parametrize("name", ["document_share", "threshold", "sentence_threshold"])
def test_zero_shares_are_refused(name: str):
    with pytest.raises(ConfigError, match=f"{name} must be above 0"):
        Config().replace(**{name: 0})


def test_every_accepted_number_runs():
    """Each numeric option at 0, 1, 2 and a huge value: refused with a message, or it runs."""
    import dataclasses

    text = (SAMPLES / "004_ee7c459c3ded9266.txt").read_text(encoding="utf-8")
    base = Config()
    for stage in ("decode", "normalize", "boilerplate", "dedup", "mining", "run"):
        for field in dataclasses.fields(getattr(base, stage)):
            value = getattr(getattr(base, stage), field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            for candidate in ([0, 1, 2, 10**9] if isinstance(value, int) else [0.0, 1e-9, 1.0]):
                try:
                    config = base.replace(**{field.name: candidate})
                except ConfigError:
                    continue
                clean(text, config=config)
                clean("标题\n正文。\n" * 3, config=config)


def test_word_shingles_print_nothing_under_quiet(tmp_path: Path):
    page = _page(tmp_path)
    done = subprocess.run([sys.executable, "-m", "textclean.cli", "clean", str(page), str(tmp_path / "out.txt"),
                           "--shingle", "word", "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""


def test_sigterm_stops_a_run_like_ctrl_c_and_it_resumes(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    mixed_corpus(src, copies=6)
    command = [sys.executable, "-m", "textclean.cli", "clean", str(src), str(out), "-q"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    state = out / ".textclean-resume" / "journal"
    deadline = time.monotonic() + 60
    while process.poll() is None and not (state.exists() and state.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.skip("the run finished before SIGTERM could land")
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    message = process.stderr.read().decode()
    assert code == 130 and "--resume" in message, message
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_clean_bytes_of_hostile_bytes_gives_a_reason():
    for data in (b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + bytes(64), b"\xff\xfe\x00", os.urandom(4096)):
        doc = clean_bytes(data)
        assert doc.skipped or doc.text is not None


def test_a_run_stopped_while_making_its_state_folder_resumes_afresh(tmp_path: Path):
    """A kill between creating the state folder and writing its options left a
    folder that --resume refused ("delete it and start again"); nothing was finished,
    so it starts afresh."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page(src)
    (out / ".textclean-resume").mkdir(parents=True)
    code, err = run_cli("clean", str(src), str(out), "--resume", "-q")
    assert code == 0, err
    assert (out / "a.txt").exists() and not (out / ".textclean-resume").exists()


@pytest.mark.parametrize("text", ["ID3标签的使用方法如下。", "RIFF格式是一种文件格式。", "BZh是什么意思？", "OggS容器简介。",
                                  "%PDF-格式说明"])
def test_text_that_starts_like_a_file_signature_is_text(text: str):
    result = decode(text.encode("utf-8"))
    assert result.ok and result.text == text


@pytest.mark.parametrize("data", [
    b"ID3\x03\x00\x00\x00\x00\x00\x10" + bytes(64),
    b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64),
    b"BZh91AY&SY" + bytes(64),
    b"OggS\x00\x02" + bytes(64),
    b"%PDF-1.7\n" + bytes(64),
])
def test_real_binary_headers_are_still_binary(data: bytes):
    assert decode(data).reason == "binary"


# ------------------------------------------------------------------ JSONL records

GOOD = '{"id": "a", "text": "正文第一段，内容完整。"}\n'


def _gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bytes.jsonl", GOOD.encode() + b'{"id": "b", "text": "\xff\xfe"}\n', "not UTF-8"),
        ("surrogate.jsonl", (GOOD + '{"id": "b", "text": "x\\ud800y"}\n').encode(), "lone surrogate"),
        ("deep.jsonl", (GOOD + '{"id": "b", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n").encode(), "nested too deeply"),
        ("bigint.jsonl", (GOOD + '{"id": "b", "text": "t", "n": ' + "9" * 5000 + "}\n").encode(), "not a record"),
        ("notjson.jsonl", (GOOD + "{oops\n").encode(), "not JSON"),
        ("truncated.jsonl.gz", _gz(GOOD.encode() * 50)[:-20], "ends early"),
        ("garbage.jsonl.gz", b"\x1f\x8b\x08\x00" + b"\x00not a deflate stream" * 4, "ends early or is damaged"),
    ],
)
@pytest.mark.parametrize("output", ["out.jsonl", "tree"])
def test_bad_jsonl_lines_are_skipped_records_with_reasons(tmp_path: Path, name: str, data: bytes, reason: str,
                                                         output: str):
    (tmp_path / name).write_bytes(data)
    args = [str(tmp_path / "out.jsonl")] if output == "out.jsonl" else [str(tmp_path / "tree"), "--format", "txt"]
    code, err = run_cli("clean", str(tmp_path / name), *args, "--report", str(tmp_path / "r.json"), "-q")
    assert code == 1 and "Traceback" not in err, err
    assert reason in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert any(f.get("skipped") == "invalid record" and reason in f.get("detail", "") for f in report["files"])


@pytest.mark.parametrize(("name", "data"), [("plain.jsonl.gz", GOOD.encode()), ("packed.jsonl", _gz(GOOD.encode()))])
def test_jsonl_compression_is_read_from_the_bytes_not_the_name(tmp_path: Path, name: str, data: bytes):
    (tmp_path / name).write_bytes(data)
    code, err = run_cli("clean", str(tmp_path / name), str(tmp_path / "out.jsonl"), "-q")
    assert code == 0, err
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["text"] == "正文第一段，内容完整。"


@pytest.mark.parametrize(("sync_whole", "jobs"), [(True, "1"), (False, "1"), (True, "2"), (False, "2")],
                         ids=["synced-at-the-end", "fsync-per-file-in-threads", "workers-synced-at-the-end",
                              "workers-fsync-each"])
def test_record_ids_that_collide_or_cannot_be_paths_skip_only_that_record(tmp_path: Path, sync_whole: bool,
                                                                         jobs: str, monkeypatch: pytest.MonkeyPatch):
    """Both ways of writing a tree (see WriteTree.run), and workers writing the files
    the parent claimed in input order (--jobs 2), skip the same records."""
    import textclean.io

    if not sync_whole:
        monkeypatch.setattr(textclean.io, "can_sync_file_system", lambda: False)
    rows = [
        {"id": "a", "text": "第一篇正文，内容完整。"},
        {"id": "a.txt", "text": "第二篇正文，和第一篇写到同一个文件。"},
        {"id": "a", "text": "第三篇正文，重复的编号。"},
        {"id": "d", "text": "第四篇正文，一个文件。"},
        {"id": "d.txt/e", "text": "第五篇正文，需要同名的文件夹。"},
        {"id": ".textclean-resume/x", "text": "第六篇正文，写进状态目录。"},
        {"id": "n" * 300, "text": "第七篇正文，名字太长。"},
        {"id": "y/" * 2000, "text": "第八篇正文，路径太深。"},
        {"id": "b\u0000c", "text": "第九篇正文，编号里有空字符。"},
        {"id": "z", "text": "第十篇正文，最后一篇照常写出。"},
        {"id": "名" * 83, "text": "第十一篇正文，名字长到文件系统的上限。"},  # 253 bytes with .txt: written
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "tree"
    code, err = run_cli("clean", str(source), str(out), "--format", "txt", "--report", str(tmp_path / "r.json"), "-q",
                        "--jobs", jobs)
    assert code == 1 and "Traceback" not in err, err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == ["a.txt", "d.txt", "z.txt",
                                                                                 "名" * 83 + ".txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "第一篇正文，内容完整。\n"
    report = json.loads((tmp_path / "r.json").read_text())
    skipped = [f for f in report["files"] if f.get("skipped") == "invalid id"]
    assert len(skipped) == 7 and not (out / ".textclean-resume" / "x.txt").exists()


def test_a_worker_killed_mid_run_stops_the_run_with_a_reason_and_it_resumes(tmp_path: Path):
    """With --jobs 2, a worker killed by the OOM killer (here: SIGKILL) used to leave
    the parent waiting forever."""
    src, out = tmp_path / "in", tmp_path / "out"
    mixed_corpus(src, copies=24)  # (enough pages that the workers are still busy once the journal starts)
    command = [sys.executable, "-m", "textclean.cli", "clean", str(src), str(out), "-q", "--jobs", "2", "--no-mine"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    journal = out / ".textclean-resume" / "journal"
    deadline = time.monotonic() + 60
    while process.poll() is None and not (journal.exists() and journal.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.01)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    if process.poll() is not None or not children:
        process.kill()
        pytest.skip("the run finished before a worker could be killed")
    for pid in children:  # the workers (and the spawn helper, if any)
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:  # read stderr while waiting: the dying pool's resource tracker can fill a pipe nobody reads
        _, raw = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the run hangs after its worker died")
    code, message = process.returncode, raw.decode()
    if code == 0 and not journal.exists():  # the workers had sent their last pages: the run ended whole
        pytest.skip("the run finished before a worker could be killed")
    assert code == 2 and "worker process died" in message and "--resume" in message, message
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr



def test_a_script_without_a_main_guard_is_told_why_its_workers_died(tmp_path: Path):
    """Worker processes forked from the server (a process running other threads, as this
    script does) or spawned import the calling script again; a script that starts a
    jobs > 1 run at its top level starts it there too, which fails: the error says so
    instead of only "killed for lack of memory"."""
    src = tmp_path / "in"
    mixed_corpus(src)
    script = tmp_path / "script.py"
    script.write_text("import threading\nimport textclean\n"
                      "threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
                      f"textclean.clean_corpus({str(src)!r}, {str(tmp_path / 'out')!r}, jobs=2)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode != 0
    assert "WorkerError" in done.stderr and 'if __name__ == "__main__":' in done.stderr, done.stderr[-2000:]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from the parent on Linux only")
def test_a_script_running_one_thread_needs_no_main_guard(tmp_path: Path):
    """Workers forked from the script's own process (one thread: here numpy's BLAS told
    to use one) do not import it again: the same script runs."""
    src = tmp_path / "in"
    mixed_corpus(src)
    script = tmp_path / "script.py"
    script.write_text("import os\nos.environ['OPENBLAS_NUM_THREADS'] = '1'\nimport textclean\n"
                      f"textclean.clean_corpus({str(src)!r}, {str(tmp_path / 'out')!r}, jobs=2)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    one = tmp_path / "one"
    clean_corpus(src, one, jobs=1)
    assert tree(tmp_path / "out") == tree(one)

# ------------------------------------------------------------------ dedup keeps facts, finds reposts


def test_a_big5_repost_of_a_gbk_page_is_found_by_default(tmp_path: Path):
    opencc = pytest.importorskip("opencc")
    text = (SAMPLES / "002_037b8862a6aab3ed.txt").read_text(encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(text.encode("gbk", "ignore"))
    (src / "b.txt").write_bytes(opencc.OpenCC("s2t").convert(text).encode("big5hkscs", "ignore"))
    code, _ = run_cli("clean", str(src), str(tmp_path / "out"), "--report", str(tmp_path / "r.json"), "-q")
    files = {f["id"]: f for f in json.loads((tmp_path / "r.json").read_text())["files"]}
    assert code == 0 and files["b.txt"].get("skipped") == "duplicate", files["b.txt"]
    code, _ = run_cli("clean", str(src), str(tmp_path / "out2"), "-q", "--no-to-simplified")
    assert code == 0 and (tmp_path / "out2" / "b.txt").exists()


def test_folding_keys_by_table_in_a_batch_equals_one_by_one():
    from textclean.normalize import fold, fold_many, simplified_view

    texts = ["延伸閱讀：台積電", "增长6.1%", "　全形ＡＢＣ，繁體與简体", "", "著乾"]
    assert fold_many(texts, to_simplified=simplified_view) == [fold(t, to_simplified=simplified_view) for t in texts]


def test_texts_whose_numbers_differ_are_not_duplicates():
    a = "2022年前三季度，全市地区生产总值同比增长6.1%，其中第三产业增加值增长7.3%，规模以上工业增加值增长5.8%。"
    b = "2021年前三季度，全市地区生产总值同比增长5.2%，其中第三产业增加值增长6.4%，规模以上工业增加值增长4.9%。"
    assert clean(f"{a}\n{b}").splitlines() == [a, b]


# ------------------------------------------------------------------ time budget


def test_a_document_over_its_time_budget_is_skipped_and_the_run_goes_on():
    import contextlib

    from textclean.document import Document
    from textclean.pipeline import Map, budget_handler

    def slow(doc):
        if doc.id == "slow":
            time.sleep(30)
        return doc

    step = Map("slow-step", slow, "skip", timeout=0.2)
    before = signal.getsignal(signal.SIGALRM)
    for scope in (contextlib.nullcontext(), budget_handler()):  # a step alone, and in a run's loop
        start = time.monotonic()
        with scope:
            out = list(step.run([Document.from_text("a", id="slow"), Document.from_text("b", id="fast")]))
        assert time.monotonic() - start < 10
        assert out[0].skipped == "timeout" and "slow-step" in out[0].detail and not out[1].skipped
        assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_doc_timeout_is_validated_and_reaches_the_steps():
    from textclean.pipeline import Map, Pipeline

    with pytest.raises(ConfigError, match="doc_timeout"):
        Config().replace(doc_timeout=0)
    steps = Pipeline.default(Config().replace(doc_timeout=5), errors="skip").steps
    assert all(step.timeout == 5 for step in steps if isinstance(step, Map))
    assert all(step.timeout is None for step in Pipeline.default().steps if isinstance(step, Map))


# ------------------------------------------------------------------ names


def test_file_names_that_are_not_utf8_are_written_and_shown_escaped(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    odd = os.fsdecode(b"\xff.txt")  # how os reads a name that is not UTF-8
    _page(src, odd)
    _page(src, "ok.txt", "001_cf16396ce54cb5a3.txt")
    code, err = run_cli("clean", str(src), str(tmp_path / "out"), "--report", str(tmp_path / "r.json"), "-q")
    assert code == 0, err
    assert (tmp_path / "out" / odd).exists()
    ids = {f["id"] for f in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]}
    assert ids == {"\\xff.txt", "ok.txt"}
    code, err = run_cli("clean", str(src), str(tmp_path / "out.jsonl"), "-q")
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert code == 0 and {r["id"] for r in records} == {"\\xff.txt", "ok.txt"}, err


# ------------------------------------------------------------------ a run owns its OUT


def test_a_second_live_run_into_the_same_output_is_refused(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page(src)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out.mkdir()
        (out / ".textclean-lock").write_text(f"{sleeper.pid}\n")
        code, err = run_cli("clean", str(src), str(out), "-q")
        assert code == 2 and f"pid {sleeper.pid}" in err and "--resume" not in err
    finally:
        sleeper.kill()
        sleeper.wait()
    code, err = run_cli("clean", str(src), str(out), "-q")  # the lock of a process that is gone is taken over
    assert code == 0 and not (out / ".textclean-lock").exists(), err


def test_a_later_run_removes_what_an_earlier_run_wrote_and_this_one_does_not(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page(src, "a.txt")
    _page(src, "b.txt", "001_cf16396ce54cb5a3.txt")
    assert run_cli("clean", str(src), str(out), "-q")[0] == 0
    assert (out / "b.txt").exists()
    (src / "b.txt").unlink()
    code, err = run_cli("clean", str(src), str(out))
    assert code == 0 and not (out / "b.txt").exists() and (out / "a.txt").exists()
    assert "removed 1 file" in err


def test_an_output_folder_of_somebody_elses_files_is_refused_unless_overwrite(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _page(src)
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, err = run_cli("clean", str(src), str(out), "-q")
    assert code == 2 and "did not write" in err and "--overwrite" in err
    assert not (out / "a.txt").exists()
    code, err = run_cli("clean", str(src), str(out), "-q", "--overwrite")
    assert code == 0 and (out / "a.txt").exists() and (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_explain_with_a_corpus_shows_cross_document_copies(tmp_path: Path):
    src = tmp_path / "corpus"
    mixed_corpus(src)
    out = io.StringIO()
    from textclean.cli import main

    code = main(["explain", str(src / "s2" / "repost1.txt"), "--corpus", str(src)], stdout=out, stderr=io.StringIO())
    assert code == 0 and "nothing left (duplicate: duplicate of s1/001_cf16396ce54cb5a3.txt" in out.getvalue()
