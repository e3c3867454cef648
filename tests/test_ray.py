"""The Ray engine gives exactly the local engine's output (a local Ray with 2 CPUs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from textclean.errors import TextcleanError

from .conftest import colliding_records, mixed_corpus, records_of, tree
from .conftest import run_cli as run


def entries(path: Path) -> tuple[list, dict, list]:
    report = json.loads(path.read_text(encoding="utf-8"))
    files = [{k: v for k, v in f.items() if k != "output"} for f in report["files"]]
    return files, report["summary"], report["mined"]


def test_a_missing_ray_names_the_extra(monkeypatch):
    from textclean import ray_engine

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(TextcleanError, match=r"textclean\[ray\]"):
        ray_engine.require_ray()


def test_importing_textclean_does_not_import_ray():
    code = "import textclean, textclean.cli, sys; print('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="the ray extra is part of the test extra; CI installs it")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_engine_output_equals_local(ray_cluster, tmp_path: Path):
    src = tmp_path / "in"
    mixed_corpus(src)
    generator = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"
    subprocess.run([sys.executable, str(generator), str(src / "generated"), "--mb", "0.2", "--sites", "3"],
                   check=True, stdout=subprocess.DEVNULL)
    (src / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code_local, err = run("clean", str(src), str(tmp_path / "local"), "-q", "--report", str(tmp_path / "local.json"))
    assert code_local == 1, err  # the PNG is skipped
    code_ray, err = run("clean", str(src), str(tmp_path / "ray"), "-q", "--engine", "ray",
                        "--report", str(tmp_path / "ray.json"))
    assert code_ray == code_local, err
    local, ray_tree = tree(tmp_path / "local"), tree(tmp_path / "ray")
    assert local == ray_tree and len(local) > 20
    assert entries(tmp_path / "local.json") == entries(tmp_path / "ray.json")
    local_report = entries(tmp_path / "local.json")
    assert local_report[1]["skipped"].get("duplicate", 0) >= 5  # cross-document work was really done
    assert local_report[2]  # and mining found site chrome

    # JSONL in, JSONL out (through the driver, in order)
    records = tmp_path / "records.jsonl"
    with records.open("w", encoding="utf-8") as handle:
        for path in sorted(src.rglob("*.txt"))[:30]:
            text = path.read_bytes().decode("utf-8", "replace")
            handle.write(json.dumps({"id": path.relative_to(src).as_posix(), "text": text, "lang": "zh"},
                                    ensure_ascii=False) + "\n")
        handle.write("not json\n")
    assert run("clean", str(records), str(tmp_path / "local.jsonl.gz"), "-q")[0] == 1
    assert run("clean", str(records), str(tmp_path / "ray.jsonl.gz"), "-q", "--engine", "ray")[0] == 1
    assert (tmp_path / "local.jsonl.gz").read_bytes() == (tmp_path / "ray.jsonl.gz").read_bytes()


def test_parquet_in_and_out_equals_local_jsonl_in_stored_order(ray_cluster, tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in"
    mixed_corpus(src)
    rows = [{**row, "n": n} for n, row in enumerate(records_of(src))]
    pq.write_table(pa.Table.from_pylist(rows[::-1]), tmp_path / "in.parquet")  # stored out of id order
    with (tmp_path / "in.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows[::-1]:  # the same records in the same order
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    assert run("clean", str(tmp_path / "in.jsonl"), str(tmp_path / "local.jsonl"), "-q")[0] == 0
    code, err = run("clean", str(tmp_path / "in.parquet"), str(tmp_path / "out"), "-q", "--engine", "ray")
    assert code == 0, err
    local = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]
    written = pq.read_table(tmp_path / "out").to_pylist()
    for record in written:
        record["textclean"] = json.loads(record["textclean"])
    assert written == local and len(local) >= 5
    # the local engine writes the same Parquet files, byte for byte
    assert run("clean", str(tmp_path / "in.parquet"), str(tmp_path / "o2"), "-q")[0] == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "o2").iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}


def test_incremental_runs_on_ray_equal_one_local_run(ray_cluster, tmp_path: Path):
    from textclean import clean_corpus

    from .test_corpus import NO_MINE, _entries, _halves

    everything, first, second = _halves(tmp_path)
    clean_corpus(everything, tmp_path / "out-all", config=NO_MINE, report=tmp_path / "all.json")
    index = tmp_path / "index"
    clean_corpus(first, tmp_path / "out-a", config=NO_MINE, index=index, engine="ray")
    clean_corpus(second, tmp_path / "out-b", config=NO_MINE, index=index, engine="ray", report=tmp_path / "b.json")
    assert tree(tmp_path / "out-b") == {k: v for k, v in tree(tmp_path / "out-all").items() if k.startswith("s2/")}
    assert _entries(tmp_path / "b.json") == _entries(tmp_path / "all.json", "s2/")
    # a local run against the index the Ray runs wrote: everything is already in it
    summary = clean_corpus(second, tmp_path / "out-c", config=NO_MINE, index=index)
    assert summary.written < summary.documents


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_only_the_engine_changes_records_and_reports(ray_cluster, tmp_path: Path, kind: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textclean import clean_corpus

    src = tmp_path / "in"
    mixed_corpus(src)
    rows = records_of(src)
    if kind == "jsonl":
        source = tmp_path / "in.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        source = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pylist(rows), source)
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.{kind}" if kind == "jsonl" else tmp_path / engine
        clean_corpus(source, out, engine=engine, report=tmp_path / f"{engine}.json")
        outputs[engine] = out.read_bytes() if kind == "jsonl" else {p.name: p.read_bytes() for p in out.iterdir()}
    assert outputs["local"] == outputs["ray"]
    assert entries(tmp_path / "local.json") == entries(tmp_path / "ray.json")
    assert entries(tmp_path / "local.json")[1]["skipped"].get("duplicate", 0) >= 1


def test_records_whose_ids_land_on_one_file_are_placed_in_input_order(ray_cluster, tmp_path: Path):
    """Records written into a tree whose ids land on one file (a repeated id): the first
    written stays and the later ones are skipped as "invalid id", as locally — each Ray
    worker used to write its pages with claims of its own, so the last writer won. A page
    the corpus phase empties claims nothing: the next record with its id is written."""
    from textclean import clean_corpus

    source = colliding_records(tmp_path / "in.jsonl", ["a", "same", "b", "same", "x!empty", "c", "x", "d", "same"])
    outputs = {}
    for engine in ("local", "ray"):
        clean_corpus(source, tmp_path / engine, format="txt", engine=engine, report=tmp_path / f"{engine}.json")
        outputs[engine] = tree(tmp_path / engine)
    assert outputs["local"] == outputs["ray"]
    assert (tmp_path / "ray" / "same.txt").read_text(encoding="utf-8").startswith("第1条")
    assert entries(tmp_path / "local.json") == entries(tmp_path / "ray.json")
    assert entries(tmp_path / "ray.json")[1]["skipped"] == {"invalid id": 2, "no content": 1}
    assert (tmp_path / "ray" / "x.txt").is_file()


def test_input_in_pieces_gives_the_output_of_one_local_run(ray_cluster, tmp_path: Path, monkeypatch):
    """The driver hands the workers pieces of the input (JSONL lines, Parquet row
    groups), put in the object store a group at a time: with pieces of a few lines,
    groups of a few pieces, a damaged .gz and bad lines, the bytes one local run writes."""
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    from textclean import clean_corpus, ray_engine

    src = tmp_path / "in"
    mixed_corpus(src)
    rows = records_of(src)
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows]
    lines[3:3] = [b"not json\n", b"\n"]
    data = gzip.compress(b"".join(lines), mtime=0)
    (tmp_path / "in.jsonl.gz").write_bytes(data[: len(data) - 40])  # ends early: the last lines are lost
    half = len(rows) // 2
    (tmp_path / "pq").mkdir()
    for name, part in (("b.parquet", rows[:half]), ("a.parquet", rows[half:])):
        pq.write_table(pa.Table.from_pylist(part), tmp_path / "pq" / name, row_group_size=3,
                       write_page_checksum=True, use_dictionary=False, compression="none")
    damaged = tmp_path / "pq" / "a.parquet"  # a page of its second row group fails its checksum
    chunk = pq.ParquetFile(damaged).metadata.row_group(1).column(1)
    data = bytearray(damaged.read_bytes())
    end = chunk.data_page_offset + chunk.total_compressed_size
    data[end - 12:end - 4] = b"\xff" * 8
    damaged.write_bytes(bytes(data))
    (tmp_path / "pq" / "c.parquet").write_bytes(b"PAR1 not really" * 10)
    monkeypatch.setattr(ray_engine, "PIECE_BYTES", 3000)
    monkeypatch.setattr(ray_engine, "GROUP_BYTES", 8000)
    from textclean.sources import source_of

    assert ray_engine.dataset_of_jsonl(tmp_path / "in.jsonl.gz", text_field="text", id_field="id").count() >= 4
    assert ray_engine.dataset_of(source_of(tmp_path / "pq")).count() >= 4  # row groups
    for source, name in ((tmp_path / "in.jsonl.gz", "out.jsonl"), (tmp_path / "pq", "out.jsonl")):
        outputs = {}
        for engine in ("local", "ray"):
            out = tmp_path / engine / source.name / name
            out.parent.mkdir(parents=True)
            clean_corpus(source, out, engine=engine, report=out.with_suffix(".json"))
            outputs[engine] = out.read_bytes(), entries(out.with_suffix(".json"))
        assert outputs["local"] == outputs["ray"]
        assert len(outputs["local"][1][0]) >= len(rows) // 2
        assert outputs["local"][1][1]["skipped"]["invalid record"] >= 2  # bad lines, bad row groups, named
