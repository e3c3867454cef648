"""The line model: judge each line of a page as content or site chrome from its
shape and its neighbourhood, on sites no rule was written for.

The rule pack (:mod:`textclean.boilerplate`) knows templates; chrome is
open-ended, its *shape* is not. Menus are runs of one-word lines, bylines carry
dates, times and counters, headline lists are short lines without function words
between other short lines, widgets are bursts of interface words; article text
is long, punctuated and dense in function words (的 了 在 和 …), and sits in one
block. The model reads that, from the text alone, in two stages — the way
jusText classifies HTML blocks as short / near-good / good and then revises each
class from its neighbours:

1. **Shape** (:func:`line_features`): per line, length, the shares of Han, Latin,
   digits, punctuation and symbols, sentence ends, commas, separators, the
   density of Chinese function words (``data/function_words.txt``), URL, e-mail,
   date, time and counter tokens, field labels (``来源：``), its position and its
   similarity to the page title. A logistic regression turns them into a first
   score, the probability that the line is chrome.
2. **Context** (:func:`context_features`): the first scores of the neighbours
   (1, 3 and 10 lines up and down), the page's main block (the stretch of lines
   with the largest content mass), the distance to the nearest *good* line (long,
   scored content) above and below, and whether the line is a short line between
   two content lines (a sub-heading) or inside a run of short lines (a menu). A
   second logistic regression revises the score.

A line scoring at least ``line_model_threshold`` goes, traced as ``line-model``
with its score. The page's first line is never judged by the model: it is the
``<title>`` of a scraped page, handled by :func:`repeated_title` — when the body
repeats the headline, the title line goes (``title-repeat``) and the body's
headline stays; otherwise the title is the headline and stays.

The weights are package data (``data/line_model.json``, a few KB, readable),
fitted by ``scripts/train_line_model.py`` with :func:`fit` (numpy only); the
figures in the README are leave-one-site-out. Evaluated with numpy alone.

>>> model = LineModel.builtin()
>>> page = ["某某新闻网", "首页", "新闻", "体育", "财经", "登录",
...         "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。",
...         "专家表示，市民在出行时应当关注预警信息，尽量避开低洼路段。"]
>>> scores = model.scores(page)
>>> bool(scores[1:6].min() > scores[6:].max())  # the menu scores above the prose
True
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import regex

from .config import BoilerplateConfig
from .document import Document, Removal, short_text
from .errors import ConfigError

__all__ = [
    "LineModel", "line_features", "context_features", "repeated_title", "fit", "LOCAL_FEATURES", "CONTEXT_FEATURES",
    "LINE_MODEL_RULE", "TITLE_RULE", "judge_lines", "drop_repeated_title", "Page", "good_lines",
]

LINE_MODEL_RULE = "line-model"
TITLE_RULE = "title-repeat"

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


def _hits(pattern: Any, text: str, starts: np.ndarray) -> np.ndarray:
    """How many matches of ``pattern`` start in each line of the joined ``text``."""
    positions = [m.start() for m in pattern.finditer(text)]
    counts = np.zeros(len(starts), dtype=np.float64)
    if positions:
        lines = np.searchsorted(starts, np.asarray(positions), side="right") - 1
        np.add.at(counts, lines, 1.0)
    return counts


def _bigrams(text: str, limit: int = 200) -> set[str]:
    text = "".join(ch for ch in text[:limit] if not ch.isspace())
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text} if text else set()


def _title_similarity(codes: np.ndarray, space: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per line of at most ``_SCAN_CHARS`` characters, the share of its character
    bigrams (white space left out) that the first line also has; 0 for the first
    line itself and for paragraphs (a headline is short)."""
    count = len(lengths)
    short = lengths <= _SCAN_CHARS
    short[0] = True
    line_of = np.repeat(np.arange(count), lengths + 1)[: len(codes)]  # each character's line (and its newline)
    keep = ~space & short[line_of]
    visible = codes[keep].astype(np.uint64)
    if len(visible) < 2:
        return np.zeros(count)
    owner_all = line_of[keep]
    same_line = owner_all[:-1] == owner_all[1:]
    grams = ((visible[:-1] << np.uint64(21)) | visible[1:])[same_line]
    owner = owner_all[:-1][same_line]
    title = np.unique(grams[owner == 0])
    found = np.isin(grams, title)
    total = np.bincount(owner, minlength=count).astype(np.float64)
    shared = np.bincount(owner, weights=found, minlength=count)
    out = np.where(total > 0, shared / np.maximum(total, 1.0), 0.0)
    out[0] = 0.0
    return out


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
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    ends = starts + lengths
    text = "\n".join(lines)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = np.where(codes < 0x10000, _char_flags()[np.minimum(codes, 0xFFFF)], 0)
    space = (flags & _SPACE) != 0
    han = _is_han(codes)
    ascii_letter = ((codes | 0x20) >= 0x61) & ((codes | 0x20) <= 0x7A)
    wide_letter = ((codes >= 0xFF21) & (codes <= 0xFF3A)) | ((codes >= 0xFF41) & (codes <= 0xFF5A))
    latin = ascii_letter | wide_letter
    digit = ((codes >= 0x30) & (codes <= 0x39)) | ((codes >= 0xFF10) & (codes <= 0xFF19))
    cjk_punct = ((codes >= 0x3000) & (codes <= 0x303F)) | ((codes >= 0xFF01) & (codes <= 0xFF0F)) | (
        (codes >= 0xFF1A) & (codes <= 0xFF20)) | ((codes >= 0x2010) & (codes <= 0x2027))
    cjk_punct &= ~space
    symbol = ~(space | han | latin | digit | cjk_punct) & (codes < 0x3000)
    marks = (flags & _MARK) != 0
    commas = (flags & _COMMA) != 0
    separators = (flags & _SEPARATOR) != 0
    # a token starts at a non-space character after a space (or at the line start)
    previous_space = np.concatenate(([True], space[:-1]))
    token_start = ~space & previous_space

    visible = np.maximum(_per_line(~space, starts, ends), 1.0)
    han_count = _per_line(han, starts, ends)
    columns: dict[str, np.ndarray] = {}
    columns["log_length"] = np.log1p(visible)
    for name, bound in (("length_le4", 4), ("length_le10", 10), ("length_le20", 20)):
        columns[name] = (visible <= bound).astype(np.float64)
    columns["length_ge50"] = (visible >= 50).astype(np.float64)
    columns["length_ge120"] = (visible >= 120).astype(np.float64)
    columns["han"] = han_count / visible
    columns["latin"] = _per_line(latin, starts, ends) / visible
    columns["digit"] = _per_line(digit, starts, ends) / visible
    columns["punctuation"] = _per_line(cjk_punct, starts, ends) / visible
    columns["symbol"] = _per_line(symbol, starts, ends) / visible
    columns["log_tokens"] = np.log(np.maximum(_per_line(token_start, starts, ends), 1.0))
    columns["log_separators"] = np.log1p(_per_line(separators, starts, ends))
    sentence_marks = _per_line(marks, starts, ends)
    columns["log_sentence_marks"] = np.log1p(sentence_marks)
    comma_count = _per_line(commas, starts, ends)
    columns["log_commas"] = np.log1p(comma_count)
    columns["comma_density"] = comma_count / visible
    # the last two characters of each line (lines come stripped from normalize)
    last = np.where(lengths > 0, codes[np.maximum(ends - 1, 0)], 0)
    last_flags = np.where(lengths > 0, flags[np.maximum(ends - 1, 0)], 0)
    second_flags = np.where(lengths > 1, flags[np.maximum(ends - 2, 0)], 0)
    ends_sentence = ((last_flags & _END) != 0) | (((last_flags & _CLOSER) != 0) & ((second_flags & _END) != 0))
    columns["sentence_end"] = ends_sentence.astype(np.float64)
    columns["colon_end"] = ((last == ord(":")) | (last == ord("："))).astype(np.float64)
    function = (flags & _FUNCTION) != 0
    function_count = _per_line(function, starts, ends)
    columns["function_density"] = function_count / np.maximum(han_count, 1.0)
    columns["log_function_words"] = np.log1p(function_count)
    # Token patterns mark chrome on short lines (bylines, counters, footers); a
    # paragraph is scanned for none of them: the scans are most of the model's cost.
    short = np.flatnonzero(lengths <= _SCAN_CHARS)
    scanned = "\n".join(lines[i] for i in short)
    short_starts = np.concatenate(([0], np.cumsum(lengths[short] + 1)[:-1])) if len(short) else short
    for name, pattern in (("url", _URL), ("email", _EMAIL), ("date", _DATE), ("time", _TIME),
                          ("counter", _COUNTER), ("copyright", _COPYRIGHT), ("field_label", _FIELD_LABEL),
                          ("bracket_start", _BRACKET_START)):
        found = np.zeros(count)
        if len(short):
            found[short] = np.minimum(_hits(pattern, scanned, short_starts), 1.0)  # present or not
        columns[name] = found
    columns["no_han"] = (han_count == 0).astype(np.float64)
    index = np.arange(count, dtype=np.float64)
    columns["relative_position"] = index / max(count - 1, 1)
    columns["log_from_head"] = np.log1p(index)
    columns["log_from_tail"] = np.log1p(count - 1 - index)
    before = np.concatenate(([0.0], np.cumsum(visible)[:-1]))
    columns["chars_before"] = before / max(float(visible.sum()), 1.0)
    columns["title_similarity"] = _title_similarity(codes, space, lengths)
    columns["log_lines"] = np.full(count, math.log1p(count))
    for j, name in enumerate(LOCAL_FEATURES):
        out[:, j] = columns[name]
    return out


