"""What the line model reads of each line: its shape (:func:`line_features`) and
its neighbourhood (:func:`context_features`), from the text alone, computed for a
whole page at once with numpy. See :mod:`textclean.line_model` for the model.

>>> line_features(["首页", "今天的天气很好，我们在公园里散步。"]).shape == (2, len(LOCAL_FEATURES))
True
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources
from typing import Any, Sequence

import numpy as np
import regex

from .native import core

__all__ = ["line_features", "context_features", "good_lines", "good_of", "LOCAL_FEATURES", "CONTEXT_FEATURES",
           "GOOD_CHARS", "GOOD_MARKS"]

LOCAL_FEATURES = (
    "log_length", "length_le4", "length_le10", "length_le20", "length_ge50", "length_ge120",
    "han", "latin", "digit", "punctuation", "symbol",
    "log_tokens", "log_separators", "sentence_end", "colon_end", "log_sentence_marks", "log_commas",
    "comma_density", "function_density", "log_function_words",
    "url", "email", "date", "time", "counter", "copyright", "field_label", "bracket_start", "no_han",
    "relative_position", "log_from_head", "log_from_tail", "chars_before", "title_similarity", "log_lines",
)
CONTEXT_FEATURES = (
    "score", "previous", "next", "previous3", "next3", "previous10", "next10", "max_previous3", "max_next3",
    "at_start", "at_end", "in_main_block", "log_block_distance", "main_block_share",
    "log_good_above", "log_good_below", "short_between_content", "log_short_run",
    "log_previous_length", "log_next_length",
)


# ------------------------------------------------------------------ shapes

_SCAN_CHARS = 200  # token patterns (URL, date, counter …) are looked for on lines this short
_SENTENCE_MARKS = "。！？!?"
_END_MARKS = set("。！？!?…")
_CLOSERS = set("”’」』）)】》\"'")
_COMMAS = set("，、；,;")
_SEPARATORS = set("|｜>＞»«·•/／")
_SPACES = set(" \u3000\u00a0")
_URL = regex.compile(r"[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.|\.(?:com|cn|net|org|gov|edu|s?html?)\b")
_EMAIL = regex.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_DATE = regex.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2})?|\d{1,2}月\d{1,2}日")
_TIME = regex.compile(r"(?<!\d)\d{1,2}:\d\d(?::\d\d)?(?!\d)")
_COUNTER = regex.compile(
    r"\d[\d,.]*\s*[万千wWkK]?\+?\s*(?:人|次|条|个)?(?:评论|阅读|浏览|点击|回复|参与|收藏|转发|点赞|赞|播放|关注|粉丝)"
    r"|(?:评论|阅读|浏览|点击|回复|参与|收藏|转发|点赞|播放)(?:量|数)?\s*[(（:：]?\s*\d"
)
_COPYRIGHT = regex.compile(r"©|\([Cc]\)|[Cc]opyright|COPYRIGHT|版权|ICP|备案|[Aa]ll [Rr]ights [Rr]eserved")
# What every match of a token pattern holds (a cheap search first): "@" of an e-mail, ":" of a
# time, a counter's word (the second branch's words are among the first's), "." or ":" of a URL,
# a digit of a date (as regex reads \d), a colon of a field label.
_NEEDED = {"email": re.compile("@"), "time": re.compile(":"),
           "counter": re.compile("评论|阅读|浏览|点击|回复|参与|收藏|转发|赞|播放|关注|粉丝"),
           "url": re.compile("[.:]"), "date": regex.compile(r"\d"), "field_label": re.compile("[:：]")}
# How many lines before and after the one holding what _NEEDED finds a match can span (e-mail:
# none, it holds no white space; a counter: its number, 万/+ and word may stand on lines of their own) — when
# no line starts or ends with white space (then each white-space run crosses one line end at most).
_REACH = {"email": 0, "counter": 2}  # time's regex is faster than finding its lines
_EDGE_SPACE = regex.compile(r"\A\s|\n\s|\s\n|\s\Z")
# stdlib re is faster than regex on these two line-start patterns
_FIELD_LABEL = re.compile(r"(?m)^[^\s:：。，]{1,6}[ \t\u3000]*[:：]")
_BRACKET_START = re.compile(r"(?m)^[【\[［(（<〈《]")


@functools.lru_cache(maxsize=1)
def _function_codes() -> np.ndarray:
    """The function-word stoplist (one character each) as sorted code points."""
    text = resources.files("textclean").joinpath("data/function_words.txt").read_text(encoding="utf-8")
    chars = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return np.array(sorted(ord(c) for c in chars if len(c) == 1), dtype=np.uint32)


_SPACE, _MARK, _COMMA, _SEPARATOR, _FUNCTION, _END, _CLOSER = (1 << k for k in range(7))


@functools.lru_cache(maxsize=1)
def _char_flags() -> np.ndarray:
    """One byte of flags per BMP code point (space, sentence mark, comma, separator,
    function word, end mark, closer): one gather classifies a page's characters."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for flag, chars in ((_SPACE, _SPACES | {"\n", "\t"}), (_MARK, set(_SENTENCE_MARKS)), (_COMMA, _COMMAS),
                        (_SEPARATOR, _SEPARATORS), (_END, _END_MARKS), (_CLOSER, _CLOSERS)):
        for ch in chars:
            table[ord(ch)] |= flag
    table[_function_codes()] |= _FUNCTION
    table.flags.writeable = False
    return table


