from __future__ import annotations

import pytest

from textclean import Document
from textclean.normalize import fold, normalize
from textclean.normalize import normalize_line, split_long_line


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  正文。  ", "正文。"),
        ("\u3000\u3000正文，“引号”《书名》。", "正文，“引号”《书名》。"),
        ("\u00a0正文\u00a0", "正文"),
        ("他说：&ldquo;好&rdquo;&nbsp;", "他说：“好”"),
        ("A&amp;nbsp;B", "A\u00a0B"),
        ("零\u200b宽\u200d字\ufeff符", "零宽字符"),
        ("控制\x00字\x07符\x9f", "控制字符"),
        ("制表\t符", "制表 符"),
        ("全角ＡＢＣ１２３，。", "全角ＡＢＣ１２３，。"),
        ("ASCII, punctuation: kept.", "ASCII, punctuation: kept."),
        ("&#10;换行实体", "换行实体"),
        ("&notanentity; &amp", "&notanentity; &amp"),
    ],
)
def test_normalize_line(raw: str, expected: str):
    assert normalize_line(raw) == expected


def test_normalize_numbers_lines_and_drops_blank_ones():
    doc = normalize(Document.from_text("标题\r\n\r\n  正文。\r第三行\u2028第四行"))
    assert doc.text == "标题\n正文。\n第三行\n第四行"
    assert doc.origin == (1, 3, 4, 5)


def test_split_long_line_cuts_after_sentences():
    line = "这是一句话。" * 10
    pieces = split_long_line(line, 20)
    assert "".join(pieces) == line
    assert all(len(p) <= 20 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert split_long_line("无标点" * 10, 7) == ["无标点无标点无", "标点无标点无标", "点无标点无标点", "无标点无标点无", "标点"]


@pytest.mark.parametrize(
    "a, b",
    [
        ("２０２３年，ＡＢＣ。", "2023年,abc."),
        ("加强 组织 领导！", "加强组织领导"),
    ],
)
def test_fold_equates_variants(a: str, b: str):
    assert fold(a) == fold(b)


def test_fold_keeps_distinct_text_distinct():
    assert fold("情况篇一") != fold("情况篇二")
    assert fold("第1条") != fold("第9条")  # numbers are facts: they stay in the key


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from textclean.normalize import fold_many  # noqa: E402

_TEXTS = st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30), max_size=8)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_fold_many_equals_fold_one_by_one(texts):
    assert fold_many(texts) == [fold(text) for text in texts]


@pytest.mark.parametrize("texts", [
    ["２０２３年，ＡＢＣ（试点）。", "他说：“好。”"],
    ["𝟘𝟙😀𠀀x", "\ud800x", "a\u0301", ""],
    ["有\n换行"],  # a line feed inside a text: folded one by one
])
def test_fold_many_cases(texts):
    assert fold_many(texts) == [fold(text) for text in texts]


from textclean.normalize import has_traditional, simplified_view  # noqa: E402


@pytest.mark.parametrize("text, view", [
    ("延伸閱讀", "延伸阅读"),
    ("【責任編輯：王大同】", "【责任编辑：王大同】"),
    ("發佈時間：2023-11-20", "发布时间：2023-11-20"),
    ("简体字不变，ASCII too.", "简体字不变，ASCII too."),
    ("𠀀😀後", "𠀀😀后"),
])
def test_simplified_view(text: str, view: str):
    assert simplified_view(text) == view
    assert has_traditional(text) == (text != view)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF) | st.characters(), max_size=40))
def test_simplified_view_keeps_every_position(text: str):
    view = simplified_view(text)
    assert len(view) == len(text)  # span rules cut the original line where they matched the view
    assert simplified_view(view) == view
    assert has_traditional(text) == (view != text)


def test_one_scan_finds_every_character_the_line_break_and_invisible_scans_find():
    """normalize() looks for both with one pattern first (most pages have neither)."""
    from textclean.normalize import _BREAK_OR_INVISIBLE, _INVISIBLE, _LINE_BREAKS

    found = {c for c in map(chr, range(0x10000)) if _INVISIBLE.search(c) or _LINE_BREAKS.search(c)}
    assert found == {c for c in map(chr, range(0x10000)) if _BREAK_OR_INVISIBLE.search(c)}
