"""Chinese-safe normalisation of the output, and the folding used only in dedup keys.

The output keeps every character of the content as it was: ``，。“”《》`` and
ASCII ``,.:`` alike. What changes (:func:`normalize_line`): line ends become LF,
HTML entities are decoded, zero-width and control characters go, tabs become
spaces, and each line is stripped of surrounding white space (ASCII, U+3000,
NBSP). Blank lines go: one paragraph per line.

:func:`fold` is different: it builds a *key* for comparing paragraphs (NFKC,
width, case, punctuation and white space removed; digits kept) and its result
is never written out.
"""

from __future__ import annotations

import functools
import html
import html.entities
import re
import unicodedata
from importlib import resources
from typing import Any, Callable, Iterable

import numpy as np
import regex

from .config import NormalizeConfig
from .document import Document
from .native import core

__all__ = [
    "normalize_line", "normalize", "split_lines", "split_long_line", "fold", "fold_many", "SimplifiedKeys",
    "simplified_view", "has_traditional", "fold_tables",
]

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Zero-width and invisible format characters, soft hyphen, BOM, C0/C1 controls (not \t, \n).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# a line break other than LF, or an invisible character: one scan finds that a page has neither (most)
_BREAK_OR_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f"
                                 "\r\u2028\u2029\x85]")
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")


def _unescape(match: re.Match[str]) -> str:
    entity = match.group(0)
    if entity[1] == "#":
        value = html.unescape(entity)
    else:  # only complete, known names: html.unescape would turn "&notanentity;" into "¬anentity;"
        value = html.entities.html5.get(entity[1:], entity)
    # An entity may encode a line break or a control character: keep the line whole.
    return " " if value in ("\n", "\r", "\t") else value


def normalize_line(line: str, *, html_entities: bool = True) -> str:
    """Normalise one line for output; punctuation and inner spaces are kept.

    >>> normalize_line("\\u3000\\u3000他说：&ldquo;好&rdquo;。\\u200b ")
    '他说：“好”。'
    """
    if html_entities and "&" in line:
        for _ in range(2):  # "&amp;nbsp;" is common in scraped text
            unescaped = _ENTITY.sub(_unescape, line)
            if unescaped == line:
                break
            line = unescaped
    if "\t" in line:
        line = line.replace("\t", " ")
    line = _INVISIBLE.sub("", line)
    return line.strip()


def split_long_line(line: str, limit: int) -> list[str]:
    """Cut a line longer than ``limit`` after sentence ends (or hard, if none)."""
    if len(line) <= limit:
        return [line]
    pieces: list[str] = []
    start = 0
    while len(line) - start > limit:
        window = line[start : start + limit]
        cut = 0
        for match in _SENTENCE_END.finditer(window):
            cut = match.end()
        if cut == 0:
            cut = limit
        pieces.append(line[start : start + cut])
        start += cut
    pieces.append(line[start:])
    return [piece for piece in pieces if piece]


def split_lines(text: str) -> list[str]:
    """The input's lines, as numbered in reports: CRLF, CR, U+2028/2029, VT, FF and NEL all end a line."""
    return _LINE_BREAKS.sub("\n", text).split("\n")


def normalize(doc: Document, config: NormalizeConfig | None = None) -> Document:
    """Normalise a decoded document: one stripped paragraph per line, lines numbered.

    >>> normalize(Document.from_text("  标题\\r\\n\\r\\n\\u3000\\u3000正文。")).lines()
    [Line(number=1, text='标题'), Line(number=3, text='正文。')]
    """
    if doc.skipped:
        return doc
    config = config or NormalizeConfig()
    whole = doc.text
    invisible = False
    if _BREAK_OR_INVISIBLE.search(whole) is not None:
        whole = _LINE_BREAKS.sub("\n", whole)
        invisible = _INVISIBLE.search(whole) is not None
    raw_lines = whole.split("\n")  # split_lines(doc.text)
    numbers = doc.origin if doc.origin is not None and len(doc.origin) == len(raw_lines) else None
    # Most pages have no entity, tab or invisible character: their lines are only stripped.
    plain = not (config.html_entities and "&" in whole) and "\t" not in whole and not invisible
    texts: list[str] = []
    origin: list[int] = []
    limit = config.max_line_chars
    for index, raw in enumerate(raw_lines):
        text = raw.strip() if plain else normalize_line(raw, html_entities=config.html_entities)
        if not text:
            continue
        number = numbers[index] if numbers else index + 1
        if len(text) <= limit:
            texts.append(text)
            origin.append(number)
            continue
        for piece in split_long_line(text, limit):
            piece = piece.strip()
            if piece:
                texts.append(piece)
                origin.append(number)
    return doc.replace(text="\n".join(texts), origin=tuple(origin))


