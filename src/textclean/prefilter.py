"""Which rules of a pack could match a line: cheap tests that never miss one.

Read off each pattern's syntax tree (Python's ``re`` parser; ``regex``-only
syntax means "unknown"):

- :func:`required_literals`: strings one of which every match contains
  (``欢迎`` for ``^(?:热烈)?欢迎(?:您)?(?:来到|访问)…``; ``{"点在看", "点赞"}`` for
  ``点(?:在看|赞)``: small classes and alternations are concatenated; what a
  lookahead requires counts too);
- :func:`start_chars`: for a pattern anchored at the line start, the characters
  a matching line can begin with;
- :func:`closed_alphabet`: for a pattern that only matches whole lines, the
  characters it can consume (a line of interface words and counts).

A :class:`Prefilter` uses them for a list of rules: an anchored rule is a
candidate when the line begins with one of its first characters, a floating one
when one alternation of all floating rules' literals finds one in the line, the
rest when their screen (an alternation of them) matches; a candidate must also
hold one of its own literals, and a whole-line rule's line only characters of its
alphabet. Each candidate's own ``regex`` decides.

The prefilter only ever skips rules that cannot match, so the rules that fire,
and the output, are the same as trying every rule (``tests/test_prefilter.py``
checks that on the pack's examples, the samples and Hypothesis lines).
"""

from __future__ import annotations

import functools
import re
import warnings
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any, Callable, Mapping, Sequence

import regex

from .native import core

__all__ = ["required_literals", "start_chars", "analyse", "stored_analysis", "Prefilter", "Screen", "IGNORE_CASE"]

_CLASS_MAX = 16  # a class of more characters than this is no literal
_PRODUCT_MAX = 64  # at most this many strings from concatenating classes and alternations
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)
_NEUTRAL = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)  # zero width: anchors and look-arounds
_HAN_RANGE = "\u4e00-\u9fff"  # stands in for a \p{…} property: a class this wide is never a literal
IGNORE_CASE = "\0"  # a required literal starting with this is matched ignoring case (a ``(?i)`` part)
_FIRST_MAX = 256  # a first-character set bigger than this says nothing
_AT_START = (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING)
_CATEGORIES = {  # categories a first character may be in, each tested by ``regex`` itself
    _c.CATEGORY_SPACE: r"\s", _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_WORD: r"\w",
}


