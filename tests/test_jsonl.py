"""JSONL input and output, and the record-stream API (part of issue 6)."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textclean import clean_records
from textclean.cli import main
from textclean.io import read_jsonl

from .conftest import GOLDENS, SAMPLES

LONG = "正文第一段的内容相当长，足以参与跨文档的近似重复检测，并且每个字都有意义。"
OWN = "这一段是第二篇文章自己的内容，与前一篇完全不同，篇幅也比较长，所以整篇文章不会被当成转载而整体删除。"


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    return main(list(argv), stdout=io.StringIO(), stderr=err), err.getvalue()


def write_jsonl(path: Path, rows: list[object], *, broken: bool = False) -> None:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        if broken:
            handle.write("{not json\n")


ROWS = [
    {"id": "s/1", "text": "欢迎来到某某文库网!\n标题\n" + LONG + "\n标题", "url": "http://x/1", "meta": {"lang": "zh"}},
    {"id": "s/2", "text": "转载\n" + LONG + "\n" + OWN, "url": "http://x/2"},
    {"id": "s/3", "text": None},
    "not an object",
    {"text": "没有编号的记录，内容也足够长，应当被保留下来。"},
]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_jsonl_in_and_out(tmp_path: Path, suffix: str):
    src = tmp_path / f"in{suffix}"
    write_jsonl(src, ROWS, broken=True)
    out = tmp_path / f"out{suffix}"
    code, err = run("clean", str(src), str(out), "--report", str(tmp_path / "r.json"))
    assert code == 1  # invalid records are reported...
    assert "skipped s/3: invalid record" in err and "is a str, not an object" in err and "not JSON" in err
    assert "6 records:" in err
    opener = gzip.open if suffix.endswith(".gz") else open
    with opener(out, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    by_id = {r.get("id"): r for r in records}
    assert by_id["s/1"]["text"] == "标题\n" + LONG
    assert by_id["s/1"]["url"] == "http://x/1" and by_id["s/1"]["meta"] == {"lang": "zh"}  # fields pass through
    assert by_id["s/1"]["textclean"]["removed"] == 2
    assert by_id["s/2"]["textclean"]["duplicate_of"] == ["s/1"]  # the copied paragraph goes, across records
    assert by_id["s/2"]["text"] == "转载\n" + OWN
    assert by_id[None]["text"] == "没有编号的记录，内容也足够长，应当被保留下来。"
    assert stat.S_IMODE(os.stat(out).st_mode) & 0o044  # readable by others, as the umask allows


def test_folder_to_one_jsonl(tmp_path: Path):
    out = tmp_path / "all.jsonl"
    code, _ = run("clean", str(SAMPLES), str(out), "--format", "jsonl", "-q")
    assert code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted(p.name for p in SAMPLES.glob("*.txt"))
    for record in records:
        assert record["text"] + "\n" == (GOLDENS / record["id"]).read_text(encoding="utf-8")
        assert record["textclean"]["encoding"] == "utf-8"
    assert run("clean", str(SAMPLES), str(SAMPLES / "x.jsonl"), "--format", "jsonl")[0] == 2  # not inside IN


def test_text_and_id_fields(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"doc": "d1", "content": "推荐访问:\n" + LONG}])
    out = tmp_path / "out.jsonl"
    assert run("clean", str(src), str(out), "--text-field", "content", "--id-field", "doc", "-q")[0] == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["content"] == LONG and record["doc"] == "d1" and "text" not in record


def test_read_jsonl_reports_bad_lines(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "好"}\n\n[1, 2]\n{"id": 4, "text": 5}\n', encoding="utf-8")
    docs = list(read_jsonl(src))
    assert [d.skipped for d in docs] == [None, "invalid record", "invalid record", "invalid record"]
    assert docs[0].id == "1" and docs[3].detail == "record 4: field 'text' is a int, not a string"


@pytest.mark.parametrize("name", ["in.jsonl", "in.jsonl.gz"])
def test_lazy_records_are_parsed_by_the_read_step_into_the_same_documents(tmp_path: Path, name: str):
    """A lazy JSONL source leaves each line for the pipeline's first step (a worker's, in a
    parallel run): that step makes the documents an eager read makes, bad lines and a file
    that ends early included."""
    from textclean.io import read_file

    src = tmp_path / name
    lines = ['{"id": 1, "text": "好"}', "", "[1, 2]", '{"id": 4, "text": 5}', '{"text": "无编号"}', "{not json",
             '{"id": "s", "text": "\\ud800"}', '{"id": 1, "text": "同一个编号"}']
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if name.endswith(".gz"):
        data = gzip.compress(data)[:-12]  # cut: the file ends early
    src.write_bytes(data)
    eager = list(read_jsonl(src, text_field="text"))
    lazy = list(read_jsonl(src, text_field="text", lazy=True))
    assert [doc.number for doc in lazy] == [doc.number for doc in eager]
    assert all(doc.place == doc.number for doc in lazy)  # known before the line is parsed
    assert [read_file(doc) for doc in lazy] == eager
    assert [doc.record for doc in map(read_file, lazy)] == [doc.record for doc in eager]
    assert eager[0].id == "1" and eager[2].skipped == "invalid record"
    if name.endswith(".gz"):
        assert "ends early" in str(eager[-1].detail)


def test_clean_records_keeps_every_record_in_order():
    texts = ["标题\n" + LONG, "另一篇\n" + LONG + "\n" + OWN, "转载\n" + LONG, "推荐访问:"]
    rows = [{"id": i, "text": t} for i, t in enumerate(texts)]
    out = list(clean_records(rows))
    assert [r["id"] for r in out] == [0, 1, 2, 3]
    assert out[0]["text"] == "标题\n" + LONG
    assert out[1]["text"] == "另一篇\n" + OWN and out[1]["textclean"]["duplicate_of"] == ["0"]
    assert out[2]["textclean"]["skipped"] == "duplicate" and out[2]["text"] == texts[2]  # a repost, kept for the caller
    assert out[3]["textclean"]["skipped"] == "no content" and out[3]["text"] == "推荐访问:"  # nothing lost silently
    assert rows[0]["text"] == "标题\n" + LONG  # the caller's records are not modified


def test_records_to_a_txt_tree_and_ids_that_would_escape(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "site/a", "text": "标题\n" + LONG},
        {"id": "../../escape", "text": OWN},
        {"id": "/etc/passwd", "text": OWN + "又一段。"},
    ]
    write_jsonl(src, rows)
    code, err = run("clean", str(src), str(tmp_path / "tree"), "--format", "txt", "-q")
    assert code == 1 and "invalid id" in err
    assert (tmp_path / "tree" / "site" / "a.txt").read_text(encoding="utf-8") == "标题\n" + LONG + "\n"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.txt"))
    assert written == [Path("tree/site/a.txt")]  # nothing outside the output folder


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000) | st.text(max_size=800).map(lambda t: t.encode("utf-8", "surrogatepass")),
       piece=st.integers(1, 1200))
def test_a_gz_output_is_one_member_and_the_same_bytes_for_any_number_of_threads(data: bytes, piece: int):
    """write_gzip deflates pieces on their own (in threads): any gzip reader gets the bytes
    back from one member, and the file does not depend on how many threads made it."""
    import zlib

    from textclean.io import write_gzip

    made = []
    for threads in (1, 2, 3):
        out = io.BytesIO()
        write_gzip(io.BytesIO(data), out, threads=threads, piece=piece)
        made.append(out.getvalue())
    assert made[0] == made[1] == made[2]
    reader = zlib.decompressobj(wbits=31)  # one member: a reader that stops after the first gets everything
    assert reader.decompress(made[0]) == data and reader.eof and not reader.unused_data
    assert gzip.decompress(made[0]) == data and made[0][:4] == b"\x1f\x8b\x08\x00"
