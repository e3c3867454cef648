"""Bytes to text, or a reasoned refusal: never mojibake, never a crash.

Detection order (the first that applies wins):

1. empty input -> refused ``"empty"``; larger than ``max_bytes`` -> ``"oversize"``;
2. a forced ``encoding`` -> strict decode, else ``"undecodable"``;
3. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) -> that codec;
4. a binary signature (PNG, PDF, ZIP, GIF, JPEG, gzip, ...) or NUL/control-heavy
   bytes that are not UTF-16/32 -> ``"binary"``;
5. NUL bytes present -> UTF-16/32 without BOM, LE and BE, each checked for
   plausibility;
6. strict UTF-8 (a multi-byte character cut off at the very end is dropped and
   noted as ``utf-8 (truncated)``);
7. ``chardet`` on the first ``detect_bytes`` bytes, its answers mapped to
   supersets (GB2312/GBK -> GB18030, Big5 -> Big5-HKSCS / cp950) and followed by
   GB18030, Big5-HKSCS and cp950 as fallbacks; each candidate must decode the
   *whole* input strictly and look plausible; the most plausible wins;
8. nothing decodes the whole input -> line by line (a file that switches from
   UTF-8 to GBK part-way), each line with the first codec that decodes it
   plausibly; a line nothing decodes -> ``"undecodable"``.

*Plausible* means: of the non-space characters, at least ``min_plausibility``
(weighted) are ASCII, common Chinese characters (GB2312 hanzi or Big5 level-1),
CJK or general punctuation; rare CJK, Latin-1 letters, kana and Hangul count
partly; private-use, unassigned, control and U+FFFD characters count nothing.
A decoding never yields U+FFFD that the bytes did not encode.
"""

from __future__ import annotations

import codecs
import functools
import unicodedata
from dataclasses import dataclass

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

_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
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
_FALLBACKS = ("gb18030", "big5hkscs", "cp950")
_UTF16_32 = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_SAMPLE_CHARS = 32_768


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

    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return Decoded(None, reason="binary", detail=what)
    return _detect(data, config)


def _detect(data: bytes, config: DecodeConfig) -> Decoded:
    if not data:
        return Decoded("", encoding="utf-8", confidence=1.0)
    head = data[: config.detect_bytes]
    nuls = head.count(0)
    if nuls:
        best = _best(data, _UTF16_32, config)
        if best is not None:
            return best
    controls = sum(head.count(b) for b in _BINARY_CONTROL_BYTES)
    if (nuls + controls) > 0.1 * len(head):
        return Decoded(None, reason="binary", detail=f"{nuls + controls} of the first {len(head)} bytes are control bytes")

    try:
        return Decoded(data.decode("utf-8"), encoding="utf-8", confidence=1.0)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return Decoded(data[: exc.start].decode("utf-8"), encoding="utf-8", confidence=1.0, detail="truncated")

    candidates = [*_chardet_candidates(head), *_FALLBACKS]
    best = _best(data, candidates, config)
    if best is not None:
        return best
    return _by_line(data, candidates, config)


_BINARY_CONTROL_BYTES = tuple(b for b in range(32) if b not in (0, 9, 10, 12, 13, 27))


def _forced(data: bytes, encoding: str) -> Decoded:
    codec = codecs.lookup(encoding).name
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return Decoded(data.decode(codec), encoding=codec, confidence=1.0, detail="forced")
    except UnicodeDecodeError as exc:
        return Decoded(None, reason="undecodable", detail=f"not valid {codec} at byte {exc.start}: {exc.reason}")


def _strict(data: bytes, codec: str, config: DecodeConfig, *, confidence: float | None = None) -> Decoded | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data and codec.startswith("utf-8"):
        return None
    score = plausibility(text)
    if confidence is None and score < config.min_plausibility:
        return None
    return Decoded(text, encoding=codec, confidence=confidence if confidence is not None else round(score, 3))


