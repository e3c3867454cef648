"""Invariants of clean(), property-tested."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textclean import clean

from .conftest import GOLDENS

PUNCTUATION = "，。、；：？！“”‘’《》（）【】…—·"
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
paragraph = st.text(alphabet=HAN + PUNCTUATION + " 0123456789abcXYZ,.:;!?\u3000\u00a0\t", min_size=0, max_size=80)
document = st.lists(paragraph, max_size=12).map("\n".join)
anything = st.text(max_size=400)
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
relaxed = settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)


@relaxed
@given(anything)
def test_clean_never_raises_and_follows_the_output_convention(text: str):
    out = clean(text)
    out.encode("utf-8")  # valid UTF-8 (no lone surrogates)
    if out:
        assert out.endswith("\n") and not out.startswith("\ufeff")
        for line in out[:-1].split("\n"):
            assert line and line == line.strip()
            assert not any(unicodedata.category(ch) == "Cc" or ch in INVISIBLE for ch in line), repr(line)


@relaxed
@given(document)
def test_punctuation_and_characters_survive_unchanged(text: str):
    out = clean(text)
    source = set(text.replace("\t", " "))  # tabs become spaces; nothing else is rewritten
    assert set(out) - {"\n"} <= source  # nothing invented: no width or quote folding
    for mark in PUNCTUATION:
        assert out.count(mark) <= text.count(mark)


@relaxed
@given(document)
def test_deterministic(text: str):
    assert clean(text) == clean(text)


@relaxed
@given(st.lists(st.sampled_from(["一是加强组织领导。", "二是强化责任落实。", "三是完善工作机制。", "标题", "四、存在问题"]), max_size=15))
def test_dedup_keeps_exactly_one_copy_of_each_paragraph(paragraphs: list[str]):
    out = clean("\n".join(paragraphs)).splitlines()
    assert len(out) == len(set(out))
    assert out == sorted(set(out), key=paragraphs.index)  # first copies, in input order
    sentences = {p for p in paragraphs if p.endswith("。")}
    assert sentences <= set(out)  # headings may go with a repeated section; body text never loses its first copy


@pytest.mark.parametrize("golden", sorted(GOLDENS.glob("*.txt")), ids=lambda p: p.name)
def test_clean_is_idempotent_on_goldens(golden: Path):
    text = golden.read_text(encoding="utf-8")
    assert clean(text) == text