@functools.lru_cache(maxsize=8192)
def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` (``regex`` syntax) contains,
    or None when no such set is known (the rule must always be tried).

    >>> sorted(required_literals(r"^[【\\[]?\\s*(?:上一篇|下一篇)\\s*[:：]"))
    ['上一篇', '下一篇']
    >>> required_literals(r"^\\d+$") is None
    True
    """
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & _c.SRE_FLAG_VERBOSE:
        return None
    found = _sequence(parsed)
    if found and parsed.state.flags & _c.SRE_FLAG_IGNORECASE:
        found = _ignoring_case(found)
    return found if found and all(map(_body, found)) else None


def _body(literal: str) -> str:
    """A literal without its :data:`IGNORE_CASE` mark."""
    return literal[1:] if literal.startswith(IGNORE_CASE) else literal


def _ignoring_case(literals: frozenset[str] | None) -> frozenset[str] | None:
    """The same literals, each matched ignoring case."""
    return None if literals is None else frozenset(IGNORE_CASE + _body(literal) for literal in literals)


def closed_alphabet(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """For a pattern every match of which is a whole line (each path starts with ``^``
    and ends with ``$``): the characters it can consume, and the classes (``\\d``,
    ``\\s``) it takes whole — a line holding any other character cannot match. None
    for other patterns, or where a part could consume any character (``.``, a negated
    class, ``\\w``, a wide range, ignoring case).

    >>> chars, classes = closed_alphabet(r"^(?:分享|收藏)(?:\\s*\\d+)?$")
    >>> sorted(chars), sorted(classes)
    (['享', '分', '收', '藏'], ['\\\\d', '\\\\s'])
    >>> closed_alphabet(r"^分享.*$") is None, closed_alphabet(r"分享$") is None
    (True, True)
    """
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & (_c.SRE_FLAG_IGNORECASE | _c.SRE_FLAG_VERBOSE | _c.SRE_FLAG_MULTILINE):
        return None
    items = list(parsed)
    chars: set[str] = set()
    classes: set[str] = set()
    if not (_anchored(items, 0) and _anchored(items, -1) and _consumed(items, chars, classes)):
        return None
    return frozenset(chars), frozenset(classes)


_ANCHORS = {0: (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING), -1: (_c.AT_END, _c.AT_END_STRING)}
_WHOLE_CLASSES = frozenset({r"\d", r"\s"})  # of _CATEGORIES, those an alphabet takes whole (\w: too wide)
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op is not None)


def _anchored(items: list[Any], end: int) -> bool:
    """Whether every path through ``items`` starts (``end`` 0) or ends (-1) at an anchor."""
    if not items:
        return False
    op, av = items[end]
    if op is _c.AT:
        return av in _ANCHORS[end]
    if op is _c.BRANCH:
        return all(_anchored(list(branch), end) for branch in av[1])
    if op is _c.SUBPATTERN:
        return _anchored(list(av[3]), end)
    return False


def _consumed(items: Any, chars: set[str], classes: set[str]) -> bool:
    """Add what ``items`` can consume to ``chars`` and ``classes``; False when that is unbounded."""
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.IN:
            members = _members(av, 1001)
            if members is None or not members[1] <= _WHOLE_CLASSES:
                return False  # a negated class, \w, a wide range
            chars |= members[0]
            classes |= members[1]
        elif op is _c.CATEGORY and _CATEGORIES.get(av) in _WHOLE_CLASSES:
            classes.add(_CATEGORIES[av])
        elif op in _REPEATS:
            if not _consumed(av[2], chars, classes):
                return False
        elif op is _c.SUBPATTERN:
            if av[1] & _c.SRE_FLAG_IGNORECASE or not _consumed(av[3], chars, classes):
                return False
        elif op is _c.BRANCH:
            if not all(_consumed(branch, chars, classes) for branch in av[1]):
                return False
        elif op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):  # those consume nothing
            return False
    return True


@functools.lru_cache(maxsize=1024)
def _parsed(pattern: str) -> Any:
    """``pattern``'s syntax tree by Python's ``re`` parser (see :func:`_readable`), or
    None where ``re`` would read it otherwise than ``regex`` or cannot read it."""
    readable = _readable(pattern)
    if readable is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set" and the like: ``regex`` may read it otherwise
            return _sre.parse(readable)
    except (re.error, Warning, RecursionError, OverflowError, ValueError):
        return None


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
    return max(known, key=lambda option: (min(len(_body(literal)) for literal in option), -len(option)))


def _members(items: Sequence[tuple[Any, Any]], limit: int) -> tuple[set[str], set[str]] | None:
    """A class's characters (ranges of fewer than ``limit``) and categories (``\\s``,
    ``\\d``, ``\\w``); None for a negated class, other categories or wide ranges."""
    chars: set[str] = set()
    categories: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < limit:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        elif op is _c.CATEGORY and av in _CATEGORIES:
            categories.add(_CATEGORIES[av])
        else:
            return None
    return chars, categories


def _class(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    """A class of at most ``_CLASS_MAX`` characters as literals (none with a category)."""
    found = _members(items, _CLASS_MAX)
    if found is None or found[1] or len(found[0]) > _CLASS_MAX:
        return None
    return frozenset(found[0])


def _product(left: frozenset[str] | None, right: frozenset[str]) -> frozenset[str] | None:
    if left is None:
        return right
    if len(left) * len(right) > _PRODUCT_MAX:
        return None
    # a part matched ignoring case makes the whole concatenation so (a looser test: never a miss)
    return frozenset(a + b if not (a.startswith(IGNORE_CASE) or b.startswith(IGNORE_CASE))
                     else IGNORE_CASE + _body(a) + _body(b) for a in left for b in right)


def _exact(op: Any, av: Any) -> frozenset[str] | None:
    """The strings an item matches when they are few and it matches nothing else
    (a literal, a small class, an alternation of such sequences), else None."""
    if op is _c.LITERAL:
        return frozenset((chr(av),))
    if op is _c.IN:
        return _class(av)
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _ignoring_case(_exact_sequence(sub)) if add_flags & _c.SRE_FLAG_IGNORECASE else _exact_sequence(sub)
    if op is _c.BRANCH:
        branches = [_exact_sequence(branch) for branch in av[1]]
        if any(branch is None for branch in branches):
            return None
        union = frozenset().union(*branches)  # type: ignore[arg-type]
        return union if len(union) <= _PRODUCT_MAX else None
    if op in _REPEATS:
        low, high, sub = av
        if low != high or not 1 <= low <= 4:
            return None
        one = _exact_sequence(sub)
        out: frozenset[str] | None = None
        for _ in range(low):
            if one is None:
                return None
            out = _product(out, one)
        return out
    return None


def _exact_sequence(items: Any) -> frozenset[str] | None:
    out: frozenset[str] | None = frozenset(("",))
    for op, av in items:
        if op in _NEUTRAL:
            continue
        one = _exact(op, av)
        if one is None or out is None:
            return None
        out = _product(out, one)
    return out


def _contains(op: Any, av: Any) -> frozenset[str] | None:
    """Strings one of which every match of an item holds (not an exact item)."""
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _ignoring_case(_sequence(sub)) if add_flags & _c.SRE_FLAG_IGNORECASE else _sequence(sub)
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
    """Each item of a sequence is required; runs of exact items (literals, small
    classes and alternations) make the strings of their concatenations."""
    options: list[frozenset[str] | None] = []
    run: frozenset[str] | None = None
    for op, av in items:
        if op in _NEUTRAL:  # anchors and look-arounds take no character: a run goes on past them
            if op is _c.ASSERT and av[0] == 1:  # but what a lookahead requires, the line holds
                options.append(_sequence(av[1]))
            continue
        one = _exact(op, av)
        if one is not None:
            joined = _product(run, one)
            if joined is None:  # too many concatenations: the run so far is one option
                options.append(run)
                joined = one
            run = joined
            continue
        options.append(run)
        run = None
        options.append(_contains(op, av))
    options.append(run)
    return _best(options)


_First = tuple[frozenset[str], frozenset[str]]  # characters, categories (regex classes)


@functools.lru_cache(maxsize=8192)
def start_chars(pattern: str) -> _First | None:
    """For a pattern anchored at the line start (every branch begins with ``^``), the
    characters a matching line can begin with (a set, plus classes such as ``\\s``
    whose members are tested by ``regex``); None when unknown or not anchored.

    >>> chars, classes = start_chars(r"^[【\\[]?\\s*(?:上一篇|下一篇)")
    >>> sorted(chars), sorted(classes)
    (['[', '【', '上', '下'], ['\\\\s'])
    """
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & (_c.SRE_FLAG_IGNORECASE | _c.SRE_FLAG_VERBOSE | _c.SRE_FLAG_MULTILINE):
        return None
    branches = parsed.data[0][1][1] if len(parsed.data) == 1 and parsed.data[0][0] is _c.BRANCH else [parsed]
    chars: set[str] = set()
    categories: set[str] = set()
    for branch in branches:
        items = list(branch)
        if not items or items[0][0] is not _c.AT or items[0][1] not in _AT_START:
            return None
        found = _first_of(items[1:])
        if found is None or found[2]:  # unknown, or the branch can match an empty start
            return None
        chars |= found[0]
        categories |= found[1]
    if len(chars) > _FIRST_MAX:
        return None
    return frozenset(chars), frozenset(categories)


def _first_of(items: Any) -> tuple[set[str], set[str], bool] | None:
    """First characters of a sequence, its categories, and whether it can match empty."""
    chars: set[str] = set()
    categories: set[str] = set()
    for op, av in items:
        found = _first_item(op, av)
        if found is None:
            return None
        chars |= found[0]
        categories |= found[1]
        if not found[2]:
            return chars, categories, False
    return chars, categories, True


def _first_item(op: Any, av: Any) -> tuple[set[str], set[str], bool] | None:
    if op is _c.LITERAL:
        return {chr(av)}, set(), False
    if op is _c.IN:
        found = _members(av, _FIRST_MAX)
        return None if found is None else (found[0], found[1], False)
    if op is _c.CATEGORY:
        return (set(), {_CATEGORIES[av]}, False) if av in _CATEGORIES else None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        found = _first_of(sub)
        if found is None or not add_flags & _c.SRE_FLAG_IGNORECASE:
            return found
        # ignoring case: each first character becomes a class that ``regex`` tests the same way
        return set(), found[1] | {f"(?i:{regex.escape(char)})" for char in found[0]}, found[2]
    if op is _c.BRANCH:
        chars, categories, empty = set(), set(), False
        for branch in av[1]:
            found = _first_of(branch)
            if found is None:
                return None
            chars |= found[0]
            categories |= found[1]
            empty = empty or found[2]
        return chars, categories, empty
    if op in _REPEATS:
        low, _high, sub = av
        found = _first_of(sub)
        return None if found is None else (found[0], found[1], found[2] or low == 0)
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return set(), set(), True  # zero width: the next item decides
    return None  # any character, back-references, anchors past the start


_NO_HEADS: frozenset[int] = frozenset()


Analysis = tuple["frozenset[str] | None", "tuple[frozenset[str], frozenset[str]] | None", "_First | None"]


def analyse(pattern: str) -> Analysis:
    """What a prefilter reads off ``pattern``: its :func:`required_literals`,
    :func:`closed_alphabet` and :func:`start_chars`."""
    return required_literals(pattern), closed_alphabet(pattern), start_chars(pattern)


def _analysis_of(pattern: str, known: Mapping[str, Analysis] | None) -> Analysis:
    found = known.get(pattern) if known is not None else None
    return found if found is not None else analyse(pattern)


def stored_analysis(patterns: Sequence[str]) -> dict[str, Analysis]:
    """:func:`analyse` of each of ``patterns``, kept in :mod:`textclean.cache` (~25 ms for
    the rule pack's patterns, read back in well under one): by a digest of the
    patterns, this module's source and the Python whose ``re`` parser reads them."""
    from . import cache

    key = cache.digest("prefilter", *patterns, sources=[__file__])
    stored = cache.load_json("prefilter", key)
    if stored is not None:
        try:
            found = {pattern: _decoded(value) for pattern, value in zip(patterns, stored, strict=True)}
        except (TypeError, ValueError):  # not what this module stores: analysed again
            found = None
        if found is not None:
            return found
    found = {pattern: analyse(pattern) for pattern in patterns}
    cache.store_json("prefilter", key, [_encoded(found[pattern]) for pattern in patterns])
    return found


def _encoded(analysis: Analysis) -> list[Any]:
    def texts(found: frozenset[str] | None) -> list[str] | None:
        return None if found is None else sorted(found)

    literals, alphabet, first = analysis
    return [texts(literals), None if alphabet is None else [texts(part) for part in alphabet],
            None if first is None else [texts(part) for part in first]]


def _decoded(value: Any) -> Analysis:
    """:func:`_encoded` undone; TypeError or ValueError for anything it does not make."""
    def texts(found: Any) -> frozenset[str]:
        if not isinstance(found, list) or not all(isinstance(text, str) for text in found):
            raise TypeError("not a list of texts")
        return frozenset(found)

    def pair(found: Any) -> tuple[frozenset[str], frozenset[str]] | None:
        if found is None:
            return None
        first, second = found
        return texts(first), texts(second)

    literals, alphabet, first = value
    return None if literals is None else texts(literals), pair(alphabet), pair(first)


class Prefilter:
    """Which rules of a list a line could match, by cheap tests that never miss one.

    ``patterns`` in pack order; ``screens_of(positions)`` builds alternations of
    rules (see :mod:`textclean.rules`). A rule is a candidate when

    - anchored at the line start, with known first characters
      (:func:`start_chars`): the line begins with one of them;
    - floating, with required literals: one alternation of every such rule's
      literals finds one in the line (``re``; ``regex`` for those matched ignoring case);
    - otherwise: an alternation of those rules (their screen) matches.

    Then each candidate with literals must hold one of its own (a small alternation
    each). Each rule's own ``regex`` decides.
    """

    def __init__(self, patterns: Sequence[str], screens_of: Callable[[list[int]], tuple[Callable[[str], Any], ...]],
                 known: Mapping[str, Analysis] | None = None) -> None:
        """``known``: :func:`analyse` of some of the patterns, done already (the others
        are analysed here)."""
        self.by_char: dict[str, list[int]] = {}
        by_category: dict[str, list[int]] = {}
        floating: list[int] = []
        screened: list[int] = []
        self._literal_sets: dict[int, frozenset[str]] = {}
        self._alphabets: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        every_literal: set[str] = set()
        for position, pattern in enumerate(patterns):
            literals, alphabet, first = _analysis_of(pattern, known)
            if literals is not None:
                self._literal_sets[position] = literals
            # (not for a rule whose every literal spells its whole alphabet, as a mined ^line$ does:
            # the literal test is as good, and an alphabet per mined line only costs memory)
            if alphabet is not None and not (literals is not None and not alphabet[1] and all(
                    set(_body(literal)) >= alphabet[0] for literal in literals)):
                self._alphabets[position] = alphabet
            if first is not None:
                for char in first[0]:
                    self.by_char.setdefault(char, []).append(position)
                for category in first[1]:
                    by_category.setdefault(category, []).append(position)
            elif literals is not None:
                floating.append(position)
                every_literal |= literals
            else:
                screened.append(position)
        self.by_category = tuple((regex.compile(category).match, tuple(found)) for category, found in
                                 sorted(by_category.items()))
        # first character -> anchored candidates: all of them now when no class test is needed (a
        # character not in it starts none), else filled as lines come
        self._heads: dict[str, frozenset[int]] = {} if self.by_category else {
            char: frozenset(found) for char, found in self.by_char.items()}
        self.floating = tuple(floating)
        # one search per kind: ``re`` for literals matched as written (fast on a big alternation), ``regex``
        # for the few matched ignoring case
        self._any_sets = _by_kind(every_literal)
        self.screened = tuple(screened)
        self.screens = screens_of(screened) if screened else ()
        # The literal searches, by the compiled core where it is built, else by re/regex (the
        # reference): made here for the core in use, so a process that built its prefilters
        # (warm_up) has them; the other kind only if the process changes cores.
        self._searches_by: dict[bool, tuple[tuple[Callable[[str], Any], ...], dict[int, Callable[[str], Any]],
                                            dict[int, Callable[[str], Any]]]] = {}
        self._searches()

    def _searches(self) -> tuple[tuple[Callable[[str], Any], ...], dict[int, Callable[[str], Any]],
                                 dict[int, Callable[[str], Any]]]:
        """The tests of :meth:`positions`: one literal search per literal set of
        :attr:`_any_sets` (any floating rule's literal), each rule's own literal
        test, and each whole-line rule's alphabet test (:func:`closed_alphabet`)."""
        native = core() is not None
        found = self._searches_by.get(native)
        if found is None:
            search = _native_search if native else _alternation_of
            found = self._searches_by[native] = (
                tuple(search(part) for part in self._any_sets),
                {position: search(literals) for position, literals in self._literal_sets.items()},
                {position: _alphabet_test(*alphabet) for position, alphabet in self._alphabets.items()},
            )
        return found

    def _heads_of(self, first: str) -> frozenset[int]:
        """The anchored rules a line starting with ``first`` may match, for a prefilter
        with class tests (without, ``_heads`` holds them all from the start). Kept per
        character seen; the many characters that start no rule share one empty set (a
        prefilter lives as long as its site's rules: a set per character seen, ~500 KB a
        site, grew with the crawl)."""
        heads = set(self.by_char.get(first, ()))
        for test, found in self.by_category:
            if test(first) is not None:
                heads.update(found)
        frozen = self._heads[first] = frozenset(heads) if heads else _NO_HEADS
        return frozen

    def positions(self, line: str) -> list[int]:
        """Positions (in the list given) of the rules ``line`` could match, in order."""
        first = line[:1]
        heads = self._heads.get(first)
        if heads is None:
            heads = self._heads_of(first) if self.by_category else _NO_HEADS
        searches = self._searches_by.get(core() is not None)
        any_literal, tests, alphabets = searches if searches is not None else self._searches()
        floating = screened = False
        for search in any_literal:
            if search(line) is not None:
                floating = True
                break
        if self.screens:
            try:
                for screen in self.screens:
                    if screen(line) is not None:
                        screened = True
                        break
            except TimeoutError:  # a slow alternation: each rule is tried with its own timeout
                screened = True
        if floating or screened:  # most lines: neither, and no set to build
            candidates: set[int] | frozenset[int] = set(heads)
            if floating:
                candidates.update(self.floating)  # type: ignore[union-attr]
            if screened:
                candidates.update(self.screened)  # type: ignore[union-attr]
        elif heads:
            candidates = heads
        else:
            return []
        found = [position for position in candidates
                 if (position not in tests or tests[position](line) is not None)
                 and (position not in alphabets or alphabets[position](line) is not None)]
        found.sort()
        return found


class Screen:
    """Whether any of ``patterns`` could match a line — in any scope, zone or length
    class: a cheap test for the lines no rule of a set can touch (most of a page's
    paragraphs), which then skip the prefilters of every scope and zone. False is
    certain; True says only: ask the rules' :class:`Prefilter`.

    A pattern anchored at the line start is screened by its first characters
    (:func:`start_chars`), else one with required literals by them (one search for the
    literals of all such patterns), as :class:`Prefilter` does; one with neither makes
    the screen pass every line.
    """

    def __init__(self, patterns: Sequence[str], known: Mapping[str, Analysis] | None = None) -> None:
        literals: set[str] = set()
        chars: set[str] = set()
        categories: set[str] = set()
        self.always = False
        for pattern in patterns:
            found, _, first = _analysis_of(pattern, known)
            if first is not None:
                chars |= first[0]
                categories |= first[1]
                continue
            if found is None:
                self.always = True
                break
            literals |= found
        self.chars = frozenset(chars)
        self.tests = tuple(regex.compile(category).match for category in sorted(categories))
        # one search per kind, as Prefilter's, made for the core in use (see Prefilter._searches)
        self.literal_sets = _by_kind(literals)
        self._searches_by: dict[bool, tuple[Callable[[str], Any], ...]] = {}

    def _searches(self) -> tuple[Callable[[str], Any], ...]:
        native = core() is not None
        found = self._searches_by.get(native)
        if found is None:
            search = _native_search if native else _alternation_of
            found = self._searches_by[native] = tuple(search(literals) for literals in self.literal_sets)
        return found

    def __call__(self, line: str) -> bool:
        if self.always:
            return True
        first = line[:1]
        if first in self.chars:
            return True
        for test in self.tests:
            if test(first) is not None:
                return True
        for search in self._searches():
            if search(line) is not None:
                return True
        return False


def _by_kind(literals: set[str]) -> tuple[frozenset[str], ...]:
    """``literals`` as one set matched as written and one matched ignoring case (the
    empty ones left out): one search each (see :class:`Prefilter`)."""
    exact = frozenset(literal for literal in literals if not literal.startswith(IGNORE_CASE))
    return tuple(kind for kind in (exact, frozenset(literals - exact)) if kind)


@functools.lru_cache(maxsize=4096)
def _native_search(literals: frozenset[str]) -> Callable[[str], Any]:
    """:func:`_alternation_of` by the compiled core's ``LiteralSet`` (a substring test,
    True or None). A literal matched ignoring case goes in as the characters ``regex``
    matches each of its characters with (:func:`_caseless`); a set holding one that
    cannot (a character with case outside ASCII) keeps its ``regex``. Once per set in a process."""
    compiled = core()
    if compiled is None:
        return _alternation_of(literals)
    caseless = [_body(literal) for literal in sorted(literals) if literal.startswith(IGNORE_CASE)]
    alternatives = [[_caseless(char) for char in body] for body in caseless]
    if any(options is None for literal in alternatives for options in literal):
        return _alternation_of(literals)
    exact = sorted(literal for literal in literals if not literal.startswith(IGNORE_CASE))
    return compiled.LiteralSet(exact, alternatives).search  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4096)
def _alphabet_test(chars: frozenset[str], classes: frozenset[str]) -> Callable[[str], Any]:
    """A test that a line holds only ``chars``, characters of ``classes`` (as ``regex``
    reads them, over the BMP), a line feed (``$`` matches before one) or characters
    outside the BMP (not checked): True or None. By the compiled core's ``CharSet``
    where it is built, else a ``re`` class of the other characters."""
    allowed = set(chars) | {"\n"}
    for name in sorted(classes):
        allowed |= _class_chars(name)
    bmp = sorted(char for char in allowed if ord(char) < 0x10000)
    compiled = core()
    if compiled is not None:
        return compiled.CharSet(bmp).search  # type: ignore[no-any-return]
    other = re.compile("[^" + "".join(map(re.escape, bmp)) + "\U00010000-\U0010ffff]")
    return lambda line: None if other.search(line) is not None else True


@functools.lru_cache(maxsize=None)
def _class_chars(name: str) -> frozenset[str]:
    """The characters of the BMP that ``regex`` matches with the class ``name``."""
    return frozenset(regex.findall(name, _every_bmp()))


@functools.lru_cache(maxsize=None)
def _caseless(char: str) -> tuple[str, ...] | None:
    """The characters ``regex`` matches ``char`` with ignoring case (``(?i)``, as
    :func:`_alternation_of` compiles it; not symmetric: ``i`` matches ``İ``, ``I``
    matches ``ı``), found by ``regex`` itself over the BMP — for an ASCII character
    or one without case, whose matches are all there (tested over every code point)
    — else None. At most 4 (the compiled test's room)."""
    if not char.isascii() and (char.lower() != char or char.upper() != char or char.casefold() != char):
        return None
    found = tuple(match.group() for match in regex.compile(f"(?i:{regex.escape(char)})").finditer(_every_bmp()))
    return found if 1 <= len(found) <= 4 else None


@functools.lru_cache(maxsize=1)
def _every_bmp() -> str:
    return "".join(map(chr, range(0x10000)))


@functools.lru_cache(maxsize=4096)
def _alternation_of(literals: frozenset[str]) -> Callable[[str], Any]:
    """``search`` of an alternation of ``literals`` (longest first); compiled once per
    set in a process (a rule's set recurs in every zone and length class, and for
    every site whose mined rules are added to the pack). ``re``, or ``regex`` when a
    literal is matched ignoring case (so case is folded as the rules fold it)."""
    ordered = sorted(literals, key=lambda literal: (-len(_body(literal)), literal))
    if not any(literal.startswith(IGNORE_CASE) for literal in ordered):
        return re.compile("|".join(map(re.escape, ordered))).search
    return regex.compile("|".join(f"(?i:{regex.escape(_body(literal))})" if literal.startswith(IGNORE_CASE)
                                  else regex.escape(literal) for literal in ordered)).search
