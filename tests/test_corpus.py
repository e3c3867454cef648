"""Corpus runs as a library call (clean_corpus), resumable, and incremental against a
persistent index."""

from __future__ import annotations

import datetime
import decimal
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import textclean
from textclean import Config, clean_corpus
from textclean.corpus import Listener
from textclean.errors import ConfigError, OutputError

from .conftest import mixed_corpus, records_of, run_cli, tree

NO_MINE = Config().replace(mine=False)


def _halves(root: Path) -> tuple[Path, Path, Path]:
    """A corpus with cross-document copies in ``root/all``, and its two halves in
    keep order as their own folders (the same relative paths): site s1 first, then s2,
    whose pages repost s1's."""
    mixed_corpus(root / "all")
    (root / "all" / "s2" / "own.txt").write_text(  # new to the second half: what its run adds to the index
        "第二批独有的文章\n这一段内容只出现在第二批抓取的页面里，与之前的任何页面都不一样，长度也足够参与去重。", encoding="utf-8")
    for half, site in (("a", "s1"), ("b", "s2")):
        shutil.copytree(root / "all" / site, root / half / site)
    return root / "all", root / "a", root / "b"


def _entries(report: Path, prefix: str = "") -> dict[str, dict]:
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    return {f["id"]: {k: v for k, v in f.items() if k not in ("output", "source")} for f in files
            if f["id"].startswith(prefix)}


def test_clean_corpus_is_the_cli_run(tmp_path: Path) -> None:
    src = tmp_path / "in"
    mixed_corpus(src)
    summary = clean_corpus(src, tmp_path / "lib", report=tmp_path / "lib.json")
    code, err = run_cli("clean", str(src), str(tmp_path / "cli"), "-q", "--report", str(tmp_path / "cli.json"))
    assert code == 0, err
    assert tree(tmp_path / "lib") == tree(tmp_path / "cli")
    assert _entries(tmp_path / "lib.json") == _entries(tmp_path / "cli.json")
    assert summary.documents == 15 and summary.skipped.get("duplicate", 0) >= 1 and summary.failed == 0
    assert summary.unit == "files" and summary.chars_out < summary.chars_in
    assert summary.written + sum(summary.skipped.values()) == summary.documents
    assert "15 files" in summary.line()


def test_clean_corpus_is_exported_and_low_level_helpers_are_not() -> None:
    assert "clean_corpus" in textclean.__all__ and "RunSummary" in textclean.__all__
    for helper in ("dedup_document", "split_sentences", "strip_boilerplate", "Map", "Step", "decode"):
        assert helper not in textclean.__all__


class _StopAfter(Listener):
    def __init__(self, count: int) -> None:
        self.count = count

    def document(self, doc: textclean.Document) -> None:
        self.count -= 1
        if self.count == 0:
            raise KeyboardInterrupt


@pytest.mark.parametrize("output", ["tree", "out.jsonl"])
def test_resume_through_clean_corpus(tmp_path: Path, output: str) -> None:
    src = tmp_path / "in"
    mixed_corpus(src, copies=2)
    whole, part = tmp_path / "whole" / output, tmp_path / "part" / output
    clean_corpus(src, whole, report=tmp_path / "whole.json")
    with pytest.raises(KeyboardInterrupt):
        clean_corpus(src, part, listener=_StopAfter(7))
    with pytest.raises(ConfigError, match="unfinished run"):
        clean_corpus(src, part)
    summary = clean_corpus(src, part, resume=True, report=tmp_path / "part.json")
    assert summary.documents == 30
    if output == "tree":
        assert tree(part) == tree(whole)
    else:
        assert part.read_bytes() == whole.read_bytes()
    assert _entries(tmp_path / "part.json") == _entries(tmp_path / "whole.json")