_FOLD_DROP = regex.compile(r"[\p{P}\p{S}\p{Z}\p{C}\s]+")


def fold(text: str, *, to_simplified: Callable[[str], str] | None = None) -> str:
    """The dedup key of a paragraph: NFKC, case-folded, punctuation, symbols and
    white space removed; with ``to_simplified`` (a converter such as
    :class:`SimplifiedKeys`) traditional characters become simplified. Digits stay:
    texts whose numbers differ state different facts ("增长6.1%" is no copy of
    "增长5.2%"). Never used for output.

    >>> fold("２０２３年，ＡＢＣ（试点）。") == fold("2023年,abc(试点)")
    True
    >>> fold("增长6.1%") == fold("增长5.2%")
    False
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if to_simplified is not None:
        folded = to_simplified(folded)
    return _FOLD_DROP.sub("", folded)


def fold_many(texts: list[str], *, to_simplified: Callable[[str], str] | None = None) -> list[str]:
    """``[fold(t) for t in texts]``, computed on all texts at once: NFKC and case
    folding on the joined texts, then dropping by a per-code-point table (numpy)
    built from the same ``regex`` class :func:`fold` uses. About ten times faster
    than one :func:`fold` per sentence.

    Texts are joined by line feeds, which no folding step joins with or produces.
    With a converter, or when a text holds a line feed, each is folded alone.

    >>> fold_many(["他说：“好。”", "Ｂ２。"])
    ['他说好', 'b2']
    """
    table = to_simplified is simplified_view  # one for one: applied to the joined texts at once
    if (to_simplified is not None and not table) or not texts:
        return [fold(text, to_simplified=to_simplified) for text in texts]
    compiled = core()
    if compiled is not None:  # NFKC by table, in C (tested equal to fold())
        return _fold_compiled(compiled, texts, table)
    if any("\n" in text for text in texts):
        return [fold(text, to_simplified=to_simplified) for text in texts]
    folded = unicodedata.normalize("NFKC", "\n".join(texts)).casefold()
    if table and has_traditional(folded):
        folded = simplified_view(folded)
    points = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kind = _fold_table()[np.minimum(points, 0xFFFF)]
    astral = points > 0xFFFF
    if astral.any():  # rare (emoji, CJK extension B...): classified one by one
        for point in np.unique(points[astral]).tolist():
            kind[points == point] = _kind(chr(point))
    points = points[kind != _DROP]
    return points.tobytes().decode("utf-32-le", "surrogatepass").split("\n")


def _fold_compiled(compiled: Any, texts: list[str], table: bool) -> list[str]:
    """fold_many through the compiled kernel: each character of the BMP whose NFKC
    cannot depend on its neighbours is looked up in :func:`_nfkc_tables`; a text
    holding any other character (a combining mark, a Hangul jamo, an astral
    character) is folded by :func:`fold` itself."""
    keys = compiled.fold_keys(texts if isinstance(texts, list) else list(texts), *_nfkc_tables())
    # simplified after: the table maps Han to Han, which fold keeps, so the order does not matter
    converted = simplified_view if table and has_traditional("".join(key for key in keys if key)) else None
    if converted is None and None not in keys:  # most batches: every key made by the table
        return keys  # type: ignore[no-any-return]
    for i, key in enumerate(keys):
        if key is None:
            keys[i] = fold(texts[i], to_simplified=simplified_view if table else None)
        elif converted is not None:
            keys[i] = converted(key)
    return keys


def fold_tables(to_simplified: Callable[[str], str] | None = None) -> tuple[Any, ...] | None:
    """The tables by which the compiled core folds keys as :func:`fold_many` does with
    ``to_simplified``: :func:`_nfkc_tables`, whether keys are then simplified, and the
    simplified tables (:func:`simplified_view`'s); None for a converter other than
    :func:`simplified_view` (its keys are folded one by one)."""
    if to_simplified is not None and to_simplified is not simplified_view:
        return None
    return (*_nfkc_tables(), to_simplified is not None, _traditional_bits(), *_simplified_arrays())


_TABLE_KEEP, _TABLE_DROP, _TABLE_REPLACE, _TABLE_CONTEXT = 0, 1, 2, 3


@functools.lru_cache(maxsize=1)
def _nfkc_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`fold` does to each character of the BMP on its own, for the
    compiled kernel: ``kind`` (keep, drop, replace, or *context*: NFKC may join
    or reorder it with its neighbours — combining marks, characters that compose
    with the one before, Hangul jamo — so a text holding one is folded whole),
    and each replacement as ``chars[start:start + size]``. Built once per process
    from ``unicodedata`` and the ``regex`` class :func:`fold` drops (see
    :func:`_build_nfkc_tables`), or read back from :mod:`textclean.cache` (a run
    builds them once; later runs read them in ~2 ms instead of ~40)."""
    from . import cache

    key = cache.digest("nfkc", str(_NFKC_BLOCK), unicodedata.unidata_version, regex.__version__,
                       _FOLD_DROP.pattern, sources=[__file__])
    stored = cache.load_arrays("nfkc", key)
    if stored is not None:
        tables = _checked_tables(stored)
        if tables is not None:
            return tables
    tables = _build_nfkc_tables(_NFKC_BLOCK)
    cache.store_arrays("nfkc", key, dict(zip(_TABLE_PARTS, tables)))
    return tables


_TABLE_PARTS = ("kind", "start", "size", "chars")


def _checked_tables(stored: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Tables read back from the cache, if they are what :func:`_build_nfkc_tables`
    makes: its parts, types and sizes, each replacement within ``chars`` and each
    kind one of the four (else None: they are built again)."""
    try:
        kind, start, size, chars = (stored[part] for part in _TABLE_PARTS)
    except KeyError:
        return None
    if (kind.dtype != np.uint8 or start.dtype != np.uint32 or size.dtype != np.uint8 or chars.dtype != np.uint32
            or kind.shape != (0x10000,) or start.shape != (0x10000,) or size.shape != (0x10000,)
            or chars.ndim != 1 or len(stored) != len(_TABLE_PARTS)):
        return None
    if kind.max() > _TABLE_CONTEXT or (start.astype(np.int64) + size > chars.size).any():
        return None
    tables = (kind, start, size, chars)
    for array in tables:
        array.flags.writeable = False
    return tables


_NFKC_BLOCK = 128  # code points tested together by _build_nfkc_tables
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3  # the precomposed Hangul syllables


def _build_nfkc_tables(block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_nfkc_tables`, ``block`` code points at a time: a block whose text is in
    NFD (NFKD) as a whole holds no character with a canonical (any) decomposition,
    and one that case folding leaves as it is and that holds no combining mark needs
    no character looked at one by one (most of the BMP: CJK, Hangul syllables,
    private use). ``block=1`` looks at every character (the reference)."""
    if block < 1 or 0x800 % block:
        raise ValueError(f"block must divide 2048 (blocks tile the BMP, the surrogates in none), got {block}")
    # the surrogates (no decomposition; each is "context" below) are no text to normalise
    blocks = [(first, "".join(map(chr, range(first, first + block)))) for first in range(0, 0x10000, block)
              if not 0xD800 <= first < 0xE000]
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo compose
    for first, text in blocks:
        if unicodedata.is_normalized("NFD", text):
            continue  # no canonical decomposition in this block
        for point in range(first, first + block):
            decomposition = unicodedata.decomposition(chr(point))
            if decomposition and not decomposition.startswith("<"):
                parts = decomposition.split()
                if len(parts) == 2:
                    seconds.add(int(parts[1], 16))  # may compose with the character before it
    drop = _fold_table() == _DROP  # what fold() drops ...
    drop[ord("\n")] = True  # ... line feed included (fold_many's own table keeps it to join texts)

    dropped = frozenset(np.flatnonzero(drop).tolist())

    def contextual(text: str) -> bool:
        if len(text) == 1:  # most: a character NFKC leaves as it is (Hangul syllables)
            return bool(unicodedata.combining(text)) or ord(text) in seconds
        return any(unicodedata.combining(ch) or ord(ch) in seconds for ch in text)

    kind = np.where(drop, _TABLE_DROP, _TABLE_KEEP).astype(np.uint8)
    start = np.zeros(0x10000, dtype=np.uint32)
    size = np.zeros(0x10000, dtype=np.uint8)
    chars: list[int] = []
    points: Iterable[int] = range(0x10000)
    if block > 1:
        plain = [(first, first + block) for first, text in blocks if unicodedata.is_normalized("NFKD", text)
                 and text.casefold() == text and not any(map(unicodedata.combining, text))
                 and seconds.isdisjoint(range(first, first + block))]
        # Hangul syllables too (11,172; nearly half the rest): each decomposes to jamo and NFKC
        # composes it back, itself; no case, no combining class (the jamo after one are "context")
        plain.append((_HANGUL_FIRST, _HANGUL_LAST + 1))
        points = sorted(set(range(0x10000)).difference(*(range(a, b) for a, b in plain)))
    for point in points:
        char = chr(point)
        if 0xD800 <= point < 0xE000 or unicodedata.combining(char) or point in seconds:
            kind[point] = _TABLE_CONTEXT
            continue
        if unicodedata.is_normalized("NFKD", char):  # no decomposition: NFKC leaves it as it is
            lowered = char.casefold()
            if lowered == char:
                continue  # kept or dropped as it is
        else:
            normal = unicodedata.normalize("NFKC", char)
            if contextual(normal) or contextual(unicodedata.normalize("NFKD", char)[:1]):
                kind[point] = _TABLE_CONTEXT
                continue
            lowered = normal.casefold()
        if lowered == char:
            folded = "" if point in dropped else char
        else:
            folded = "".join(ch for ch in lowered if not (ord(ch) in dropped if ord(ch) < 0x10000 else _kind(ch) == _DROP))
        if folded == char:
            kind[point] = _TABLE_KEEP
        elif not folded:
            kind[point] = _TABLE_DROP
        else:
            kind[point] = _TABLE_REPLACE
            start[point] = len(chars)
            size[point] = len(folded)
            chars.extend(map(ord, folded))
    tables = (kind, start, size, np.array(chars, dtype=np.uint32))
    for array in tables:
        array.flags.writeable = False
    return tables


_KEEP, _DROP = 0, 1


def _kind(char: str) -> int:
    return _DROP if _FOLD_DROP.match(char) else _KEEP


@functools.lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """What :func:`fold` does to each code point of the BMP (keep or drop), read
    off the ``regex`` class itself (line feed kept: it joins texts). Built once
    per process (~15 ms), read-only."""
    every = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint8)
    for match in _FOLD_DROP.finditer(every):
        table[match.start() : match.end()] = _DROP
    table[ord("\n")] = _KEEP
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=1)
def _simplified_chars() -> dict[int, int]:
    """Traditional -> simplified, one code point each (``data/simplified_chars.txt``,
    from OpenCC's t2s table by ``scripts/build_simplified_chars.py``). Read once per process."""
    listing = resources.files("textclean").joinpath("data/simplified_chars.txt").read_text(encoding="utf-8")
    pairs = "".join(line for line in listing.splitlines() if not line.startswith("#"))
    return {ord(pairs[i]): ord(pairs[i + 1]) for i in range(0, len(pairs), 2)}


