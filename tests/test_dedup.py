from __future__ import annotations

import pytest

from textclean import DedupConfig, Document
from textclean.dedup import dedup_document, split_sentences


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("一句。两句！三句？", ["一句。", "两句！", "三句？"]),
        ("他说：“好。”走吧;", ["他说：“好。”", "走吧;"]),
        ("没有标点", ["没有标点"]),
        ("结尾。残句", ["结尾。", "残句"]),
        ("连续！！？结束", ["连续！！？", "结束"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, pieces: list[str]):
    assert split_sentences(text) == pieces
    assert "".join(pieces) == text


CASES = [
    # (input, expected output, note)
    ("标题\n正文。\n标题", "标题\n正文。", "a repeated title goes whatever its length"),
    ("一\n二\n一", "一\n二", "even one character"),
    ("情况篇一\n情况篇二", "情况篇一\n情况篇二", "distinct headings stay"),
    ("这是一个很长的句子。这是一个很长的句子。", "这是一个很长的句子。", "repeat in the same paragraph"),
    ("这是一个很长的句子。\n另外的话。这是一个很长的句子。", "这是一个很长的句子。\n另外的话。", "repeat in a later paragraph"),
    ("短句子。短句子。", "短句子。短句子。", "shorter than 8 characters stays"),
    ("这是一个很长的句子。\n这是一个很长的句子。", "这是一个很长的句子。", "paragraph repeat"),
    ("开头。这是一个很长的句子。\n这是一个很长的句子。", "开头。这是一个很长的句子。", "paragraph left empty goes"),
    ("这是一个很长的句子\n这是一个很长的句子。", "这是一个很长的句子\n这是一个很长的句子。", "no end mark: not a sentence"),
]


@pytest.mark.parametrize("text, expected, note", CASES, ids=[c[2] for c in CASES])
def test_dedup_cases(text: str, expected: str, note: str):
    assert dedup_document(Document.from_text(text)).text == expected


def test_trace_names_the_kept_copy():
    doc = dedup_document(Document.from_text("标题\n\n正文很长很长很长。\n标题\n正文很长很长很长。新句子。"))
    entries = [(r.rule, r.line, r.duplicate_of) for r in doc.trace]
    assert entries == [("duplicate-paragraph", 4, 1), ("duplicate-sentence", 5, 3)]


def test_switches():
    text = "标题\n标题\n这是一个很长的句子。这是一个很长的句子。"
    assert dedup_document(Document.from_text(text), DedupConfig(dedup_paragraphs=False)).text.count("标题") == 2
    assert dedup_document(Document.from_text(text), DedupConfig(dedup_sentences=False)).text.endswith("。这是一个很长的句子。")
    assert "。这是一个很长的句子。" not in dedup_document(Document.from_text(text), DedupConfig(min_sentence_chars=3)).text