def test_bad_paths_raise_library_errors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    mixed_corpus(src)
    with pytest.raises(OutputError, match="inside the input"):
        clean_corpus(src, src / "out")
    with pytest.raises(textclean.TextcleanError, match="does not exist"):
        clean_corpus(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(ConfigError, match="jobs"):
        clean_corpus(src, tmp_path / "out", jobs=0)


# ------------------------------------------------------------------ incremental runs


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_second_run_against_the_index_equals_the_second_half_of_one_run(tmp_path: Path, jobs: int) -> None:
    everything, first, second = _halves(tmp_path)
    clean_corpus(everything, tmp_path / "out-all", config=NO_MINE, report=tmp_path / "all.json")
    index = tmp_path / "index"
    clean_corpus(first, tmp_path / "out-a", config=NO_MINE, index=index, jobs=jobs)
    summary = clean_corpus(second, tmp_path / "out-b", config=NO_MINE, index=index, jobs=jobs,
                           report=tmp_path / "b.json")
    expected = {name: data for name, data in tree(tmp_path / "out-all").items() if name.startswith("s2/")}
    assert tree(tmp_path / "out-b") == expected
    assert summary.skipped.get("duplicate", 0) >= 1  # reposts of the first run's pages
    assert _entries(tmp_path / "b.json") == _entries(tmp_path / "all.json", "s2/")
    assert len(list(index.glob("seg-*"))) == 2


def test_jsonl_runs_against_the_index(tmp_path: Path) -> None:
    everything, _, _ = _halves(tmp_path)
    rows = [json.dumps(row, ensure_ascii=False) for row in records_of(everything)]
    half = len([r for r in rows if '"s1/' in r])
    for name, part in (("all", rows), ("a", rows[:half]), ("b", rows[half:])):
        (tmp_path / f"{name}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    clean_corpus(tmp_path / "all.jsonl", tmp_path / "all-out.jsonl", config=NO_MINE)
    clean_corpus(tmp_path / "a.jsonl", tmp_path / "a-out.jsonl", config=NO_MINE, index=tmp_path / "ix")
    clean_corpus(tmp_path / "b.jsonl", tmp_path / "b-out.jsonl", config=NO_MINE, index=tmp_path / "ix")
    whole = (tmp_path / "all-out.jsonl").read_text(encoding="utf-8").splitlines()
    second = [line for line in whole if '"id": "s2/' in line]
    assert (tmp_path / "b-out.jsonl").read_text(encoding="utf-8").splitlines() == second


def test_an_index_refuses_other_options_naming_them(tmp_path: Path) -> None:
    _, first, second = _halves(tmp_path)
    index = tmp_path / "index"
    clean_corpus(first, tmp_path / "out-a", config=NO_MINE, index=index)
    other = NO_MINE.replace(threshold=0.7, shingle="word")
    with pytest.raises(ConfigError, match=r"shingle 'char' then, 'word' now.*threshold 0.6 then, 0.7 now"):
        clean_corpus(second, tmp_path / "out-b", config=other, index=index)
    code, err = run_cli("clean", str(second), str(tmp_path / "out-c"), "-q", "--no-mine", "--index", str(index),
                        "--ngram", "4")
    assert code == 2 and "ngram 3 then, 4 now" in err, err
    assert not (tmp_path / "out-c").exists() or not any((tmp_path / "out-c").iterdir())


def test_an_interrupted_run_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    _, first, second = _halves(tmp_path)
    index = tmp_path / "index"
    clean_corpus(first, tmp_path / "out-a", config=NO_MINE, index=index)
    before = {p.relative_to(index).as_posix(): p.read_bytes() for p in index.rglob("*") if p.is_file()}
    with pytest.raises(KeyboardInterrupt):
        clean_corpus(second, tmp_path / "out-b", config=NO_MINE, index=index, listener=_StopAfter(3))
    after = {p.relative_to(index).as_posix(): p.read_bytes() for p in index.rglob("*") if p.is_file()}
    assert after == before
    # and the resumed run adds its segment once, as an uninterrupted one would
    clean_corpus(second, tmp_path / "out-b", config=NO_MINE, index=index, resume=True)
    assert len(list(index.glob("seg-*"))) == 2


def test_an_index_needs_cross_document_dedup_and_a_folder(tmp_path: Path) -> None:
    _, first, _ = _halves(tmp_path)
    with pytest.raises(ConfigError, match="cross-document"):
        clean_corpus(first, tmp_path / "o", config=NO_MINE.replace(cross_document=False), index=tmp_path / "ix")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a folder"):
        clean_corpus(first, tmp_path / "o", config=NO_MINE, index=tmp_path / "file")
    (tmp_path / "notindex").mkdir()
    (tmp_path / "notindex" / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a textclean index"):
        clean_corpus(first, tmp_path / "o", config=NO_MINE, index=tmp_path / "notindex")


def test_the_index_stays_under_a_memory_limit(tmp_path: Path) -> None:
    everything, first, second = _halves(tmp_path)
    index = tmp_path / "index"
    clean_corpus(everything, tmp_path / "out-all", config=NO_MINE)
    clean_corpus(first, tmp_path / "out-a", config=NO_MINE, index=index, max_memory=16 << 20)
    clean_corpus(second, tmp_path / "out-b", config=NO_MINE, index=index, max_memory=16 << 20)
    expected = {name: data for name, data in tree(tmp_path / "out-all").items() if name.startswith("s2/")}
    assert tree(tmp_path / "out-b") == expected
    assert not list(index.glob(".spill-*"))  # spilled parts go with the run


# ------------------------------------------------------------------ Parquet without Ray


def test_parquet_in_and_out_locally(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"id": f"site/{i:02d}", "text": text, "n": i} for i, text in enumerate([
        "欢迎来到某某文库网!\n标题\n" + "正文第一段的内容相当长，足以参与跨文档的近似重复检测，并且每个字都有意义。",
        "转载\n" + "正文第一段的内容相当长，足以参与跨文档的近似重复检测，并且每个字都有意义。",
        "另一篇文章自己的内容，与前面完全不同，篇幅也比较长，所以不会被当成转载。",
    ])]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    summary = clean_corpus(tmp_path / "in.parquet", tmp_path / "out")
    assert summary.unit == "records" and summary.documents == 3
    written = pq.read_table(tmp_path / "out").to_pylist()
    assert [r["id"] for r in written] == ["site/00", "site/02"]  # stored order; site/01 is a repost
    assert written[0]["text"] == "标题\n" + rows[0]["text"].splitlines()[-1]
    assert json.loads(written[0]["textclean"])["chars_in"] == len(rows[0]["text"])
    assert written[1]["n"] == 2
    # the same records as JSONL in the same order give the same cleaned records
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                       encoding="utf-8")
    clean_corpus(tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    jsonl = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in written:
        record["textclean"] = json.loads(record["textclean"])
    assert written == jsonl
    with pytest.raises(OutputError, match="new or empty folder"):
        clean_corpus(tmp_path / "in.parquet", tmp_path / "out")
    # stored the other way round, the copy stored first is the one kept (the ids order nothing)
    pq.write_table(pa.Table.from_pylist(rows[::-1]), tmp_path / "reversed.parquet")
    clean_corpus(tmp_path / "reversed.parquet", tmp_path / "out-reversed")
    assert [r["id"] for r in pq.read_table(tmp_path / "out-reversed").to_pylist()] == ["site/02", "site/01"]


def _parquet_folder(tmp_path: Path, rows: list[dict]) -> Path:
    """``rows`` in three files (the second one empty) of row groups of 3 rows, named
    so that path order is not the order os.scandir or Path sorting would give."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "pq"
    (folder / "a").mkdir(parents=True)
    schema = pa.Table.from_pylist(rows).schema
    parts = {"a-b.parquet": rows[:7], "a/empty.parquet": [], "a/z.parquet": rows[7:]}
    for name, part in parts.items():
        pq.write_table(pa.Table.from_pylist(part, schema=schema), folder / name, row_group_size=3)
    return folder


def test_parquet_is_read_a_batch_at_a_time_in_stored_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files in sorted path order, rows as stored; every skip lands on the same row as
    a slice of the whole list (across batches, row groups and files); the count is
    the footers'."""
    pytest.importorskip("pyarrow")
    import textclean.parquet
    from textclean.sources import ParquetSource

    rows = [{"id": f"r{i}", "text": f"第{i}行", "n": i} for i in range(12)]
    folder = _parquet_folder(tmp_path, rows)
    monkeypatch.setattr(textclean.parquet, "BATCH_ROWS", 2)
    source = ParquetSource(folder)
    assert source.count() == 12
    assert list(source.records()) == rows  # "a-b.parquet" < "a/empty.parquet" < "a/z.parquet"
    for skip in range(14):
        assert list(source.records(skip=skip)) == rows[skip:]
        assert [doc.number for doc in source.documents(skip=skip)] == list(range(skip + 1, 13))
    # the reads are bounded: no batch holds more than BATCH_ROWS rows
    import pyarrow.parquet as pq

    sizes = []
    real = pq.ParquetFile.iter_batches

    def iter_batches(self, *args, **kwargs):
        for batch in real(self, *args, **kwargs):
            sizes.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)
    assert len(list(source.records())) == 12 and sizes and max(sizes) <= 2


def test_parquet_rows_without_ids_and_damaged_files(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"text": "正文第一段的内容相当长，足以参与跨文档的近似重复检测，并且每个字都有意义。"}] * 2 + [{"text": None}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    report = tmp_path / "r.json"
    summary = clean_corpus(tmp_path / "in.parquet", tmp_path / "out.jsonl", report=report)
    assert summary.documents == 3 and summary.written == 1  # the second is a copy, the third has no text
    entries = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert [(e["id"], e.get("skipped")) for e in entries] == \
        [("in.parquet:1", None), ("in.parquet:2", "duplicate"), ("in.parquet:3", "invalid record")]
    assert "duplicate of in.parquet:1" in entries[1]["detail"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_damaged_parquet_rows_are_named_and_the_rest_is_cleaned(tmp_path: Path, jobs: int) -> None:
    """A row group whose page fails its checksum and a file that is not Parquet: each
    of their rows is a skipped "invalid record" that says why (the file has one, its
    footer unread), and every other row is cleaned with the number it has anyway."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"id": f"r{i}", "text": f"第{i}篇文章的正文，每一篇的内容都各不相同，编号{i}。"} for i in range(9)]
    (tmp_path / "pq").mkdir()
    good = tmp_path / "pq" / "a.parquet"
    pq.write_table(pa.Table.from_pylist(rows), good, row_group_size=3, write_page_checksum=True,
                   use_dictionary=False, compression="none")
    chunk = pq.ParquetFile(good).metadata.row_group(1).column(1)  # the second group's text
    data = bytearray(good.read_bytes())
    end = chunk.data_page_offset + chunk.total_compressed_size
    data[end - 12:end - 4] = b"\xff" * 8
    good.write_bytes(bytes(data))
    (tmp_path / "pq" / "b.parquet").write_bytes(b"PAR1 not really" * 10)
    report = tmp_path / "r.json"
    summary = clean_corpus(tmp_path / "pq", tmp_path / "out.jsonl", report=report, jobs=jobs)
    assert summary.documents == 10 and summary.skipped == {"invalid record": 4}
    entries = {e["id"]: e for e in json.loads(report.read_text(encoding="utf-8"))["files"]}
    assert [e.get("skipped") for e in entries.values()] == [None] * 3 + ["invalid record"] * 3 + [None] * 3 + \
        ["invalid record"]
    assert list(entries)[3:6] == ["pq:4", "pq:5", "pq:6"] and list(entries)[6:9] == ["r6", "r7", "r8"]
    assert "row group 1 of" in entries["pq:4"]["detail"] and "a.parquet" in entries["pq:4"]["detail"]
    assert "b.parquet cannot be read as Parquet" in entries["pq:10"]["detail"]
    written = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert written == ["r0", "r1", "r2", "r6", "r7", "r8"]
    from textclean.sources import ParquetSource

    every = list(ParquetSource(tmp_path / "pq").records())
    assert [getattr(record, "number", None) for record in every] == [None] * 3 + [4, 5, 6] + [None] * 3 + [10]
    for skip in range(11):  # a resumed run starts anywhere, inside a bad group too
        assert list(ParquetSource(tmp_path / "pq").records(skip=skip)) == every[skip:]


@pytest.mark.parametrize("value, written", [
    (datetime.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
    (datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
     "2024-01-02T00:00:00+00:00"),
    (datetime.date(2024, 1, 2), "2024-01-02"),
    (datetime.time(3, 4), "03:04:00"),
    (datetime.timedelta(minutes=1, microseconds=500), 60.0005),
    (decimal.Decimal("1.50"), "1.50"),
    (b"\x00\x01", "AAE="),
    ({3, 1}, [1, 3]),
    (np.int64(7), 7),
    (np.array([1.5, 2.0]), [1.5, 2.0]),
    (type("Other", (), {"__str__": lambda self: "other"})(), "other"),
])
def test_json_value_writes_what_json_has_no_type_for(value, written) -> None:
    from textclean.io import json_value

    assert json_value(value) == written


def test_parquet_columns_of_any_type_pass_into_jsonl(tmp_path: Path) -> None:
    """Timestamps, decimals, binary, lists and structs of a Parquet record go into the
    JSONL output (they used to stop the run with a TypeError), the same with workers."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    text = "正文第一段的内容相当长，足以参与跨文档的近似重复检测，并且每个字都有意义。"
    rows = [{"id": f"r{i}", "text": text + str(i), "ts": datetime.datetime(2024, 1, 2, 3, 4, i),
             "price": decimal.Decimal(f"{i}.50"), "blob": bytes([i, 1]), "tags": ["x", "y"], "meta": {"k": i}}
            for i in range(4)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        clean_corpus(tmp_path / "in.parquet", out, jobs=jobs)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    first = json.loads(outputs[0].decode("utf-8").splitlines()[0])
    assert {k: first[k] for k in ("ts", "price", "blob", "tags", "meta")} == \
        {"ts": "2024-01-02T03:04:00", "price": "0.50", "blob": "AAE=", "tags": ["x", "y"], "meta": {"k": 0}}


def test_a_parquet_uri_reads_the_parquet_files_a_local_folder_would(tmp_path: Path) -> None:
    """Through pyarrow's file systems (a ``file://`` URI here), the ``.parquet`` files of a
    folder are read, not the other files beside them: the records of the same files read locally."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"id": f"r{i}", "text": f"第{i}篇文章的正文，每一篇的内容都各不相同，编号{i}。"} for i in range(4)]
    for folder in ("pq", "pq-and-more"):
        (tmp_path / folder).mkdir()
        pq.write_table(pa.Table.from_pylist(rows[:2]), tmp_path / folder / "a.parquet")
        pq.write_table(pa.Table.from_pylist(rows[2:]), tmp_path / folder / "b.parquet")
    (tmp_path / "pq-and-more" / "notes.txt").write_text("not Parquet", encoding="utf-8")
    (tmp_path / "pq-and-more" / "_SUCCESS").write_bytes(b"")
    local = clean_corpus(tmp_path / "pq", tmp_path / "local.jsonl")
    remote = clean_corpus((tmp_path / "pq-and-more").as_uri(), tmp_path / "remote.jsonl")
    assert local.documents == remote.documents == 4 and not remote.skipped
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "remote.jsonl").read_bytes()
    with pytest.raises(textclean.errors.InputError, match="does not exist"):
        clean_corpus((tmp_path / "nothing").as_uri(), tmp_path / "none.jsonl")


def test_parquet_into_jsonl_with_workers_that_keep_their_pages(tmp_path: Path) -> None:
    """Parquet records go through the workers that keep their pages (mining pass in the
    workers, lines or rows made there) as JSONL lines do, into JSONL or Parquet: the
    bytes and report of one process."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    mixed_corpus(tmp_path / "in", copies=2)
    rows = records_of(tmp_path / "in")
    (tmp_path / "pq").mkdir()
    pq.write_table(pa.Table.from_pylist(rows[::2]), tmp_path / "pq" / "a.parquet", row_group_size=5)
    pq.write_table(pa.Table.from_pylist(rows[1::2]), tmp_path / "pq" / "b.parquet", row_group_size=5)
    for suffix in (".jsonl", ".parquet"):  # a JSONL file, a folder of Parquet parts
        outputs = {}
        for jobs in (1, 2):
            out, report = tmp_path / f"out{jobs}{suffix}", tmp_path / f"r{jobs}.json"
            summary = clean_corpus(tmp_path / "pq", out, jobs=jobs, report=report)
            entries = json.loads(report.read_text(encoding="utf-8"))
            written = out.read_bytes() if out.is_file() else {p.name: p.read_bytes() for p in out.iterdir()}
            outputs[jobs] = written, entries["files"], entries["mined"], summary.written
        assert outputs[1] == outputs[2]
        assert outputs[1][2] and 0 < outputs[1][3] < len(rows)  # chrome mined, copies dropped


def test_parquet_parts_hold_part_rows_kept_rows_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each part holds PART_ROWS written rows (skipped ones do not count), in order; every
    document comes out once, in order, after the part holding it is in place."""
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    import textclean.parquet
    from textclean.document import Document

    monkeypatch.setattr(textclean.parquet, "PART_ROWS", 3)
    docs = [Document.from_text(f"第{i}篇", id=f"d{i}", record={"id": f"d{i}", "text": f"第{i}篇"}) for i in range(10)]
    docs = [doc.skip("empty") if i in (1, 4, 5) else doc for i, doc in enumerate(docs)]
    writer = textclean.parquet.WriteParquet(tmp_path / "out")
    seen = []
    for doc in writer.run(docs):
        seen.append(doc.id)
        if not doc.skipped:  # its part is written before it comes out
            assert any(doc.id in pq.read_table(part).column("id").to_pylist()
                       for part in (tmp_path / "out").glob("part-*.parquet"))
    assert seen == [doc.id for doc in docs]
    parts = [pq.read_table(part).column("id").to_pylist() for part in sorted((tmp_path / "out").glob("part-*"))]
    assert parts == [["d0", "d2", "d3"], ["d6", "d7", "d8"], ["d9"]]


@pytest.mark.parametrize("jobs, cpus, size, expected", [
    (3, 1, 0, 3),  # a number is taken as it is
    ("auto", 1, 10 << 20, 1),  # one CPU: one process
    ("auto", 4, 10 << 20, 4),  # one per CPU ...
    ("auto", 32, 10 << 20, 8),  # ... at most AUTO_MAX_JOBS
    ("auto", 4, 1 << 20, 1),  # a small input: starting workers would cost more than they save
])
def test_jobs_auto_uses_the_cpus_for_inputs_worth_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: object,
                                                    cpus: int, size: int, expected: int) -> None:
    import textclean.engines as engines
    from textclean.sources import FolderSource

    monkeypatch.setattr(engines, "available_cpus", lambda: cpus)
    (tmp_path / "a.txt").write_bytes(b"x" * (size // 2))
    (tmp_path / "b.txt").write_bytes(b"x" * (size - size // 2))
    assert engines.resolve_jobs(jobs, FolderSource(tmp_path)) == expected


@pytest.mark.parametrize("jobs", [0, -1, True, "3", 2.0, "all", None])
def test_jobs_must_be_a_whole_number_or_auto(tmp_path: Path, jobs: object) -> None:
    from textclean.engines import resolve_jobs

    with pytest.raises(ConfigError, match="whole number >= 1 or 'auto'"):
        resolve_jobs(jobs)  # type: ignore[arg-type]


def test_a_run_says_how_many_processes_it_used(tmp_path: Path) -> None:
    src = tmp_path / "in"
    mixed_corpus(src)
    summary = clean_corpus(src, tmp_path / "out", jobs="auto")
    assert summary.jobs == 1  # a few KB: one process whatever the machine
    code, err = run_cli("clean", str(src), str(tmp_path / "out2"))
    assert code == 0 and err.rstrip().endswith(", 1 process")


@pytest.mark.parametrize("keep_chars", [16_000_000, 5000, 0])
def test_one_process_reads_each_file_once_and_writes_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                keep_chars: int) -> None:
    """With one process the cleaning pass starts the documents the mining pass kept
    (up to keep_chars characters) at the page cleaner: each of those files is read
    once, and the output is the one of reading everything twice."""
    import textclean.engines as engines
    import textclean.pipeline as pipeline

    src = tmp_path / "in"
    mixed_corpus(src)
    reference = clean_corpus(src, tmp_path / "ref", jobs=1, max_memory=1 << 30, report=tmp_path / "ref.json")
    reads: list[str] = []
    real_read = pipeline.read_file
    monkeypatch.setattr(pipeline, "read_file", lambda doc: reads.append(doc.id) or real_read(doc))
    real_engine = engines.engine_of
    monkeypatch.setattr(engines, "engine_of", lambda *a, **k: real_engine(*a, **{**k, "keep_chars": keep_chars}))
    summary = clean_corpus(src, tmp_path / "out", jobs=1, report=tmp_path / "out.json")
    assert tree(tmp_path / "out") == tree(tmp_path / "ref") and summary.line() == reference.line()
    entries = [json.loads((tmp_path / name).read_text(encoding="utf-8"))["files"] for name in ("ref.json", "out.json")]
    assert [{k: v for k, v in e.items() if k != "output"} for e in entries[0]] == \
        [{k: v for k, v in e.items() if k != "output"} for e in entries[1]]
    files = summary.documents
    if keep_chars == 0:
        assert len(reads) == 2 * files
    elif keep_chars > 1_000_000:
        assert len(reads) < 2 * files and len(set(reads)) == files  # the readable ones once; unreadable ones again
    else:
        assert files < len(reads) < 2 * files  # some kept, the rest read again
