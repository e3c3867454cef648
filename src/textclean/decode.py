"""Bytes to text, or a reasoned refusal: never mojibake, never a crash.

Detection order (the first that applies wins); README.md "Decoding" says the same:

1. empty input -> refused ``"empty"``; larger than ``max_bytes`` -> ``"oversize"``;
2. a forced ``encoding`` -> strict decode, else ``"undecodable"``;
3. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) -> that codec;
4. a binary signature (PNG, PDF, ZIP, GIF, JPEG, gzip, ...) -> ``"binary"``;
5. NUL or control bytes present -> UTF-16/32 without BOM, LE and BE, each checked
   for plausibility; failing that, NUL/control-heavy bytes -> ``"binary"``;
6. strict UTF-8 (a multi-byte character cut off at the very end is dropped and
   noted as ``truncated``); with only a few multi-byte characters the text must
   also look plausible;
7. ``chardet`` on the first ``detect_bytes`` bytes, its answers mapped to
   supersets (GB2312/GBK -> GB18030, Big5 -> Big5-HKSCS) and followed by fixed
   fallbacks; each candidate must decode the *whole* input strictly and look
   plausible; the most plausible wins (when exactly one multi-byte codec decodes
   the input convincingly, it wins whatever chardet would say: chardet is skipped);
8. nothing decodes the whole input -> line by line (a file that switches from
   UTF-8 to GBK part-way); a line nothing decodes plausibly -> ``"undecodable"``.

*Plausible*: see :func:`plausibility`. A decoding never yields U+FFFD that the
bytes did not encode.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable

from .config import DecodeConfig

__all__ = ["Decoded", "decode", "plausibility"]


@dataclass(frozen=True)
class Decoded:
    """The outcome of :func:`decode`: text with its codec, or a refusal reason."""

    text: str | None
    encoding: str | None = None
    confidence: float = 0.0
    reason: str | None = None
    detail: str | None = None
    replaced_bytes: int = 0  # invalid bytes dropped from otherwise valid UTF-8

    @property
    def ok(self) -> bool:
        return self.reason is None


_BOMS = (  # UTF-32 first: its LE mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_BINARY_SIGNATURES: tuple[tuple[Any, ...], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document", lambda d: d[5:6].isdigit() and d[6:7] == b"."),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data", lambda d: d[3:4].isdigit() and d[3:4] != b"0" and d[4:10] == b"1AY&SY"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"RIFF", "RIFF media", lambda d: d[8:12] in (b"WAVE", b"AVI ", b"WEBP", b"RMID", b"ACON", b"CDXA")),
    (b"OggS", "Ogg media", lambda d: d[4:5] == b"\x00" and len(d) >= 27),
    (b"ID3", "MP3 audio", lambda d: d[3:4] in (b"\x02", b"\x03", b"\x04") and d[4:5] == b"\x00"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# chardet names -> the codec we decode with (a superset where one exists).
_SUPERSETS = {
    "ascii": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "cp950",
    "euc-tw": "big5hkscs",
    "utf-16": "utf-16-le",
}
_FALLBACKS = ("gb18030", "big5hkscs", "cp950", "euc_kr", "cp932", "cp1252")
_UTF16_32 = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
# Codecs a candidate may use. Single-byte code pages decode *any* bytes, so only the
# common web ones are allowed: EBCDIC, DOS and Mac code pages turn GBK into
# letter soup that can look plausible.
_ALLOWED = frozenset(
    {
        "utf-8", *_UTF16_32, "gb18030", "big5hkscs", "cp950", "cp932", "shift_jis", "euc_jp",
        "euc_kr", "cp949", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
        "cp1257", "cp1258", "iso8859-1", "iso8859-2", "iso8859-5", "iso8859-7", "iso8859-9",
        "iso8859-15", "koi8-r",
    }
)
_SINGLE_BYTE = frozenset(c for c in _ALLOWED if c.startswith(("cp12", "iso8859", "koi8")))
_SAMPLE_CHARS = 8_192
_CONVINCING = 0.95


def decode(data: bytes, config: DecodeConfig | None = None) -> Decoded:
    """Decode ``data`` following the detection order in the module docstring.

    >>> decode("你好，世界。".encode("gbk")).encoding
    'gb18030'
    >>> decode(b"").reason
    'empty'
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(64)).reason
    'binary'
    """
    config = config or DecodeConfig()
    if not data:
        return Decoded(None, reason="empty", detail="the file has no bytes")
    if len(data) > config.max_bytes:
        return Decoded(
            None,
            reason="oversize",
            detail=f"{len(data)} bytes is more than max_bytes={config.max_bytes}; raise --max-bytes to read it",
        )
    if config.encoding is not None:
        return _forced(data, config.encoding)

    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            result = _strict(body, codec, config, confidence=1.0)
            if result is not None:
                return result
            if codec == "utf-8":  # a BOM, then bytes that are not all UTF-8
                return _detect(body, config)
            return Decoded(None, reason="undecodable", detail=f"{codec} byte-order mark, but the bytes are not {codec}")

    for signature, what, *check in _BINARY_SIGNATURES:
        # a signature made of letters ("RIFF", "ID3", "BZh") also starts text: the header must follow
        if data.startswith(signature) and (not check or check[0](data)):
            return Decoded(None, reason="binary", detail=what)
    return _detect(data, config)


def _detect(data: bytes, config: DecodeConfig) -> Decoded:
    if not data:
        return Decoded("", encoding="utf-8", confidence=1.0)
    head = data[: config.detect_bytes]
    nuls = head.count(0)
    controls = len(head) - len(head.translate(None, _CONTROL_DELETE))  # one pass, not one per byte value
    if nuls or (controls and len(data) % 2 == 0):
        # UTF-16/32 without a BOM: ASCII gives NULs, CJK gives low bytes that look like controls.
        best = _best(data, _UTF16_32, config)
        if best is not None:
            return best
    if (nuls + controls) > 0.1 * len(head):
        return Decoded(None, reason="binary", detail=f"{nuls + controls} of the first {len(head)} bytes are control bytes")

    utf8: Decoded | None = None
    try:
        utf8 = Decoded(data.decode("utf-8"), encoding="utf-8", confidence=1.0)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            utf8 = Decoded(data[: exc.start].decode("utf-8"), encoding="utf-8", confidence=1.0, detail="truncated")
    if utf8 is not None and _certain_utf8(utf8.text or "", config):
        return utf8
    if utf8 is None:
        lossy = _mostly_utf8(data, config)
        if lossy is not None:
            return lossy

    # Earlier candidates win ties: multi-byte answers, our CJK fallbacks, then
    # cp1252 before chardet's other single-byte guesses.
    tried: dict[str, Decoded | None] = {}
    if utf8 is None:
        only = _only_multibyte(data, config, tried)
        if only is not None:
            return only
    guesses = _chardet_candidates(head)
    candidates = [
        *(["utf-8"] if utf8 is not None else []),
        *(c for c in guesses if c not in _SINGLE_BYTE),
        *_FALLBACKS,
        *(c for c in guesses if c in _SINGLE_BYTE),
    ]
    best = _best(data, candidates, config, tried)
    if best is not None:
        return best
    return _by_line(data, candidates, config)


# The codecs chardet's guesses can put before the fallbacks (multi-byte ones), and those of
# the fallbacks that come before the first single-byte one.
_MULTIBYTE = tuple(sorted(_ALLOWED - _SINGLE_BYTE))
_FIRST_FALLBACKS = tuple(itertools.takewhile(lambda codec: codec not in _SINGLE_BYTE, _FALLBACKS))


def _only_multibyte(data: bytes, config: DecodeConfig, tried: dict[str, Decoded | None]) -> Decoded | None:
    """What :func:`_best` picks for bytes that are not UTF-8, whatever chardet guesses,
    when only one multi-byte codec decodes them convincingly (most GBK and Big5 pages):
    every multi-byte codec chardet could name is tried (``tried`` keeps the results for
    :func:`_best`), and if exactly one, a fallback, decodes at ``_CONVINCING`` or more,
    the candidates come to it before any single-byte codec in any order chardet gives,
    and it wins. chardet (~8 ms for 16 KB) is then not run. Else None."""
    found = None
    for codec in _MULTIBYTE:
        result = tried[codec] = _strict(data, codec, config)
        if result is not None:
            if found is not None:
                return None
            found = result
    if found is not None and found.encoding in _FIRST_FALLBACKS and found.confidence >= _CONVINCING:
        return found
    return None


_STRAY_SHARE = 0.002  # at most this share of a UTF-8 page's bytes may be invalid (and 1 byte always)


def _mostly_utf8(data: bytes, config: DecodeConfig) -> Decoded | None:
    """UTF-8 with a few invalid bytes (a flipped bit, a cut-off character in a
    scrape): the loss should be those bytes, not the page. Accepted when at most
    ``_STRAY_SHARE`` of the bytes are invalid and the rest is certainly UTF-8;
    the invalid bytes are dropped and counted (``replaced_bytes``). Text in
    another codec fails UTF-8 on most of its non-ASCII bytes, far above the share.

    Counted as the bytes the ``ignore`` handler drops — each one a character in
    U+DC80–U+DCFF of the ``surrogateescape`` decoding (the reference, tested equal) —
    and that decoding is the text with them dropped: two C passes instead of a list
    of every stray of a GBK page (1.1 of its 1.8 ms)."""
    clean = data.decode("utf-8", "ignore")
    stray = len(data) - len(clean.encode("utf-8"))
    if stray == 0 or stray > max(1, _STRAY_SHARE * len(data)):
        return None
    if not _certain_utf8(clean, config):
        return None
    return Decoded(clean, encoding="utf-8", confidence=1.0, replaced_bytes=stray,
                   detail=f"{stray} invalid byte{'s' if stray > 1 else ''} dropped")


_BINARY_CONTROL_BYTES = tuple(b for b in range(32) if b not in (0, 9, 10, 12, 13, 27))
_CONTROL_DELETE = bytes(_BINARY_CONTROL_BYTES)


def _certain_utf8(text: str, config: DecodeConfig) -> bool:
    """Valid UTF-8 with several multi-byte characters is UTF-8: other encodings
    almost never form valid sequences by chance. A few bytes can (GBK "通知" is
    valid UTF-8), so short inputs must also look plausible."""
    multibyte = 0
    for ch in text[:4096]:
        if ord(ch) >= 0x80:
            multibyte += 1
            if multibyte >= 8:
                return True
    score, judged = _score(text)
    return multibyte == 0 or score >= _bar(config.min_plausibility, judged)


def _forced(data: bytes, encoding: str) -> Decoded:
    codec = codecs.lookup(encoding).name
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return Decoded(data.decode(codec), encoding=codec, confidence=1.0, detail="forced")
    except UnicodeDecodeError as exc:
        return Decoded(None, reason="undecodable", detail=f"not valid {codec} at byte {exc.start}: {exc.reason}")


def _strict(data: bytes, codec: str, config: DecodeConfig, *, confidence: float | None = None) -> Decoded | None:
    """``data`` decoded strictly with ``codec`` if that looks plausible (or is certain)."""
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if confidence is not None:
        return Decoded(text, encoding=codec, confidence=confidence)
    if "\ufffd" in text:
        return None  # a replacement character the bytes did not encode in a Unicode codec
    score, judged = _score(text)
    if codec in _SINGLE_BYTE:
        score *= 0.9  # a Chinese-first prior: single-byte code pages decode any bytes at all
    if score < _bar(config.min_plausibility, judged):
        return None
    return Decoded(text, encoding=codec, confidence=round(score, 3))


def _bar(min_plausibility: float, judged: int) -> float:
    # The same bar for any length: a lower one for short inputs let 10-20 bytes of
    # garbage through as UTF-16 or GB18030 at 0.24-0.5. Short real text in a CJK
    # codec is made of common characters and clears it.
    return min_plausibility


def _best(data: bytes, candidates: Iterable[str], config: DecodeConfig,
          tried: dict[str, Decoded | None] | None = None) -> Decoded | None:
    """The most plausible strict decoding among ``candidates`` (earlier wins ties);
    ``tried``: decodings made already, by codec."""
    best: Decoded | None = None
    for codec in dict.fromkeys(candidates):
        result = tried[codec] if tried is not None and codec in tried else _strict(data, codec, config)
        if result is not None and (best is None or result.confidence > best.confidence):
            best = result
            if result.confidence >= _CONVINCING and codec not in _SINGLE_BYTE:
                break  # no other codec can do meaningfully better; skip decoding the file again
    return best


def _chardet_candidates(head: bytes) -> list[str]:
    import chardet  # imported here: detection is only needed for non-UTF-8 input

    names: list[str] = []
    for guess in chardet.detect_all(head):
        name = (guess.get("encoding") or "").lower()
        if not name:
            continue
        try:
            codec = codecs.lookup(_SUPERSETS.get(name, name)).name
        except LookupError:
            continue
        codec = _SUPERSETS.get(codec, codec)
        if codec in _ALLOWED:
            names.append(codec)
    return names


def _by_line(data: bytes, candidates: list[str], config: DecodeConfig) -> Decoded:
    order = [c for c in dict.fromkeys(candidates) if c not in _UTF16_32 and c != "utf-8"]
    pieces: list[str] = []
    used: set[str] = set()
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            pieces.append(raw.decode("ascii", "ignore"))
            continue
        try:
            text = raw.decode("utf-8") if number < len(lines) else _utf8_truncated(raw)
            codec = "utf-8"
        except UnicodeDecodeError:
            best = _best(raw, order, config)
            if best is None:
                return Decoded(
                    None,
                    reason="undecodable",
                    detail=f"line {number} is not plausible text in any of: utf-8, {', '.join(order)}",
                )
            text, codec = best.text or "", best.encoding or ""
        pieces.append(text)
        used.add(codec)
    text = "\n".join(pieces)
    score = round(_score(text)[0], 3)
    if len(used) == 1:
        return Decoded(text, encoding=used.pop(), confidence=score)
    return Decoded(text, encoding="mixed:" + "+".join(sorted(used)), confidence=score, detail="decoded line by line")


def _utf8_truncated(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[: exc.start].decode("utf-8")
        raise


@functools.lru_cache(maxsize=1)
def _han_weights() -> dict[str, float]:
    """How much a Chinese character vouches for a decoding (built once, lazily).

    1.0: the 1,500 most frequent characters and their traditional forms
    (``data/common_han.txt``); 0.4: other GB2312 hanzi and Big5 level-1 characters;
    0.3: the rest of GBK. Other CJK characters count 0.1
    (see :func:`plausibility`). Bytes in the wrong codec spread evenly over thousands of
    rarely used characters, so they score low.
    """
    gb2312: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                gb2312.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    weights: dict[str, float] = {}
    for lead in range(0x81, 0xFF):  # GBK beyond GB2312: rarer simplified and many traditional forms
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFF)):
            try:
                weights[bytes((lead, trail)).decode("gbk")] = 0.3
            except UnicodeDecodeError:
                pass
    weights.update(dict.fromkeys(gb2312, 0.4))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                ch = bytes((lead, trail)).decode("big5")
            except UnicodeDecodeError:
                continue
            if ch not in gb2312:
                weights[ch] = 0.4
    listing = resources.files("textclean").joinpath("data/common_han.txt").read_text(encoding="utf-8")
    for line in listing.splitlines():
        if not line.startswith("#"):
            weights.update(dict.fromkeys(line.strip(), 1.0))
    return weights


def plausibility(text: str, *, sample: int = _SAMPLE_CHARS) -> float:
    """The weighted share of plausible characters among the non-space ones (0..1).

    1.0 for text with nothing to judge. A Chinese page in the right codec scores
    above 0.9; the same bytes in a wrong codec usually below 0.6.

    >>> plausibility("市委书记在全市意识形态工作会上的讲话。") > 0.9
    True
    >>> plausibility("ÊÐÎ¯Êé¼ÇÔÚÈ«ÊÐ") < 0.5
    True
    """
    return _score(text, sample=sample)[0]


def _script(ch: str) -> str | None:
    o = ord(ch)
    if ("a" <= ch <= "z") or ("A" <= ch <= "Z") or 0xC0 <= o <= 0x24F:
        return "latin"
    if 0x370 <= o <= 0x3FF:
        return "greek"
    if 0x400 <= o <= 0x4FF:
        return "cyrillic"
    if 0x590 <= o <= 0x6FF:
        return "hebrew-arabic"
    return None


def _weight(ch: str, weights: dict[str, float]) -> float:
    o = ord(ch)
    if o < 0x80:
        return 1.0 if ch.isprintable() else 0.0
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
        return weights.get(ch, 0.1)
    if 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x2010 <= o <= 0x2027 or o in _PUNCT_EXTRA:
        return 1.0
    if 0xE000 <= o <= 0xF8FF or o == 0xFFFD or 0xD800 <= o <= 0xDFFF or o < 0xA0:
        return 0.0
    if 0xAC00 <= o <= 0xD7A3 or 0x3040 <= o <= 0x30FF:
        return 0.8  # Hangul, kana: real Korean/Japanese must beat their bytes read as GB18030
    if o <= 0x24F:
        return 0.35  # Latin-1/Extended letters and signs: a few in European text, a flood in mojibake
    if unicodedata.category(ch) in ("Cn", "Co", "Cs", "Cc", "Cf", "Mn", "Me"):
        return 0.0  # unassigned, private, control, format; combining marks (rare in Chinese, common in mojibake)
    return 0.5  # Cyrillic, Greek, symbols: possible, but also what wrong codecs produce


@functools.lru_cache(maxsize=1 << 14)
def _judged(ch: str) -> tuple[float, str | None] | None:
    """A character as :func:`_score` judges it: its weight and script (None: not a
    letter of one), or None for white space. Remembered: the pages of a run share
    most of their characters (a GBK page's ~1,500 distinct ones took ~0.4 ms to judge)."""
    if ch.isspace():
        return None
    return _weight(ch, _han_weights()), (_script(ch) if ch.isalpha() else None)


def _score(text: str, *, sample: int = _SAMPLE_CHARS) -> tuple[float, int]:
    """(weighted share of plausible characters, number of characters judged)."""
    chunk = text[:sample]
    total = 0
    good = 0.0
    scripts: set[str] = set()
    for ch, n in Counter(chunk).items():  # counting first: a page has few distinct characters
        judged = _judged(ch)
        if judged is None:
            continue
        weight, script = judged
        total += n
        good += n * weight
        if script is not None:
            scripts.add(script)
    if len(scripts) > 1:  # "Cafй", "×ÖÌå": letters of two scripts inside one word is mojibake
        previous: str | None = None
        for ch in chunk:
            judged = _judged(ch)
            script = judged[1] if judged is not None else None
            if script is not None and previous is not None and script != previous:
                good -= judged[0]  # type: ignore[index]
            previous = script
    if total == 0:
        return 1.0, 0
    return max(good, 0.0) / total, total


_PUNCT_EXTRA = frozenset(map(ord, "·×÷°±§¨¤¥£¢©®™€…‰′″※№℃→←↑↓■□▲△◆◇○●★☆─━│┃ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ①②③④⑤⑥⑦⑧⑨⑩"))
