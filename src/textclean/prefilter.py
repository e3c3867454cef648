"""The literal prefilter of the rule pack: which rules could match a line at all.

For each pattern, :func:`required_literals` works out a set of strings at least
one of which is in every line the pattern matches (``欢迎`` for
``^(?:热烈)?欢迎(?:您)?(?:来到|访问)…``; ``{"上一页", "下一页", …}`` for an
alternation), read off the pattern's syntax tree. A :class:`Prefilter` holds them
for a list of rules: a line is tried against a rule's own ``regex`` only when it
holds one of the rule's literals — a few set and substring tests in C instead of
a regex search per rule. Rules without a literal (a pattern of classes only,
case-insensitive ones, syntax Python's ``re`` parser does not read) are screened
by one compiled alternation of them, as before.

The prefilter only ever skips rules that cannot match, so the rules that fire,
and the output, are the same as trying every rule (``tests/test_prefilter.py``
checks that on the pack's examples, real pages and Hypothesis input).
"""

from __future__ import annotations

import functools
import re
import warnings
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any, Callable, Sequence

__all__ = ["required_literals", "Prefilter"]

_CLASS_MAX = 16  # a class of more characters than this is no literal
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)
_NEUTRAL = (_c.AT, _c.ASSERT, _c.ASSERT_NOT, _c.GROUPREF, getattr(_c, "GROUPREF_EXISTS", _c.AT))
_HAN_RANGE = "\u4e00-\u9fff"  # stands in for a \p{…} property: a class this wide is never a literal


@functools.lru_cache(maxsize=8192)
def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` (``regex`` syntax) contains,
    or None when no such set is known (the rule must always be tried).

    >>> sorted(required_literals(r"^[【\\[]?\\s*(?:上一篇|下一篇)\\s*[:：]"))
    ['上一篇', '下一篇']
    >>> required_literals(r"^\\d+$") is None
    True
    """
    readable = _readable(pattern)
    if readable is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set" and the like: ``regex`` may read it otherwise
            parsed = _sre.parse(readable)
    except (re.error, Warning, RecursionError, OverflowError, ValueError):
        return None
    if parsed.state.flags & (_c.SRE_FLAG_IGNORECASE | _c.SRE_FLAG_VERBOSE):
        return None
    found = _sequence(parsed)
    return found if found and all(found) else None


def _readable(pattern: str) -> str | None:
    """``pattern`` with each ``\\p{…}``/``\\P{…}`` property widened to a range too big to
    be a literal, so that Python's ``re`` parses it the way ``regex`` reads it; None
    for ``regex``'s fuzzy matching (``(?:…){e<=1}``, which ``re`` would read as
    literal text). Other ``regex``-only syntax makes ``re``'s parser fail."""
    if "\\" not in pattern and "{" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            if pattern[i + 1] in "pP" and pattern.startswith("{", i + 2):
                end = pattern.find("}", i + 3)
                if end < 0:
                    return None
                out.append(_HAN_RANGE if in_class else f"[{_HAN_RANGE}]")
                i = end + 1
            else:
                out.append(pattern[i : i + 2])
                i += 2
            continue
        out.append(ch)
        i += 1
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            for member in "^]":  # "[^]…]" and "[]…]": the first "]" is a member
                if pattern.startswith(member, i):
                    out.append(member)
                    i += 1
        elif ch == "{" and pattern[i : i + 1] in ("e", "i", "s", "d"):
            return None
    return "".join(out)


def _best(options: list[frozenset[str] | None]) -> frozenset[str] | None:
    """Of several sets each of which is required, the one that rules out most lines:
    the longest shortest member, then the fewest members."""
    known = [option for option in options if option]
    if not known:
        return None
    return max(known, key=lambda option: (min(map(len, option)), -len(option)))


def _class(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _CLASS_MAX:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:  # negation, categories (\d, \s), wide ranges
            return None
        if len(chars) > _CLASS_MAX:
            return None
    return frozenset(chars)


def _node(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.LITERAL:
        return frozenset((chr(av),))
    if op is _c.IN:
        return _class(av)
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & _c.SRE_FLAG_IGNORECASE else _sequence(sub)
    if op is _c.BRANCH:
        branches = [_sequence(branch) for branch in av[1]]
        if any(not branch for branch in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    if op in _REPEATS:
        low, _high, sub = av
        return _sequence(sub) if low >= 1 else None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av)
    return None


def _sequence(items: Any) -> frozenset[str] | None:
    """Each item of a sequence is required; consecutive literal characters make one string."""
    options: list[frozenset[str] | None] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset(("".join(run),)))
            run = []
        if op in _NEUTRAL:  # anchors and look-arounds need no character of their own here
            continue
        options.append(_node(op, av))
    if run:
        options.append(frozenset(("".join(run),)))
    return _best(options)


def _class_member(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


class Prefilter:
    """The rules of a list a line could match: those whose required literal it
    holds, plus those without literals when their ``screens`` (alternations of
    them) match. ``screens_of`` builds the alternations (see :mod:`textclean.rules`).
    """

    def __init__(self, patterns: Sequence[str], screens_of: Callable[[list[int]], tuple[Callable[[str], Any], ...]]
                 ) -> None:
        by_literal: dict[str, list[int]] = {}
        always: list[int] = []
        for position, pattern in enumerate(patterns):
            literals = required_literals(pattern)
            if literals is None:
                always.append(position)
                continue
            for literal in literals:
                by_literal.setdefault(literal, []).append(position)
        by_first: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for literal, positions in sorted(by_literal.items()):
            by_first.setdefault(literal[0], []).append((literal, tuple(positions)))
        self.by_first = {first: tuple(entries) for first, entries in by_first.items()}
        # the characters a literal starts with, found in a line by one scan in C
        self._firsts = re.compile("[" + "".join(map(_class_member, sorted(self.by_first))) + "]").findall \
            if self.by_first else None
        self.always = tuple(always)
        self.screens = screens_of(list(range(len(patterns)))) if patterns else ()

    def positions(self, line: str) -> list[int]:
        """Positions (in the list given) of the rules ``line`` could match, in order."""
        try:
            for screen in self.screens:
                if screen(line) is not None:
                    break
            else:
                return []
        except TimeoutError:  # a slow alternation: try each rule with its own timeout
            pass
        hits = set(self.always)
        for first in set(self._firsts(line)) if self._firsts is not None else ():
            for literal, positions in self.by_first[first]:
                if len(literal) == 1 or literal in line:
                    hits.update(positions)
        return sorted(hits)