def _window_mean(values: np.ndarray, size: int, *, after: bool) -> np.ndarray:
    """Mean of the ``size`` values before (or after) each position; 0.5 where there are none."""
    count = len(values)
    total = np.concatenate(([0.0], np.cumsum(values)))
    index = np.arange(count)
    if after:
        lo, hi = index + 1, np.minimum(index + 1 + size, count)
    else:
        lo, hi = np.maximum(index - size, 0), index
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
    out = np.full(count, 50.0)
    last = None
    order = range(count - 1, -1, -1) if below else range(count)
    for i in order:
        if last is not None:
            out[i] = min(abs(i - last), 50)
        if flags[i]:
            last = i
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
    columns: dict[str, np.ndarray] = {"score": scores}
    columns["previous"] = _window_mean(scores, 1, after=False)
    columns["next"] = _window_mean(scores, 1, after=True)
    columns["previous3"] = _window_mean(scores, 3, after=False)
    columns["next3"] = _window_mean(scores, 3, after=True)
    columns["previous10"] = _window_mean(scores, 10, after=False)
    columns["next10"] = _window_mean(scores, 10, after=True)
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
    short = length < 20
    run = np.zeros(count)
    i = 0
    while i < count:  # the length of the run of short lines each line is in
        j = i
        while j < count and short[j]:
            j += 1
        if j > i:
            run[i:j] = j - i
            i = j
        else:
            i += 1
    columns["log_short_run"] = np.log1p(run)
    log_length = local[:, LOCAL_FEATURES.index("log_length")]
    columns["log_previous_length"] = np.concatenate(([0.0], log_length[:-1]))
    columns["log_next_length"] = np.concatenate((log_length[1:], [0.0]))
    for j, name in enumerate(CONTEXT_FEATURES):
        out[:, j] = columns[name]
    return out


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class _Stage:
    """One logistic regression over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def to_dict(self, names: Sequence[str]) -> dict[str, Any]:
        return {
            "intercept": round(float(self.intercept), 6),
            "features": {
                name: {"mean": round(float(m), 6), "scale": round(float(s), 6), "weight": round(float(c), 6)}
                for name, m, s, c in zip(names, self.mean, self.scale, self.coef)
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: Sequence[str], where: str) -> _Stage:
        features = data.get("features", {})
        missing = [name for name in names if name not in features]
        if missing:
            raise ConfigError(f"{where}: line model lacks feature(s) {missing}; retrain it with scripts/train_line_model.py")
        rows = [features[name] for name in names]
        return cls(
            mean=np.array([r["mean"] for r in rows], dtype=np.float64),
            scale=np.array([r["scale"] for r in rows], dtype=np.float64),
            coef=np.array([r["weight"] for r in rows], dtype=np.float64),
            intercept=float(data["intercept"]),
        )


@dataclass(frozen=True)
class LineModel:
    """Two logistic regressions: shape, then shape and context.

    :meth:`scores` gives each line's probability of being chrome. Load the
    shipped weights with :meth:`builtin`, your own with :meth:`from_json`, or fit
    new ones on labelled pages with :func:`fit`.
    """

    shape: _Stage
    context: _Stage
    note: str = ""

    @classmethod
    def builtin(cls) -> LineModel:
        """The shipped weights (``textclean/data/line_model.json``)."""
        return _builtin()

    @classmethod
    def from_file(cls, path: str | Path) -> LineModel:
        """Weights from a JSON file (as :meth:`to_json` writes them); errors name the file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read line model weights {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"line model weights {path} are not UTF-8 JSON") from None
        return cls.from_json(text, origin=str(path))

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<json>") -> LineModel:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{origin}: line model is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != "textclean-line-model/1":
            raise ConfigError(f"{origin}: not a textclean line model (format 'textclean-line-model/1')")
        return cls(
            shape=_Stage.from_dict(data["shape"], LOCAL_FEATURES, origin),
            context=_Stage.from_dict(data["context"], LOCAL_FEATURES + CONTEXT_FEATURES, origin),
            note=str(data.get("note", "")),
        )

    def to_json(self) -> str:
        data = {
            "format": "textclean-line-model/1",
            "note": self.note,
            "shape": self.shape.to_dict(LOCAL_FEATURES),
            "context": self.context.to_dict(LOCAL_FEATURES + CONTEXT_FEATURES),
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def scores(self, lines: Sequence[str]) -> np.ndarray:
        """Each line's probability of being chrome (0..1), judged in the page's context."""
        return self.scores_of(line_features(lines))

    def scores_of(self, local: np.ndarray) -> np.ndarray:
        """:meth:`scores` from a page's :func:`line_features`."""
        if not len(local):
            return np.zeros(0)
        first = self.shape.predict(local)
        return self.context.predict(np.hstack([local, context_features(first, local)]))


@functools.lru_cache(maxsize=1)
def _builtin() -> LineModel:
    text = resources.files("textclean").joinpath("data/line_model.json").read_text(encoding="utf-8")
    return LineModel.from_json(text, origin="built-in line model")


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


def repeated_title(lines: Sequence[str], *, window: int = 400) -> int | None:
    """The index of the body line that repeats the title ``lines[0]`` (the headline), or None.

    A scraped page's first line is its ``<title>``: usually the headline plus a
    site part set off by a separator (``…_网易财经``, ``多维博客 » …``), sometimes
    cut short (``…无敌免...``). A later line within ``window`` lines that is the
    title, or its front or back up to such a separator and at least 30 % of it, or
    that (90 % of the title's bigrams) contains it and is not a long paragraph, is
    the body's own headline; the fullest such line wins (a teaser is only part of
    the headline). A phrase of the headline after a comma is no match, so the
    headline, once it is the first line, is not taken for a title of its own
    subheading. A first line holding a sentence (。) is no title.

    >>> repeated_title(["女童眼睛被塞纸_凤凰网资讯_凤凰网", "首页", "女童眼睛被塞纸", "正文。"])
    2
    >>> repeated_title(["北医新闻网", "首页", "正文第一段很长很长。"]) is None
    True
    """
    if len(lines) < 2:
        return None
    title = "".join(lines[0].split())
    if len(title) < 4 or "。" in title or title[-1] in "；;":  # a sentence is not a title
        return None
    title_grams = _bigrams(title)
    best, best_rank = None, (False, 0)
    for j in range(1, min(len(lines), window + 1)):
        line = "".join(lines[j].split())
        if len(line) < 4 or len(line) > 2 * len(title) + 10:
            continue
        grams = _bigrams(line)
        shared = len(grams & title_grams)
        # the line is the title, or its front or back with a site part set off by a
        # separator (…_凤凰网, 多维博客 » …), and a fair part of it; or the title is
        # (90 %) inside the line (a title cut short)
        inside = _title_part(line, title) and len(line) >= 0.3 * len(title)
        covers = len(line) <= 1.5 * len(title) and shared >= 0.9 * len(title_grams)
        # the title itself (or its front or back) first, then the fullest: a teaser is only
        # part of the headline, and "正在阅读：<headline>" merely contains the title
        rank = (inside, shared)
        if (inside or covers) and rank > best_rank:
            best, best_rank = j, rank
    return best


_TITLE_SEPARATORS = frozenset("_-|｜–—»«·•:：>＞/\\[]【】()（）<")


def _title_part(line: str, title: str) -> bool:
    """``line`` is ``title``, or its start or end where a separator sets the rest off
    (a phrase of the headline after a comma is not: "…，“无法用科学解释”")."""
    if line == title:
        return True
    if title.startswith(line):
        return title[len(line)] in _TITLE_SEPARATORS
    if title.endswith(line):
        return title[-len(line) - 1] in _TITLE_SEPARATORS
    return False


# ------------------------------------------------------------------ fitting

def _fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> _Stage:
    """Weighted, L2-regularised logistic regression by Newton's method (numpy only)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (w * (p - y)) + penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return _Stage(mean=mean, scale=scale, coef=beta[:-1], intercept=float(beta[-1]))


@dataclass(frozen=True)
class Page:
    """A labelled page for :func:`fit`: its lines, and per line 1 (chrome), 0
    (content) or None (not scored: the title line, optional or duplicate lines).
    ``group`` is the site; the shape stage's scores that train the context stage
    are cross-fitted by site so that they look as they will on unseen sites."""

    lines: tuple[str, ...]
    labels: tuple[int | None, ...]
    group: str
    weight: float = 1.0


def _weights(page: Page, content_weight: float) -> np.ndarray:
    """Per line: chrome 1; content by its length (retention is counted in characters)."""
    out = []
    for line, label in zip(page.lines, page.labels):
        if label is None:
            out.append(0.0)
        elif label == 1:
            out.append(page.weight)
        else:
            out.append(page.weight * content_weight * (1.0 + min(len(line), 400) / 50.0))
    return np.asarray(out)


def fit(
    pages: Iterable[Page], *, l2: float = 100.0, content_weight: float = 1.0, folds: int = 5, note: str = ""
) -> LineModel:
    """Fit both stages on labelled pages.

    The context stage learns from first-stage scores that are *cross-fitted*:
    each site's scores come from a shape stage fitted without that site (in
    ``folds`` groups of sites), as they will be on a site the model never saw.
    """
    pages = list(pages)
    if not pages:
        raise ConfigError("fit needs at least one labelled page")
    local = [line_features(page.lines) for page in pages]
    labels = [np.array([-1 if v is None else v for v in page.labels], dtype=np.float64) for page in pages]
    weights = [_weights(page, content_weight) for page in pages]
    x = np.vstack(local)
    y = np.concatenate(labels)
    w = np.concatenate(weights)
    scored = y >= 0
    grow = functools.partial(_fit_logistic, l2=l2)
    shape = grow(x[scored], y[scored], w[scored])
    groups = sorted({page.group for page in pages})
    fold_of = {group: k % folds for k, group in enumerate(groups)}
    first = [np.zeros(len(page.lines)) for page in pages]
    for k in range(min(folds, len(groups))):
        inside = [i for i, page in enumerate(pages) if fold_of[page.group] != k]
        if not inside:
            inside = list(range(len(pages)))
        xi = np.vstack([local[i] for i in inside])
        yi = np.concatenate([labels[i] for i in inside])
        wi = np.concatenate([weights[i] for i in inside])
        stage = grow(xi[yi >= 0], yi[yi >= 0], wi[yi >= 0])
        for i, page in enumerate(pages):
            if fold_of[page.group] == k:
                first[i] = stage.predict(local[i])
    combined = np.vstack([np.hstack([local[i], context_features(first[i], local[i])]) for i in range(len(pages))])
    context = grow(combined[scored], y[scored], w[scored])
    return LineModel(shape=shape, context=context, note=note)


# ------------------------------------------------------------------ the step

def drop_repeated_title(doc: Document, config: BoilerplateConfig | None = None) -> Document:
    """Drop the title line when the body repeats the headline (see :func:`repeated_title`).

    Only on a page (at least ``line_model_min_lines`` lines), with the line model
    on; the title is the first line still kept (chrome before it may have gone). The removal is
    ``title-repeat`` with the headline's line as ``duplicate_of``; runs before
    dedup, so the body's copy is the one kept.

    >>> page = Document.from_text("\\n".join(["女童眼睛被塞纸_凤凰网资讯_凤凰网", "首页", "资讯", "视频", "登录",
    ...     "女童眼睛被塞纸", "7岁小花“眼睛被塞纸”事件，仍有许多疑问。调查组仍在紧锣密鼓地工作中。"]))
    >>> [(r.line, r.rule, r.duplicate_of) for r in drop_repeated_title(page).trace]
    [(1, 'title-repeat', 6)]
    """
    config = config or BoilerplateConfig()
    if doc.skipped or not config.line_model:
        return doc
    lines = doc.lines()
    # The first kept line, whatever went before it: clean() of the output sees it as
    # the first line, so judging it the same way here keeps cleaning idempotent.
    if len(lines) < config.line_model_min_lines:
        return doc
    headline = repeated_title([line.text for line in lines])
    if headline is None:
        return doc
    removal = Removal(step="boilerplate", rule=TITLE_RULE, kind="line", line=lines[0].number,
                      text=short_text(lines[0].text), duplicate_of=lines[headline].number)
    return doc.with_lines(lines[1:], [removal])


def judge_lines(doc: Document, model: LineModel | None = None, config: BoilerplateConfig | None = None) -> Document:
    """Drop the lines ``model`` scores as chrome (``line-model``, with the score).

    The first line is not scored: it is the page's ``<title>``. Once
    :func:`drop_repeated_title` took the title, every line is scored, but the
    headline it found stays while no line before it does (it is then the page's
    first line, as ``clean()`` of the output sees it). A *good* line
    (:func:`good_lines`) is never removed. A page of at least
    ``line_model_min_lines`` lines whose every judged line is chrome is skipped
    as ``"no content"``: it is a page of nothing but site chrome.

    >>> page = Document.from_text("\\n".join(["某某新闻网", "首页", "新闻", "体育", "财经", "登录", "注册",
    ...     "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。",
    ...     "专家表示，市民在出行时应当关注预警信息，尽量避开低洼路段，同时也要注意用电安全。"]))
    >>> judged = judge_lines(page, config=BoilerplateConfig(line_model_threshold=0.5))
    >>> [r.text for r in judged.trace][:5], [len(line) > 20 for line in judged.text.split("\\n")][-2:]
    (['首页', '新闻', '体育', '财经', '登录'], [True, True])
    """
    config = config or BoilerplateConfig()
    if doc.skipped or not config.line_model:
        return doc
    lines = doc.lines()
    if len(lines) < config.line_model_min_lines:
        return doc
    # The first line is the page's <title> and is not judged, unless the title rule
    # took it: then every line is judged, and the headline it found is kept only while
    # nothing before it stays — then it is the first line, as clean() of the output
    # would see it, so cleaning stays idempotent.
    titled = [r.duplicate_of for r in doc.trace if r.rule == TITLE_RULE]
    headline = next((i for i, line in enumerate(lines) if titled and line.number == titled[-1]), None)
    start = 0 if titled else 1
    texts = [line.text for line in lines]
    model = model if model is not None else (config.line_model_weights or LineModel.builtin())
    local = line_features(texts)
    scores = model.scores_of(local)
    chrome = (scores >= config.line_model_threshold) & ~good_of(local)
    gone = {i for i in range(start, len(lines)) if chrome[i] and i != headline}
    if headline is not None and chrome[headline] and any(i not in gone for i in range(start, headline)):
        gone.add(headline)
    removals = [
        Removal(step="boilerplate", rule=LINE_MODEL_RULE, kind="line", line=lines[i].number,
                text=short_text(texts[i]), score=round(float(scores[i]), 3))
        for i in sorted(gone)
    ]
    if not removals:
        return doc
    judged = len(lines) - start
    if judged >= 3 and len(gone) == judged:
        return doc.with_lines([], removals).skip("no content", "only site chrome (line model)")
    return doc.with_lines([line for i, line in enumerate(lines) if i not in gone], removals)

