from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
GOLDENS = Path(__file__).resolve().parent / "goldens" / "expected"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def goldens() -> Path:
    return GOLDENS


def pytest_configure(config: pytest.Config) -> None:
    """The suite keeps its start-up tables (textclean.cache) in a folder of its own, removed
    at the end: it never writes into the user's cache, and starts without one."""
    folder = tempfile.mkdtemp(prefix="textclean-test-cache-")
    config._textclean_cache = folder  # type: ignore[attr-defined]
    os.environ["TEXTCLEAN_CACHE_DIR"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_textclean_cache", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


P2 = "围绕提升干部能力素质，我们组织开展了专题培训班，培训干部八百余人次，干部队伍整体素质明显提升，工作作风明显转变。"
P3 = "社区以创建全国文明城市为契机，组织志愿服务活动六十余场，整治背街小巷十五条，居民生活环境明显改善，满意度大幅提高。"


def mixed_corpus(root: Path, copies: int = 1) -> None:
    """A small corpus with cross-document duplicates: the samples (site s1), each
    reposted under other chrome and mixed with another page's section (site s2),
    in UTF-8 and GBK. ``copies`` > 1 adds more sites of the same kind."""
    for copy in range(copies):
        first, second = ("s1", "s2") if copy == 0 else (f"s{2 * copy + 1}", f"s{2 * copy + 2}")
        for i, sample in enumerate(sorted(SAMPLES.glob("*.txt"))):
            text = sample.read_text(encoding="utf-8")
            for site in (first, second):
                (root / site).mkdir(parents=True, exist_ok=True)
            (root / first / sample.name).write_text(text, encoding="utf-8")
            (root / second / f"repost{i}.txt").write_text("欢迎来到某某文库网!\n" + text + "\n推荐访问:", encoding="utf-8")
            lines = text.splitlines()
            (root / second / f"mixed{i}.txt").write_text(
                "\n".join([P3, *lines[len(lines) // 2 :], P2]), encoding="gbk", errors="ignore"
            )


def records_of(root: Path) -> list[dict]:
    """Every page under ``root`` as a record ``{"id": relative path, "text": ...}``, in
    path order (mixed_corpus writes UTF-8 and GBK pages)."""
    rows = []
    for path in sorted(root.rglob("*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        rows.append({"id": path.relative_to(root).as_posix(), "text": text})
    return rows


def colliding_records(path: Path, ids: list[str]) -> Path:
    """A JSONL file of records with ``ids`` (some meant to land on one file), each with
    text of its own; an id ``"<id>!empty"`` is written as ``<id>`` holding a long heading
    and a copy of the first record's paragraph: the corpus phase removes the copy and
    then the heading it orphaned, and the page is left with nothing (``no content``)."""
    copied = "这一段是很长的正文内容，用来在不同的记录之间被完整复制，以便触发跨文档的重复检测。"
    rows = []
    for n, doc_id in enumerate(ids):
        if doc_id.endswith("!empty"):
            rows.append({"id": doc_id[:-6], "text": "关于本市今年夏季防汛工作安排的若干说明和补充通知材料汇编\n" + copied})
            continue
        own = (f"第{n}条记录的正文，写一些彼此不同的句子：编号{n}，内容{n * 7}。\n"
               f"另一段话，标记{n}{n}{n}，与别的记录都不一样。")
        rows.append({"id": doc_id, "text": (copied + "\n" + own) if n == 0 else own})
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def run_cli(*argv: str) -> tuple[int, str]:
    """``textclean ARGV`` in-process: (exit code, stderr)."""
    from textclean.cli import main

    err = io.StringIO()
    code = main(list(argv), stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def tree(root: Path) -> dict[str, bytes]:
    """Every output file under ``root`` by relative path, with its bytes (textclean's
    own manifest left out: it lists what a run wrote, see textclean.outdir)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".textclean-manifest.json"}
