"""textclean in Unix pipelines: ``-`` for JSONL on stdin and stdout, ``python -m
textclean``, ``--version``, ``mine`` on JSONL."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from textclean.cli import main

from .test_jsonl import ROWS, write_jsonl

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _rows() -> list[dict]:
    rows: list = [row for row in ROWS if isinstance(row, dict) and row.get("text") is not None]
    # a site folder with a repeated line, so that the piped run mines as the file run does
    rows += [{"id": f"farm/{n}", "text": f"本文来自某某网\n第{n}篇独立的正文内容，讲的是第{n}件事情。"} for n in range(6)]
    return rows


@pytest.mark.parametrize("compressed", [False, True])
def test_stdin_to_stdout_equals_files(tmp_path: Path, compressed: bool) -> None:
    source = tmp_path / ("in.jsonl.gz" if compressed else "in.jsonl")
    write_jsonl(source, _rows(), broken=True)
    code_files, _, _ = _run(["clean", str(source), str(tmp_path / "out.jsonl"), "--quiet"])
    code_pipe, stdout, stderr = _run(["clean", "-", "-", "--quiet"], stdin=source.read_bytes())
    assert code_pipe == code_files == 1  # the broken line is an invalid record in both
    assert stdout == (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert stdout.count("\n") >= 5
    assert "invalid record" in stderr and stdout.startswith("{")


def test_a_real_pipe_through_python_m(tmp_path: Path) -> None:
    """``zcat x.jsonl.gz | python -m textclean clean - - > y.jsonl`` equals the file run,
    and nothing but records reaches stdout (messages go to stderr)."""
    source = tmp_path / "x.jsonl.gz"
    write_jsonl(source, _rows())
    expected = tmp_path / "y_files.jsonl"
    assert _run(["clean", str(source), str(expected), "--quiet"])[0] == 0
    piped = tmp_path / "y.jsonl"
    command = f"zcat {source} | {sys.executable} -m textclean clean - - > {piped}"
    done = subprocess.run(["bash", "-c", "set -o pipefail; " + command], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert piped.read_bytes() == expected.read_bytes()
    assert "textclean:" in done.stderr  # the summary line, on stderr
    for line in piped.read_text(encoding="utf-8").splitlines():
        json.loads(line)


def test_stdin_to_a_file_and_a_report(tmp_path: Path) -> None:
    data = gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()).encode("utf-8"))
    code, stdout, _ = _run(["clean", "-", str(tmp_path / "o.jsonl"), "--quiet", "--report", str(tmp_path / "r.json"),
                            "--report-html", str(tmp_path / "r.html")], stdin=data)
    assert code == 0 and stdout == ""
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["run"]["input"] == "-" and report["run"]["input_format"] == "records"
    assert (tmp_path / "r.html").stat().st_size > 1000


def test_stdout_with_an_html_report_shows_the_kept_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, _rows())
    code, _, _ = _run(["clean", str(source), "-", "--quiet", "--report-html", str(tmp_path / "r.html")])
    assert code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'class="l keep"' in page and "output of this file was not found" not in page


@pytest.mark.parametrize(("args", "message"), [
    (["clean", "-", "-", "--resume"], "not resumable"),
    (["clean", "-", "-", "--format", "txt"], "--format txt needs a path"),
])
def test_stream_misuse_is_refused(args: list[str], message: str) -> None:
    code, _, err = _run(args)
    assert code == 2 and message in err, err


def test_a_terminal_on_stdin_is_refused() -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    err = io.StringIO()
    code = main(["clean", "-", "-"], stdout=io.StringIO(), stderr=err, stdin=Terminal())
    assert code == 2 and "terminal" in err.getvalue()


def test_empty_stdin_writes_nothing() -> None:
    code, stdout, _ = _run(["clean", "-", "-", "--quiet"])
    assert code == 0 and stdout == ""


def test_version() -> None:
    done = subprocess.run([sys.executable, "-m", "textclean", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("textclean ") and "core" in done.stdout


def test_mine_takes_jsonl_grouped_by_id_folder(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl.gz"
    write_jsonl(source, _rows())
    code, stdout, _ = _run(["mine", str(source), "--quiet"])
    assert code == 0, stdout
    assert "farm/  (6 pages)" in stdout and "本文来自某某网" in stdout
    assert stdout.rstrip().endswith(f"from {len(_rows())} records")
    code, _, err = _run(["mine", str(tmp_path / "nothing.txt")])
    assert code == 2 and "neither a folder nor a JSONL file" in err