def _flags_of(codes: np.ndarray) -> np.ndarray:
    """The :func:`_char_flags` of each code point (astral ones have none)."""
    return np.where(codes < 0x10000, _char_flags()[np.minimum(codes, 0xFFFF)], 0)


def _is_han(codes: np.ndarray) -> np.ndarray:
    return (
        ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0x3400) & (codes <= 0x4DBF))
        | ((codes >= 0xF900) & (codes <= 0xFAFF))
        | ((codes >= 0x20000) & (codes <= 0x3134F))
    )


def _per_line(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sum of ``mask`` over each line's span (cumulative sums: linear, empty lines allowed)."""
    total = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    return (total[ends] - total[starts]).astype(np.float64)


def _present_near(pattern: Any, text: str, starts: np.ndarray, rows: list[int], reach: int) -> np.ndarray:
    """:func:`_present` for a pattern whose every match holds what marks ``rows`` (in
    order) and spans at most ``reach`` lines before and after that line: only the runs
    of lines within ``reach`` of one are scanned, each on its own. A match of the whole
    text lies inside one run, and the first match the engine finds at a position of a
    run is the same whether the text goes on past the run or not (the pattern looks
    neither behind nor for an end), so the lines marked are the same."""
    count = len(starts)
    out = np.zeros(count, dtype=np.float64)
    runs: list[list[int]] = []
    for row in rows:
        low, high = max(row - reach, 0), min(row + reach, count - 1)
        if runs and low <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], high)
        else:
            runs.append([low, high])
    if sum(last - first + 1 for first, last in runs) * 2 > count:
        return _present(pattern, text, starts)  # most lines: one scan of the text costs less
    positions: list[int] = []
    for first, last in runs:
        stop = int(starts[last + 1]) - 1 if last + 1 < count else len(text)
        positions.extend(match.start() for match in pattern.finditer(text, int(starts[first]), stop))
    if positions:
        out[np.searchsorted(starts, positions, side="right") - 1] = 1.0
    return out


def _present(pattern: Any, text: str, starts: np.ndarray) -> np.ndarray:
    """1.0 for each line of the joined ``text`` in which a match of ``pattern`` starts, else 0.0."""
    out = np.zeros(len(starts), dtype=np.float64)
    positions = [m.start() for m in pattern.finditer(text)]
    if positions:
        out[np.searchsorted(starts, positions, side="right") - 1] = 1.0
    return out


def _title_similarity(lines: Sequence[str], lengths: np.ndarray) -> np.ndarray:
    """Per line of at most ``_SCAN_CHARS`` characters, the share of its character
    bigrams (white space left out) that the first line also has; 0 for the first
    line itself and for paragraphs (a headline is short). Only the first line and
    the short lines are read."""
    count = len(lengths)
    out = np.zeros(count)
    compiled = core()
    if compiled is not None:  # the same shares, in C (tested equal to the lines below)
        compiled.title_similarity(lines if isinstance(lines, list) else list(lines), _char_flags(), _SPACE,
                                  _SCAN_CHARS, out)
        return out
    rows = np.flatnonzero(lengths <= _SCAN_CHARS)
    rows = np.concatenate(([0], rows[rows > 0]))  # the first line, whatever its length, then the short ones
    if rows.size < 2:
        return out
    text = "\n".join([lines[i] for i in rows.tolist()])
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = (_flags_of(codes) & _SPACE) != 0
    line_of = np.repeat(np.arange(rows.size), lengths[rows] + 1)[: len(codes)]  # each character's row (and its newline)
    keep = ~space
    visible = codes[keep].astype(np.uint64)
    if len(visible) < 2:
        return out
    owner_all = line_of[keep]
    same_line = owner_all[:-1] == owner_all[1:]
    grams = ((visible[:-1] << np.uint64(21)) | visible[1:])[same_line]
    owner = owner_all[:-1][same_line]
    title = np.unique(grams[owner == 0])  # sorted
    if title.size:
        at = np.searchsorted(title, grams)
        at[at == title.size] = 0
        found = title[at] == grams
    else:
        found = np.zeros(grams.size, dtype=bool)
    total = np.bincount(owner, minlength=rows.size).astype(np.float64)
    shared = np.bincount(owner, weights=found, minlength=rows.size)
    out[rows] = np.where(total > 0, shared / np.maximum(total, 1.0), 0.0)
    out[0] = 0.0
    return out


