"""The CLI, in-process: exit codes, refusals, report contents, explain."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from textclean.cli import Progress, main

from .conftest import GOLDENS, SAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_clean_samples_matches_goldens(tmp_path: Path):
    out = tmp_path / "out"
    code, _, err = run("clean", str(SAMPLES), str(out), "--quiet")
    assert code == 0, err
    written = sorted(p.name for p in out.iterdir() if p.name != ".textclean-manifest.json")
    assert written == sorted(p.name for p in GOLDENS.iterdir())
    for name in written:
        assert (out / name).read_bytes() == (GOLDENS / name).read_bytes()
    assert not list(out.glob(".*.tmp"))


def test_mirrors_tree_and_never_touches_inputs(tmp_path: Path):
    src = tmp_path / "in"
    (src / "site" / "a").mkdir(parents=True)
    (src / "site" / "a" / "page.txt").write_bytes("欢迎来到某某范文网!\r\n正文。".encode("gbk"))
    (src / "top.txt").write_text("标题\n正文。\n标题", encoding="utf-8")
    (src / "ignored.html").write_text("<p>x</p>", encoding="utf-8")
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    code, _, err = run("clean", str(src), str(tmp_path / "out"), "--quiet")
    assert code == 0, err
    assert (tmp_path / "out" / "site" / "a" / "page.txt").read_bytes() == "正文。\n".encode()
    assert (tmp_path / "out" / "top.txt").read_bytes() == "标题\n正文。\n".encode()
    assert not (tmp_path / "out" / "ignored.html").exists()
    assert before == {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}


@pytest.mark.parametrize("where", ["same", "inside", "nested"])
def test_refuses_output_inside_input(tmp_path: Path, where: str):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("正文。", encoding="utf-8")
    out = {"same": src, "inside": src / "out", "nested": src / "x" / "y"}[where]
    code, _, err = run("clean", str(src), str(out))
    assert code == 2
    assert "inside the input folder" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path):
    assert run("clean", str(tmp_path / "missing"), str(tmp_path / "out"))[0] == 2
    assert run("clean")[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run("clean", str(SAMPLES), str(tmp_path / "o"), "--disable-rule", "no.such.rule")
    assert code == 2 and "unknown rule id" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid="x"\ncategory="y"\npattern="("\n', encoding="utf-8")
    code, _, err = run("clean", str(SAMPLES), str(tmp_path / "o"), "--rules", str(bad))
    assert code == 2 and "does not compile" in err and "bad.toml" in err


def test_skips_exit_1_and_are_reported(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_ca93ba84090e03e2.txt", src / "good.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (src / "chrome.txt").write_text("欢迎来到某某文库网!\n推荐访问:\n", encoding="utf-8")
    report_path = tmp_path / "report.json"
    code, _, err = run("clean", str(src), str(tmp_path / "out"), "--report", str(report_path))
    assert code == 1
    assert "skipped empty.txt: empty" in err
    assert "skipped image.txt: binary" in err
    assert "skipped chrome.txt: no content" in err
    assert (tmp_path / "out" / "good.txt").exists()
    assert not (tmp_path / "out" / "chrome.txt").exists()
    report = json.loads(report_path.read_text(encoding="utf-8"))
    summary = report["summary"]
    assert summary["files"] == 4 and summary["written"] == 1
    assert summary["skipped"] == {"binary": 1, "empty": 1, "no content": 1}
    files = {f["id"]: f for f in report["files"]}
    good = files["good.txt"]
    assert good["encoding"] == "utf-8" and good["chars_out"] < good["chars_in"]
    assert [r["rule"] for r in good["removed"]] == ["zh.footer.shared-by"]
    assert files["image.txt"]["detail"] == "PNG image"
    assert summary["rules"]["zh.header.welcome"]["lines"] == 1


def test_report_names_duplicates(tmp_path: Path):
    report_path = tmp_path / "r.json"
    code, _, _ = run("clean", str(SAMPLES), str(tmp_path / "out"), "--report", str(report_path), "-q")
    assert code == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    doc = next(f for f in report["files"] if f["id"].startswith("004"))
    # the first line the rules keep, repeated by the body, is the page's title: the body's copy stays
    dup = next(r for r in doc["removed"] if r["rule"] == "title-repeat")
    assert dup["duplicate_of"] == 8 and dup["line"] == 3
    assert dup["reason"] == "title-repeat: duplicate of paragraph at line 8"
    assert report["summary"]["rules"]["duplicate-sentence"]["sentences"] == 3


def test_single_file_in_and_out(tmp_path: Path):
    target = tmp_path / "clean.txt"
    code, _, _ = run("clean", str(SAMPLES / "000_ca93ba84090e03e2.txt"), str(target), "-q")
    assert code == 0
    assert target.read_bytes() == (GOLDENS / "000_ca93ba84090e03e2.txt").read_bytes()


def test_explain_marks_each_line():
    code, out, _ = run("explain", str(SAMPLES / "004_ee7c459c3ded9266.txt"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("encoding utf-8 (confidence 1.0)")
    assert lines[1].startswith(" 1 - 现在位置")
    assert "zh.nav.breadcrumb [head]" in lines[2]
    assert any(line.startswith(" 8 + 党委书记") for line in lines)
    assert "title-repeat: duplicate of paragraph at line 8" in out
    assert lines[-1].endswith("removed")


def test_explain_span_and_skip(tmp_path: Path):
    page = tmp_path / "p.txt"
    page.write_text("标题[朗读]\n正文。", encoding="utf-8")
    code, out, _ = run("explain", str(page))
    assert code == 0 and "1 ~ 标题[朗读]" in out and "span '[朗读]'" in out
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    code, out, _ = run("explain", str(empty))
    assert code == 1 and "skipped: empty" in out


def test_rules_check():
    code, out, _ = run("rules", "--check")
    assert code == 0
    assert "zh.nav.breadcrumb" in out and "0 example failures" in out


def test_summary_line_unless_quiet(tmp_path: Path):
    _, _, err = run("clean", str(SAMPLES), str(tmp_path / "a"))
    assert "5 files: 5 written, 0 skipped" in err
    _, _, err = run("clean", str(SAMPLES), str(tmp_path / "b"), "--quiet")
    assert err == ""


def test_progress_shows_only_after_a_second(monkeypatch):
    clock = iter([0.0, 0.5, 2.0, 13.0, 14.0])
    monkeypatch.setattr("textclean.cli.time.monotonic", lambda: next(clock))
    stream = io.StringIO()
    progress = Progress(3, stream)
    progress.update(10)  # 0.5 s: nothing yet
    assert stream.getvalue() == ""
    progress.update(10)  # 2 s: shown
    progress.update(10)  # 13 s: shown again (non-tty: every 10 s)
    assert stream.getvalue().count("files") == 2
    quiet = Progress(3, io.StringIO(), enabled=False)
    quiet.update(1)


def test_mixed_folder_of_hostile_input(tmp_path: Path):
    """Every encoding and every damaged case in one run: exit 1, good files written, skips explained."""
    src = tmp_path / "in"
    src.mkdir()
    body = "市委书记在全市意识形态工作会上的讲话。\n同志们：开展意识形态工作会，是一次尝试，也是一个创新。\n"
    trad = "市委書記在全市意識形態工作會上的講話。\n同志們：開展意識形態工作會，是一次嘗試。\n"
    good = {
        "utf8.txt": body.encode(),
        "utf8bom.txt": b"\xef\xbb\xbf" + body.encode(),
        "gbk.txt": body.replace("\n", "\r\n").encode("gbk"),
        "gb18030.txt": (body + "朱镕基。\n").encode("gb18030"),
        "big5.txt": trad.encode("big5"),
        "utf16.txt": body.encode("utf-16"),
        "utf16le-nobom.txt": body.encode("utf-16-le"),
        "truncated.txt": (body + "尾").encode()[:-1],
        "mixed.txt": body.encode() + trad.encode("big5"),
        "junkline.txt": (body + "啊" * 30_000 + "\n").encode(),
    }
    bad = {
        "empty.txt": (b"", "empty"),
        "png.txt": (b"\x89PNG\r\n\x1a\n" + bytes(300), "binary"),
        "nuls.txt": (bytes(2000), "binary"),
        "chrome.txt": ("欢迎来到某某文库网!\n本文来源:https://example.com/1.html\n".encode(), "no content"),
    }
    for name, data in good.items():
        (src / name).write_bytes(data)
    for name, (data, _) in bad.items():
        (src / name).write_bytes(data)
    report_path = tmp_path / "report.json"
    code, _, err = run("clean", str(src), str(tmp_path / "out"), "--report", str(report_path))
    assert code == 1
    for name in good:
        assert (tmp_path / "out" / name).is_file(), name
        written = (tmp_path / "out" / name).read_bytes()
        written.decode("utf-8")
        assert b"\r" not in written and not written.startswith(b"\xef\xbb\xbf")
    for name, (_, reason) in bad.items():
        assert not (tmp_path / "out" / name).exists()
        assert f"skipped {name}: {reason}" in err
    assert (tmp_path / "out" / "junkline.txt").read_text(encoding="utf-8") == body
    report = json.loads(report_path.read_text(encoding="utf-8"))
    files = {f["id"]: f for f in report["files"]}
    assert files["gbk.txt"]["encoding"] == "gb18030"
    assert files["big5.txt"]["encoding"] == "big5hkscs"
    assert files["utf16le-nobom.txt"]["encoding"] == "utf-16-le"
    assert files["mixed.txt"]["encoding"] == "mixed:big5hkscs+utf-8"
    assert all(0 < f["confidence"] <= 1 for f in files.values() if "encoding" in f)
    assert report["summary"]["skipped"] == {"binary": 2, "empty": 1, "no content": 1}
    assert "14 files: 10 written, 4 skipped (binary: 2, empty: 1, no content: 1)" in err
    assert "gb18030: 2" in err


def test_forced_encoding_flag(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes("标题\n正文。".encode("gbk"))
    code, _, err = run("clean", str(src), str(tmp_path / "out"), "--encoding", "utf-8", "-q")
    assert code == 1 and "skipped a.txt: undecodable" in err
    code, _, _ = run("clean", str(src), str(tmp_path / "out2"), "--encoding", "gbk", "-q")
    assert code == 0 and (tmp_path / "out2" / "a.txt").read_text(encoding="utf-8") == "标题\n正文。\n"
    assert run("clean", str(src), str(tmp_path / "o3"), "--encoding", "klingon")[0] == 2


def test_explain_numbers_lines_like_the_report(tmp_path: Path):
    page = tmp_path / "p.txt"
    page.write_bytes("标题\r\n\r\n推荐访问:\u2028正文。\r标题".encode())
    code, out, _ = run("explain", str(page))
    assert code == 0
    assert " 3 - 推荐访问:" in out.replace("\n3", "\n 3") or "3 - 推荐访问:" in out
    assert "4 + 正文。" in out
    assert "5 - 标题" in out and "duplicate of paragraph at line 1" in out


def test_the_command_ignores_a_ctrl_c_once_its_work_is_done():
    """A Ctrl-C during the interpreter's shutdown used to kill a finished run (exit status -2)."""
    probe = ("import atexit, signal, sys\n"
             "from textclean.cli import console\n"
             "atexit.register(lambda: print('ignored' if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else 'not'))\n"
             "sys.argv = ['textclean', '--version']\n"
             "console()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("ignored"), done


@pytest.mark.parametrize("value", ["0", "-2", "x", "1.5"])
def test_jobs_flag_says_what_it_takes(tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("clean", str(SAMPLES), str(tmp_path / "out"), "--jobs", value)
    assert code == 2 and "expected a whole number >= 1 or 'auto'" in err + capsys.readouterr().err
