"""Decoding: a generated encoding matrix, every damaged-input case, and properties."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textclean import DecodeConfig, clean_bytes
from textclean.decode import decode
from textclean.decode import plausibility

SIMPLIFIED = [
    "市委书记在全市意识形态工作会上的讲话。",
    "同志们：开展意识形态工作会，是一次尝试，也是一个创新，充分体现了市委对这项工作的高度重视。",
    "朱镕基、王堃、喆和赟都是GB2312之外的字，必须按GB18030解码。",
    "2023年，我们共监测到留言1,024条（占比为35%）。“两个维护”必须坚持！",
]
TRADITIONAL = [
    "市委書記在全市意識形態工作會上的講話。",
    "同志們：開展意識形態工作會，是一次嘗試，也是一個創新，充分體現了市委對這項工作的高度重視。",
    "香港特別行政區政府今日公佈了新的政策措施，市民反應熱烈，立法會將於下週討論。",
]
ENCODINGS = [
    "utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "big5hkscs", "cp950",
    "utf-16", "utf-16-le", "utf-16-be", "utf-32",
]


def _matrix():
    for script, paragraphs in (("simplified", SIMPLIFIED), ("traditional", TRADITIONAL)):
        for encoding in ENCODINGS:
            for size in ("short", "long"):
                for eol in ("\n", "\r\n"):
                    text = eol.join(paragraphs[:1] if size == "short" else paragraphs * 10)
                    try:
                        data = text.encode(encoding)
                    except UnicodeEncodeError:
                        continue  # e.g. simplified-only characters in Big5
                    yield pytest.param(data, text, id=f"{script}-{encoding}-{size}-{'crlf' if eol != chr(10) else 'lf'}")


MATRIX = list(_matrix())


def test_matrix_is_broad():
    assert len(MATRIX) >= 70


@pytest.mark.parametrize("data, text", MATRIX)
def test_encoding_matrix_decodes_exactly(data: bytes, text: str):
    result = decode(data)
    assert result.ok, result.detail
    assert result.text == text


@pytest.mark.parametrize(
    "text, encoding, expected_codec",
    [
        ("朱镕基同志的讲话稿，请大家认真学习。", "gbk", "gb18030"),  # GB2312 label on GBK bytes: 镕 is not GB2312
        ("市委书记在全市意识形态工作会上的讲话。", "gb2312", "gb18030"),
        ("香港特別行政區政府今日公佈新措施。", "big5", "big5hkscs"),
        ("市委书记在全市意识形态工作会上的讲话。", "utf-16-le", "utf-16-le"),
        ("市委书记在全市意识形态工作会上的讲话。", "utf-16-be", "utf-16-be"),
        ("Ordinary ASCII text, nothing more.", "ascii", "utf-8"),
        ("Le café est très bon, déjà vu à la française.", "cp1252", "cp1252"),
    ],
)
def test_detected_codec(text: str, encoding: str, expected_codec: str):
    result = decode(text.encode(encoding))
    assert (result.text, result.encoding) == (text, expected_codec)


SHORT = [
    (text, encoding)
    for text in ["你好", "通知", "臺灣", "第一章", "2023年工作总结", "關於會議的說明", "标题：通知"]
    for encoding in ("gbk", "big5", "utf-8")
    if all(ch.encode(encoding, "ignore") for ch in text)
]


@pytest.mark.parametrize("text, encoding", SHORT)
def test_short_files(text: str, encoding: str):
    assert decode(text.encode(encoding)).text == text


def test_boms():
    text = "标题\n正文。"
    for codec, bom in (("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        result = decode(bom + text.encode(codec))
        assert (result.text, result.encoding, result.confidence) == (text, codec, 1.0)
    assert decode(codecs.BOM_UTF8).text == ""


# -------------------------------------------------------------- damaged input, one test each

def test_empty_file_is_skipped():
    assert decode(b"").reason == "empty"
    assert clean_bytes(b"").skipped == "empty"


@pytest.mark.parametrize(
    "data, what",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(50), "ZIP archive"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (bytes(4096), None),
        (bytes(range(256)) * 16, None),
    ],
)
def test_binary_is_skipped(data: bytes, what: str | None):
    result = decode(data)
    assert result.reason == "binary"
    if what:
        assert result.detail == what


def test_utf8_cut_in_the_last_character():
    data = "标题\n正文最后一个字".encode()[:-1]
    result = decode(data)
    assert result.ok and result.text == "标题\n正文最后一个" and result.detail == "truncated"
    assert clean_bytes(data).text == "标题\n正文最后一个"


def test_utf8_broken_in_the_middle_is_not_truncation():
    data = "标题".encode() + b"\xe6\x96" + "正文。".encode()
    result = decode(data)
    assert result.reason == "undecodable" or "\ufffd" not in (result.text or "")


def test_switch_from_utf8_to_gbk_is_decoded_line_by_line():
    head = "第一部分是UTF-8编码的内容。\n" * 3
    tail = "第二部分是GBK编码的内容，包括镕字。\n" * 3
    result = decode(head.encode() + tail.encode("gbk"))
    assert result.text == head + tail
    assert result.encoding == "mixed:gb18030+utf-8"
    assert result.detail == "decoded line by line"


def test_switch_from_utf8_to_big5():
    head = "第一部分是UTF-8编码的内容。\n" * 2
    tail = "第二部分是繁體中文的內容。\n" * 2
    assert decode(head.encode() + tail.encode("big5")).text == head + tail


def test_undecodable_lines_are_refused_not_garbled():
    data = "正常的一行内容。\n".encode() + bytes([0x81, 0x20, 0xFF, 0xFE, 0x81, 0x7F]) * 20 + b"\n"
    result = decode(data)
    assert result.reason in ("undecodable", "binary")
    assert result.text is None


def test_a_line_of_one_repeated_character_is_removed():
    data = ("正文第一段。\n" + "啊" * 50_000 + "\n正文第二段。\n").encode()
    doc = clean_bytes(data)
    assert doc.text == "正文第一段。\n正文第二段。"
    assert doc.trace[0].rule == "junk.repeated-char"


def test_nothing_left_is_no_content():
    doc = clean_bytes("欢迎来到某某文库网!\n推荐访问:\n".encode())
    assert doc.skipped == "no content"


def test_oversize_is_skipped_by_a_configurable_limit():
    data = ("很长的内容。" * 1000).encode()
    assert decode(data, DecodeConfig(max_bytes=1000)).reason == "oversize"
    assert "--max-bytes" in (decode(data, DecodeConfig(max_bytes=1000)).detail or "")
    assert decode(data, DecodeConfig(max_bytes=len(data))).ok


def test_one_huge_line_is_processed_in_bounded_time():
    unit = "这是一行没有换行的很长的内容，意识形态工作是党的一项极端重要的工作。"
    doc = clean_bytes((unit * 60_000).encode())  # 6 MB on one line
    assert doc.text == unit


def test_forced_encoding():
    data = "标题".encode("gbk")
    assert decode(data, DecodeConfig(encoding="gbk")).text == "标题"
    result = decode(b"\xff\xff", DecodeConfig(encoding="utf-8"))
    assert result.reason == "undecodable" and "utf-8" in (result.detail or "")


def test_plausibility_separates_right_and_wrong_codecs():
    text = "".join(SIMPLIFIED)
    right = plausibility(text.encode("gbk").decode("gbk"))
    wrong = plausibility(text.encode("gbk").decode("cp1252", "ignore"))
    assert right > 0.9 > 0.6 > wrong


# -------------------------------------------------------------- properties

@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=600))
def test_decoding_arbitrary_bytes_never_raises_nor_invents_fffd(data: bytes):
    result = decode(data)
    assert result.ok == (result.text is not None)
    if result.text is not None and "\ufffd" in result.text:
        assert any(
            "\ufffd".encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be", "gb18030")
        ), (data, result)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_clean_bytes_never_raises(data: bytes):
    doc = clean_bytes(data)
    assert doc.skipped or doc.text


_CODECS = ["gbk", "gb18030", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949",
           "cp1252", "cp1251", "koi8_r", "utf-16-le"]
_TEXTS = [*SIMPLIFIED, *TRADITIONAL, "日本語のテキストです。東京都。", "한국어 텍스트입니다. 서울.", "Café déjà vu, naïve façade.",
          "Привет, мир! Это текст.", "abc 123", "短"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.sampled_from(_TEXTS), min_size=1, max_size=4), codec=st.sampled_from(_CODECS),
       noise=st.binary(max_size=6), at=st.integers(0, 200))
def test_skipping_chardet_gives_chardets_answer(texts: list[str], codec: str, noise: bytes, at: int) -> None:
    """When only one multi-byte codec decodes a non-UTF-8 page convincingly, chardet is
    not asked; the answer is the one the full candidate list gives (GBK, Big5, Japanese,
    Korean, single-byte pages, stray bytes)."""
    import textclean.decode as decoding

    data = "\n".join(texts).encode(codec, "ignore")
    data = data[:at] + noise + data[at:]
    fast = decoding.decode(data)
    saved = decoding._only_multibyte
    decoding._only_multibyte = lambda *args: None  # type: ignore[assignment]
    try:
        full = decoding.decode(data)
    finally:
        decoding._only_multibyte = saved
    assert (fast.text, fast.encoding, fast.confidence, fast.reason, fast.detail) == \
        (full.text, full.encoding, full.confidence, full.reason, full.detail)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
                          st.binary(max_size=3),  # and sequences UTF-8 refuses: surrogates, overlong, past U+10FFFF
                          st.sampled_from([b"\xed\xa0\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf4\x90\x80\x80"])),
                max_size=30))
def test_stray_bytes_are_counted_and_dropped_as_the_surrogate_escapes_say(parts: list[bytes]) -> None:
    """A UTF-8 page with a few invalid bytes: counted and dropped from one ``ignore``
    decoding, as the ``surrogateescape`` decoding has them (one U+DC80–U+DCFF character
    each; the reference)."""
    import re

    data = b"".join(parts)
    escaped = data.decode("utf-8", "surrogateescape")
    strays = re.compile("[\udc80-\udcff]")
    clean = data.decode("utf-8", "ignore")
    assert len(data) - len(clean.encode("utf-8")) == len(strays.findall(escaped))
    assert clean == strays.sub("", escaped)


def _score_reference(text: str, sample: int = 8_192) -> tuple[float, int]:
    """decode._score as it was written before its characters' judgements were remembered."""
    from collections import Counter

    from textclean.decode import _han_weights, _script, _weight

    weights, chunk, total, good, scripts = _han_weights(), text[:sample], 0, 0.0, set()
    for ch, n in Counter(chunk).items():
        if ch.isspace():
            continue
        total += n
        good += n * _weight(ch, weights)
        script = _script(ch) if ch.isalpha() else None
        if script is not None:
            scripts.add(script)
    if len(scripts) > 1:
        previous = None
        for ch in chunk:
            script = _script(ch) if ch.isalpha() else None
            if script is not None and previous is not None and script != previous:
                good -= _weight(ch, weights)
            previous = script
    return (1.0, 0) if total == 0 else (max(good, 0.0) / total, total)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=0x4FF), st.sampled_from("的一是了我不人在他有这个上们来到时大"),
                                  st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF), st.sampled_from(" \n\u3000")),
               max_size=200))
def test_the_plausibility_score_is_the_character_by_character_one(text: str) -> None:
    """The score (floats summed in the same order) and the count are exactly the reference's."""
    from textclean.decode import _score

    assert _score(text) == _score_reference(text)
    assert _score(text, sample=7) == _score_reference(text, sample=7)
