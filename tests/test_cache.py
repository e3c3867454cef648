"""The cache of start-up tables: what is read back equals what is built, and a cache
that is damaged, unwritable or switched off only costs the time of building."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from textclean import cache, normalize, prefilter
from textclean.rules import RuleSet


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _nfkc_built() -> tuple[np.ndarray, ...]:
    return normalize._build_nfkc_tables(normalize._NFKC_BLOCK)


def _nfkc_read() -> tuple[np.ndarray, ...]:
    normalize._nfkc_tables.cache_clear()
    try:
        return normalize._nfkc_tables()
    finally:
        normalize._nfkc_tables.cache_clear()


def _same_tables(found: tuple[np.ndarray, ...], built: tuple[np.ndarray, ...]) -> bool:
    return all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(found, built, strict=True))


def test_the_fold_tables_read_back_equal_the_built_ones(cache_dir: Path) -> None:
    built = _nfkc_built()
    first = _nfkc_read()  # builds and stores
    assert [path.suffix for path in cache_dir.iterdir()] == [".arrays"]
    second = _nfkc_read()  # reads back
    assert _same_tables(first, built) and _same_tables(second, built)
    assert not any(array.flags.writeable for array in second)


@pytest.mark.parametrize("damage", ["empty", "cut", "garbage", "header", "object type", "bad shape", "bad kind"])
def test_damaged_fold_tables_are_built_again(cache_dir: Path, damage: str) -> None:
    _nfkc_read()
    (path,) = cache_dir.iterdir()
    data = path.read_bytes()
    magic, rest = data[: len(cache._MAGIC)], data[len(cache._MAGIC) :]
    header, body = rest.split(b"\n", 1)
    damaged = {
        "empty": b"",
        "cut": data[: len(data) // 2],
        "garbage": os.urandom(len(data)),
        "header": magic + b"[[\n" + body,
        "object type": magic + header.replace(b'"<u4"', b'"|O"', 1) + b"\n" + body,
        "bad shape": magic + header.replace(b"65536", b"65535", 1) + b"\n" + body,
        "bad kind": magic + header + b"\n" + b"\x09" + body[1:],  # kind 9 is none of the four
    }[damage]
    path.write_bytes(damaged)
    assert _same_tables(_nfkc_read(), _nfkc_built())
    assert path.read_bytes() == data  # stored again, whole


def test_no_cache_when_switched_off_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "")
    assert cache.folder() is None
    assert _same_tables(_nfkc_read(), _nfkc_built())
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be made
    assert _same_tables(_nfkc_read(), _nfkc_built())
    assert prefilter.stored_analysis(["^首页"]) == {"^首页": prefilter.analyse("^首页")}
    assert blocker.read_text() == "not a folder"


def test_the_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "textclean"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.folder() == tmp_path / ".cache" / "textclean"


def test_a_key_changes_with_what_it_names(tmp_path: Path) -> None:
    source = tmp_path / "builder.py"
    source.write_text("x = 1")
    key = cache.digest("a", "b", sources=[str(source)])
    assert key == cache.digest("a", "b", sources=[str(source)])
    assert key != cache.digest("a", "c", sources=[str(source)]) and key != cache.digest("ab", sources=[str(source)])
    source.write_text("x = 2")
    assert key != cache.digest("a", "b", sources=[str(source)])


def test_the_pack_analysis_read_back_equals_a_fresh_one(cache_dir: Path) -> None:
    patterns = sorted({rule.view_pattern for rule in RuleSet.builtin().rules})
    fresh = {pattern: prefilter.analyse(pattern) for pattern in patterns}
    assert prefilter.stored_analysis(patterns) == fresh  # analysed and stored
    (path,) = cache_dir.glob("prefilter-*.json")
    assert prefilter.stored_analysis(patterns) == fresh  # read back
    for damaged in (b"", b"{", b"[1, 2]", b'[["x"]]', b"[" + b"[null, null, [1, 2]]," * len(patterns) + b"0]"):
        path.write_bytes(damaged)
        assert prefilter.stored_analysis(patterns) == fresh


def test_a_rule_set_analyses_its_own_rules_not_mined_ones(cache_dir: Path) -> None:
    from textclean.rules import Rule, _screens

    mined = RuleSet((Rule(id="mined.x", category="mined", pattern="^某某网$", trusted=True),))
    assert mined._analysis() == {}
    assert not cache_dir.exists()  # nothing stored for a site's mined rules
    pack = RuleSet.builtin()
    analysis = pack._analysis()
    assert set(analysis) == {rule.view_pattern for rule in pack.rules}
    total = pack + mined
    for zone in ("head", "body", "tail"):  # the prefilters built with and without the stored analysis agree
        for length in (5, 40, 400):
            rules, built = total.candidates("line", zone, length)
            fresh = prefilter.Prefilter([rule.view_pattern for rule in rules],
                                        lambda positions, rules=rules: _screens([rules[i] for i in positions]))
            for line in ("欢迎来到某某文库网!", "某某网", "责任编辑：张三", "正文的一段话。", "首页 > 新闻"):
                assert built.positions(line) == fresh.positions(line)