def _best(data: bytes, candidates: list[str] | tuple[str, ...], config: DecodeConfig) -> Decoded | None:
    best: Decoded | None = None
    seen: set[str] = set()
    for codec in candidates:
        if codec in seen:
            continue
        seen.add(codec)
        result = _strict(data, codec, config)
        if result is not None and "\ufffd" in (result.text or ""):
            continue  # a replacement character the bytes did not encode in that codec
        if result is not None and (best is None or result.confidence > best.confidence):
            best = result
    return best


def _chardet_candidates(head: bytes) -> list[str]:
    import chardet  # imported here: detection is only needed for non-UTF-8 input

    names: list[str] = []
    for guess in chardet.detect_all(head):
        name = guess.get("encoding")
        if not name:
            continue
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        names.append(_SUPERSETS.get(name.lower(), _SUPERSETS.get(codec, codec)))
    return names


def _by_line(data: bytes, candidates: list[str], config: DecodeConfig) -> Decoded:
    order = ["utf-8", *dict.fromkeys(c for c in candidates if c not in _UTF16_32)]
    pieces: list[str] = []
    used: set[str] = set()
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            pieces.append(raw.decode("ascii", "ignore"))
            continue
        for codec in order:
            try:
                text = raw.decode(codec)
            except (UnicodeDecodeError, LookupError):
                if codec == "utf-8" and number == len(lines):
                    try:  # a UTF-8 character cut off at the very end of the file
                        text = _utf8_truncated(raw)
                    except UnicodeDecodeError:
                        continue
                else:
                    continue
            if codec == "utf-8" or plausibility(text) >= config.min_plausibility:
                pieces.append(text)
                used.add(codec)
                break
        else:
            return Decoded(
                None,
                reason="undecodable",
                detail=f"line {number} is not valid in any of: {', '.join(order)}",
            )
    if len(used) == 1:
        (codec,) = used
        return Decoded("\n".join(pieces), encoding=codec, confidence=round(plausibility("\n".join(pieces)), 3))
    text = "\n".join(pieces)
    return Decoded(
        text,
        encoding="mixed:" + "+".join(sorted(used)),
        confidence=round(plausibility(text), 3),
        detail="decoded line by line",
    )


def _utf8_truncated(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[: exc.start].decode("utf-8")
        raise


@functools.lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """GB2312's 6,763 hanzi and Big5's 5,401 level-1 characters (built once, lazily)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def plausibility(text: str, *, sample: int = _SAMPLE_CHARS) -> float:
    """The weighted share of plausible characters among the non-space ones.

    1.0 for text with nothing to judge. A Chinese page in the right codec scores
    above 0.95; the same bytes in the wrong codec usually below 0.6.

    >>> plausibility("市委书记在全市意识形态工作会上的讲话。") > 0.95
    True
    >>> plausibility("ÊÐÎ¯Êé¼ÇÔÚÈ«ÊÐ") < 0.5
    True
    """
    common = _common_han()
    total = 0
    good = 0.0
    for ch in text[:sample]:
        if ch.isspace():
            continue
        total += 1
        o = ord(ch)
        if o < 0x80:
            good += 1.0 if ch.isprintable() else 0.0
        elif ch in common:
            good += 1.0
        elif 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x2010 <= o <= 0x2027 or o in _PUNCT_EXTRA:
            good += 1.0
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            good += 0.3
        elif 0xE000 <= o <= 0xF8FF or o == 0xFFFD or 0xD800 <= o <= 0xDFFF or o < 0xA0:
            pass
        else:
            category = unicodedata.category(ch)
            if category in ("Cn", "Co", "Cs", "Cc"):
                pass
            elif 0x00C0 <= o <= 0x00FF or 0xAC00 <= o <= 0xD7AF:
                good += 0.25  # Latin-1 letters and Hangul: what a wrong codec for Chinese produces
            else:
                good += 0.5
    if total == 0:
        return 1.0
    return good / total


_PUNCT_EXTRA = frozenset(map(ord, "·×÷°±§¨¤¥£¢©®™€…‰′″※№℃→←↑↓■□▲△◆◇○●★☆─━│┃ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ①②③④⑤⑥⑦⑧⑨⑩"))