_COUNTS = ("visible", "han", "latin", "digit", "punctuation", "symbol", "tokens", "separators", "marks", "commas",
           "function")


def _class_masks(codes: np.ndarray, flags: np.ndarray) -> dict[str, np.ndarray]:
    """Which characters (code points ``codes``, their ``_char_flags``) are white space,
    Han, Latin letters, digits, CJK punctuation, other symbols, sentence marks,
    commas, separators and function words: the classes the shape features count."""
    space = (flags & _SPACE) != 0
    han = _is_han(codes)
    latin = ((((codes | 0x20) >= 0x61) & ((codes | 0x20) <= 0x7A)) | ((codes >= 0xFF21) & (codes <= 0xFF3A))
             | ((codes >= 0xFF41) & (codes <= 0xFF5A)))
    digit = ((codes >= 0x30) & (codes <= 0x39)) | ((codes >= 0xFF10) & (codes <= 0xFF19))
    punctuation = (((codes >= 0x3000) & (codes <= 0x303F)) | ((codes >= 0xFF01) & (codes <= 0xFF0F))
                   | ((codes >= 0xFF1A) & (codes <= 0xFF20)) | ((codes >= 0x2010) & (codes <= 0x2027))) & ~space
    return {
        "space": space, "han": han, "latin": latin, "digit": digit, "punctuation": punctuation,
        "symbol": ~(space | han | latin | digit | punctuation) & (codes < 0x3000),
        "marks": (flags & _MARK) != 0, "commas": (flags & _COMMA) != 0, "separators": (flags & _SEPARATOR) != 0,
        "function": (flags & _FUNCTION) != 0,
    }


