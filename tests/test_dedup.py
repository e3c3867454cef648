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


BODY = "今年全市共完成造林面积十二万亩，森林覆盖率提高到百分之四十三，城市绿地率达到百分之三十八，人均公园绿地面积十四平方米"


def test_a_summary_gives_way_to_the_body_that_restates_it():
    """A summary (摘要：…, or lines under 划重点：) repeats the body; the body's copy stays
    even when it is only a little longer (a plain earlier copy would stay instead)."""
    from textclean.dedup import summary_lines
    from textclean.document import Line

    longer = BODY + "，全年新增绿道八十公里。"
    page = "\n".join(["标题", "摘要：" + BODY + "。", "正文第一段讲的是别的事情，与摘要无关，篇幅也足够长。", longer])
    kept = dedup_document(Document.from_text(page)).text.split("\n")
    assert longer in kept and not any(line.startswith("摘要") for line in kept)
    block = "\n".join(["标题", "划重点：", BODY + "。", "正文第一段讲的是别的事情，与摘要无关，篇幅也足够长。", longer])
    assert longer in dedup_document(Document.from_text(block)).text.split("\n")
    plain = "\n".join(["标题", BODY + "。", "正文第一段讲的是别的事情，与摘要无关，篇幅也足够长。", longer])
    kept = dedup_document(Document.from_text(plain)).text.split("\n")
    assert BODY + "。" in kept and longer not in kept  # not a summary: the first copy stays
    assert summary_lines([Line(1, "摘要"), Line(2, "x"), Line(3, "【导读】本文讲述…")]) == {2, 3}
    assert summary_lines([Line(1, "要点明确的工作部署。"), Line(2, "导语言简意赅。")]) == set()  # words, not labels


def test_orphan_headings_over_many_repeats_take_linear_time():
    """A page of short headings each over the same paragraph: every heading is orphaned, from the
    end up, and each one's section reaches to the page end. Judging them must not rescan it
    (it did: quadratic, ~12 s per MB)."""
    import time

    from textclean.dedup import dedup_document

    text = "\n".join(f"标题{i}\n这是一段重复的正文内容，在页面中出现了很多次。" for i in range(25_000))
    start = time.monotonic()
    doc = dedup_document(Document.from_text(text))
    assert time.monotonic() - start < 30  # a hang guard: linear is ~1 s here, quadratic minutes
    assert doc.text.split("\n") == ["标题0", "这是一段重复的正文内容，在页面中出现了很多次。"]