@functools.lru_cache(maxsize=1)
def _traditional_mask() -> np.ndarray:
    mask = np.zeros(0x110000, dtype=bool)
    mask[list(_simplified_chars())] = True
    mask.flags.writeable = False
    return mask


def has_traditional(text: str) -> bool:
    """Whether ``text`` holds a character that :func:`simplified_view` changes
    (one numpy pass, ~2 ms per MB; most documents have none, and their view is
    the text itself).

    >>> has_traditional("延伸閱讀"), has_traditional("延伸阅读")
    (True, False)
    """
    if text.isascii():
        return False
    compiled = core()
    if compiled is not None:  # the same answer, in C (tested equal to the lines below)
        return bool(compiled.has_any(text, _traditional_bits()))
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return bool(_traditional_mask()[points].any())


@functools.lru_cache(maxsize=1)
def _traditional_bits() -> np.ndarray:
    """:func:`_traditional_mask` as one bit per code point (139 KB instead of 1.1 MB)."""
    bits = np.packbits(_traditional_mask(), bitorder="little")
    bits.flags.writeable = False
    return bits


def simplified_view(text: str) -> str:
    """``text`` with each traditional character replaced by its simplified form,
    one character for one, so every position still points at the same character of
    ``text``. What boilerplate rules are matched against (a rule written in
    simplified Chinese catches the traditional page too); never written out. Only
    one-to-one conversions: 乾 becomes 干 whatever the phrase, 著 stays (see
    :class:`SimplifiedKeys` for phrase-aware conversion of dedup keys).

    >>> simplified_view("【延伸閱讀】台積電")
    '【延伸阅读】台积电'
    """
    compiled = core()
    if compiled is not None and not text.isascii():  # the same string, in C (tested equal to translate)
        return compiled.simplify(text, _traditional_bits(), *_simplified_arrays())  # type: ignore[no-any-return]
    return text.translate(_simplified_chars())


@functools.lru_cache(maxsize=1)
def _simplified_arrays() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_simplified_chars` as sorted keys and their values (for the compiled core)."""
    pairs = sorted(_simplified_chars().items())
    keys = np.array([key for key, _ in pairs], dtype=np.uint32)
    values = np.array([value for _, value in pairs], dtype=np.uint32)
    keys.flags.writeable = values.flags.writeable = False
    return keys, values


class SimplifiedKeys:
    """Traditional-to-simplified conversion for dedup keys (OpenCC ``t2s``).

    Holds the converter, built on first use and rebuilt after pickling (the
    OpenCC object itself cannot be pickled to worker processes).
    """

    def __init__(self) -> None:
        self._converter: Any = None

    def __call__(self, text: str) -> str:
        if self._converter is None:
            import opencc  # the optional extra: textclean[opencc]

            self._converter = opencc.OpenCC("t2s")
        return self._converter.convert(text)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._converter = None