def _class_counts(codes: np.ndarray, flags: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict[str, np.ndarray]:
    """Per line: visible characters, Han, Latin letters, digits, CJK punctuation,
    other symbols, tokens, separators, sentence marks, commas, function words —
    summed from numpy masks over the page's code points (the compiled core counts
    them in :func:`_shape_compiled`)."""
    masks = _class_masks(codes, flags)
    space = masks.pop("space")
    # a token starts at a non-space character after a space (or at the line start)
    masks["tokens"] = ~space & np.concatenate(([True], space[:-1]))
    masks["visible"] = ~space
    return {name: _per_line(masks[name], starts, ends) for name in _COUNTS}


_CLASS_BITS = ("space", "han", "latin", "digit", "punctuation", "symbol", "marks", "commas", "separators", "function")


@functools.lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """The classes of :func:`_class_masks` for each BMP code point, bit k for
    ``_CLASS_BITS[k]`` (astral characters: the kernel counts Han in its planes, else none)."""
    masks = _class_masks(np.arange(0x10000, dtype=np.uint32), _char_flags())
    bits = np.zeros(0x10000, dtype=np.uint16)
    for k, name in enumerate(_CLASS_BITS):
        bits[masks[name]] |= 1 << k
    bits.flags.writeable = False
    return bits


def line_features(lines: Sequence[str]) -> np.ndarray:
    """The shape features of each line (rows) in :data:`LOCAL_FEATURES` order.

    Computed over the whole page at once: the lines are joined and each feature
    is a per-line sum of a code-point mask or of regex matches, so the cost is
    linear in the page whatever the line lengths.
    """
    count = len(lines)
    out = np.zeros((count, len(LOCAL_FEATURES)), dtype=np.float64)
    if count == 0:
        return out
    lengths = np.fromiter((len(line) for line in lines), dtype=np.int64, count=count)
    compiled = core()
    if compiled is not None:  # one pass in C (tested equal to the reference below)
        counts = _shape_compiled(compiled, lines if isinstance(lines, list) else list(lines), out)
    else:
        counts = _shape_reference(lines, lengths, out)
    # the logarithms, from the counts, by numpy in both paths (the same floats)
    visible = np.maximum(counts["visible"], 1.0)
    out[:, _COLUMN["log_length"]] = np.log1p(visible)
    out[:, _COLUMN["log_tokens"]] = np.log(np.maximum(counts["tokens"], 1.0))
    for name, counted in (("log_separators", "separators"), ("log_sentence_marks", "marks"),
                          ("log_commas", "commas"), ("log_function_words", "function")):
        out[:, _COLUMN[name]] = np.log1p(counts[counted])
    index = np.arange(count, dtype=np.float64)
    out[:, _COLUMN["log_from_head"]] = np.log1p(index)
    out[:, _COLUMN["log_from_tail"]] = np.log1p(count - 1 - index)
    out[:, _COLUMN["log_lines"]] = math.log1p(count)
    # Token patterns mark chrome on short lines (bylines, counters, footers); a
    # paragraph is scanned for none of them: the scans are most of the model's cost.
    short = np.flatnonzero(lengths <= _SCAN_CHARS)
    if len(short):
        scanned = "\n".join([lines[i] for i in short.tolist()])
        short_starts = np.concatenate(([0], np.cumsum(lengths[short] + 1)[:-1]))
        for name, pattern in (("url", _URL), ("email", _EMAIL), ("date", _DATE), ("time", _TIME),
                              ("counter", _COUNTER), ("copyright", _COPYRIGHT), ("field_label", _FIELD_LABEL),
                              ("bracket_start", _BRACKET_START)):
            needed = _NEEDED.get(name)  # what every match holds: without it, no scan
            if needed is not None and needed.search(scanned) is None:
                continue
            reach = _REACH.get(name)
            if reach is None or (reach and _EDGE_SPACE.search(scanned) is not None):  # (white space could carry
                out[short, _COLUMN[name]] = _present(pattern, scanned, short_starts)  # a match further)
                continue
            found = [match.start() for match in needed.finditer(scanned)]  # type: ignore[union-attr]
            rows = sorted(set((np.searchsorted(short_starts, found, side="right") - 1).tolist()))
            out[short, _COLUMN[name]] = _present_near(pattern, scanned, short_starts, rows, reach)
    out[:, _COLUMN["title_similarity"]] = _title_similarity(lines, lengths)
    return out


_COLUMN = {name: j for j, name in enumerate(LOCAL_FEATURES)}
# what the compiled kernel writes, in its order (see _core.line_shape)
_SHAPE_COLUMNS = ("length_le4", "length_le10", "length_le20", "length_ge50", "length_ge120", "han", "latin", "digit",
                  "punctuation", "symbol", "comma_density", "function_density", "sentence_end", "colon_end", "no_han",
                  "relative_position", "chars_before")


def _shape_compiled(compiled: Any, lines: list[str], out: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`_shape_reference` by the compiled core: the same columns and counts."""
    counts = np.zeros((len(lines), len(_COUNTS)), dtype=np.int64)
    compiled.line_shape(lines, _class_table(), _char_flags(), _END, _CLOSER, _shape_columns(), counts, out)
    return {name: counts[:, j].astype(np.float64) for j, name in enumerate(_COUNTS)}


@functools.lru_cache(maxsize=1)
def _shape_columns() -> np.ndarray:
    columns = np.array([_COLUMN[name] for name in _SHAPE_COLUMNS], dtype=np.int64)
    columns.flags.writeable = False
    return columns


def _shape_reference(lines: Sequence[str], lengths: np.ndarray, out: np.ndarray) -> dict[str, np.ndarray]:
    """The shape columns that need no logarithm (:data:`_SHAPE_COLUMNS`) into ``out``,
    with numpy over the joined page; returns the per-line counts the logarithms are taken of."""
    count = len(lines)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    ends = starts + lengths
    text = "\n".join(lines)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = _flags_of(codes)
    # the last two characters of each line (lines come stripped from normalize; a page of empty lines has none)
    padded_codes, padded_flags = (codes, flags) if codes.size else (np.zeros(1, np.uint32), np.zeros(1, np.uint8))
    last = np.where(lengths > 0, padded_codes[np.maximum(ends - 1, 0)], 0)
    last_flags = np.where(lengths > 0, padded_flags[np.maximum(ends - 1, 0)], 0)
    second_flags = np.where(lengths > 1, padded_flags[np.maximum(ends - 2, 0)], 0)
    counts = _class_counts(codes, flags, starts, ends)
    visible = np.maximum(counts["visible"], 1.0)
    han_count = counts["han"]
    columns: dict[str, np.ndarray] = {}
    for name, bound in (("length_le4", 4), ("length_le10", 10), ("length_le20", 20)):
        columns[name] = (visible <= bound).astype(np.float64)
    columns["length_ge50"] = (visible >= 50).astype(np.float64)
    columns["length_ge120"] = (visible >= 120).astype(np.float64)
    for name in ("han", "latin", "digit", "punctuation", "symbol"):
        columns[name] = counts[name] / visible
    columns["comma_density"] = counts["commas"] / visible
    columns["function_density"] = counts["function"] / np.maximum(han_count, 1.0)
    ends_sentence = ((last_flags & _END) != 0) | (((last_flags & _CLOSER) != 0) & ((second_flags & _END) != 0))
    columns["sentence_end"] = ends_sentence.astype(np.float64)
    columns["colon_end"] = ((last == ord(":")) | (last == ord("："))).astype(np.float64)
    columns["no_han"] = (han_count == 0).astype(np.float64)
    columns["relative_position"] = np.arange(count, dtype=np.float64) / max(count - 1, 1)
    before = np.concatenate(([0.0], np.cumsum(visible)[:-1]))
    columns["chars_before"] = before / max(float(visible.sum()), 1.0)
    for name in _SHAPE_COLUMNS:
        out[:, _COLUMN[name]] = columns[name]
    return counts


def _window_means(values: np.ndarray, sizes: Sequence[int], after: Sequence[bool]) -> np.ndarray:
    """Row k: the mean of the ``sizes[k]`` values before (``after[k]``: after) each
    position; 0.5 where there are none. All windows from one running sum."""
    count = len(values)
    total = np.concatenate(([0.0], np.cumsum(values)))
    index = np.arange(count)
    size = np.asarray(sizes)[:, None]
    later = np.asarray(after)[:, None]
    lo = np.where(later, index + 1, np.maximum(index - size, 0))
    hi = np.where(later, np.minimum(index + 1 + size, count), index)
    n = hi - lo
    sums = total[hi] - total[lo]
    return np.where(n > 0, sums / np.maximum(n, 1), 0.5)


def _window_max(values: np.ndarray, size: int, *, after: bool) -> np.ndarray:
    count = len(values)
    padded = np.full(count + 2 * size, -np.inf)
    padded[size : size + count] = values
    shifts = range(1, size + 1)
    stack = np.stack([padded[size + k * (1 if after else -1) : size + k * (1 if after else -1) + count] for k in shifts])
    best = stack.max(axis=0)
    return np.where(np.isfinite(best), best, 0.5)


def _main_block(weights: np.ndarray) -> tuple[int, int]:
    """The stretch ``[start, stop)`` with the largest sum of ``weights`` (Kadane)."""
    best, best_span = -np.inf, (0, 0)
    run, run_start = 0.0, 0
    for i, value in enumerate(weights.tolist()):
        if run <= 0.0:
            run, run_start = value, i
        else:
            run += value
        if run > best:
            best, best_span = run, (run_start, i + 1)
    return best_span


def _distance_to(flags: np.ndarray, *, below: bool) -> np.ndarray:
    """Lines to the nearest flagged line above (or below), not counting the line itself; 50 when none."""
    count = len(flags)
    index = np.arange(count)
    if below:
        marked = np.where(flags, index, count + 50)
        nearest = np.minimum.accumulate(marked[::-1])[::-1]  # the first flagged line at or below each
        nearest = np.concatenate((nearest[1:], [count + 50]))  # strictly below
        return np.minimum(nearest - index, 50).astype(np.float64)
    marked = np.where(flags, index, -50)
    nearest = np.maximum.accumulate(marked) if count else marked  # the last flagged line at or above each
    nearest = np.concatenate(([-50], nearest[:-1]))  # strictly above
    return np.minimum(index - nearest, 50).astype(np.float64)


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of True it is in (0 where False)."""
    out = np.zeros(len(flags))
    if flags.any():
        edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
        lengths = edges[1::2] - edges[0::2]  # each run of True, in order
        out[flags] = np.repeat(lengths, lengths)  # the True positions are those runs, one after another
    return out


def context_features(scores: np.ndarray, local: np.ndarray) -> np.ndarray:
    """The context features (rows) in :data:`CONTEXT_FEATURES` order, from the
    first-stage chrome scores and the shape features of the same page."""
    count = len(scores)
    out = np.zeros((count, len(CONTEXT_FEATURES)), dtype=np.float64)
    if count == 0:
        return out
    content = 1.0 - scores
    length = np.expm1(local[:, LOCAL_FEATURES.index("log_length")])
    compiled = core()
    if compiled is not None:  # the same columns, in C but for the logarithms (tested equal to the lines below)
        start, stop = _main_block((content - 0.5) * np.sqrt(length))
        raw = np.empty((4, count))
        log_length = np.ascontiguousarray(local[:, LOCAL_FEATURES.index("log_length")])
        compiled.context_columns(np.ascontiguousarray(scores, dtype=np.float64), content, length, log_length,
                                 start, stop, out, raw)
        for row, name in enumerate(("log_block_distance", "log_good_above", "log_good_below", "log_short_run")):
            out[:, CONTEXT_FEATURES.index(name)] = np.log1p(raw[row])
        inside = slice(start, stop)
        out[:, CONTEXT_FEATURES.index("main_block_share")] = length[inside].sum() / max(length.sum(), 1.0)
        return out
    columns: dict[str, np.ndarray] = {"score": scores}
    means = _window_means(scores, (1, 1, 3, 3, 10, 10), (False, True, False, True, False, True))
    for row, name in enumerate(("previous", "next", "previous3", "next3", "previous10", "next10")):
        columns[name] = means[row]
    columns["max_previous3"] = 1.0 - _window_max(content, 3, after=False)
    columns["max_next3"] = 1.0 - _window_max(content, 3, after=True)
    index = np.arange(count)
    columns["at_start"] = (index <= 1).astype(np.float64)
    columns["at_end"] = (index == count - 1).astype(np.float64)
    start, stop = _main_block((content - 0.5) * np.sqrt(length))
    inside = (index >= start) & (index < stop)
    columns["in_main_block"] = inside.astype(np.float64)
    distance = np.where(index < start, start - index, np.where(index >= stop, index - stop + 1, 0))
    columns["log_block_distance"] = np.log1p(distance)
    columns["main_block_share"] = np.full(count, length[inside].sum() / max(length.sum(), 1.0))
    good = (content > 0.7) & (length >= 30)
    columns["log_good_above"] = np.log1p(_distance_to(good, below=False))
    columns["log_good_below"] = np.log1p(_distance_to(good, below=True))
    previous_content = np.concatenate(([0.0], content[:-1]))
    next_content = np.concatenate((content[1:], [0.0]))
    columns["short_between_content"] = ((length <= 40) & (previous_content > 0.5) & (next_content > 0.5)).astype(float)
    columns["log_short_run"] = np.log1p(_run_lengths(length < 20))  # the run of short lines each line is in
    log_length = local[:, LOCAL_FEATURES.index("log_length")]
    columns["log_previous_length"] = np.concatenate(([0.0], log_length[:-1]))
    columns["log_next_length"] = np.concatenate((log_length[1:], [0.0]))
    for j, name in enumerate(CONTEXT_FEATURES):
        out[:, j] = columns[name]
    return out


GOOD_CHARS = 50
GOOD_MARKS = 2


def good_lines(lines: Sequence[str]) -> np.ndarray:
    """jusText's *good* class, which the model never removes: prose of at least
    ``GOOD_CHARS`` visible characters with at least ``GOOD_MARKS`` sentence ends
    and commas. Chrome this long and this punctuated (comments, teasers of other
    articles) is rare; a long paragraph lost costs more than one kept.

    >>> good_lines(["首页 | 新闻 | 体育", "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关，专家提醒市民注意出行安全。"]).tolist()
    [False, True]
    """
    return good_of(line_features(lines))


def good_of(local: np.ndarray) -> np.ndarray:
    """:func:`good_lines` from a page's :func:`line_features`."""
    def count(name: str) -> np.ndarray:
        return np.rint(np.expm1(local[:, LOCAL_FEATURES.index(name)]))

    return (count("log_length") >= GOOD_CHARS) & (count("log_sentence_marks") + count("log_commas") >= GOOD_MARKS)
