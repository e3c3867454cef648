"""Boilerplate rules as data: :class:`Rule`, :class:`RuleSet`, the built-in pack.

The rules are applied by :func:`textclean.boilerplate.strip_boilerplate`.

A rule pack is a TOML file (the built-in Chinese pack is ``rules/zh.toml``)::

    [[rule]]
    id = "mysite.footer"                # unique; shown in reports and `explain`
    category = "footer"                 # groups rules in the report totals
    scope = "line"                      # "line": drop the whole line; "span": cut the match out
    zone = "tail"                       # "any" (default), "head", "tail" or "edges" (head or tail)
    max_chars = 120                     # optional: only lines this short are tested
    pattern = '''^本文由.{1,20}整理发布$'''   # `regex` syntax, searched in each line
    examples = ["本文由某某网整理发布"]     # must match (scope "span": may be {text=..., clean=...})
    counterexamples = ["本文由三部分组成。"] # must not match

Zones count non-blank lines: "head" is the first ``head_lines``, "tail" the last
``tail_lines`` (see :class:`~textclean.config.BoilerplateConfig`). Every rule is
compiled once, and a user's rule is searched with a timeout, so a catastrophic
pattern in a user pack costs at most ``timeout`` seconds per line and is reported,
never a hung job (the built-in pack and mined rules are *trusted*: tested on
backtracking probes, searched without the clock reads a timeout costs).

Speed: most lines match no rule, so each line is first *prefiltered*
(:mod:`textclean.prefilter`, per scope, zone and length class): a rule anchored at
the line start is tried only on lines that begin with one of its first characters,
any rule only on lines holding one of the literals its pattern cannot match
without. Rules with neither are *screened* by alternations of them (``trusted``
anchored ones by Python's ``re``, about 3x faster than ``regex`` there). A rule is
always *decided* by its own ``regex`` pattern, so the result is the same as trying
every rule.

Scripts: rules are matched against the *simplified view* of each line
(:func:`~textclean.normalize.simplified_view`: traditional characters replaced
one for one), and each pattern is compiled in its simplified view too. So a rule
written once, in either script, catches the page in both: "延伸閱讀" on a Big5 page
goes by the rule for "延伸阅读". The view keeps every position, so span rules cut
the original line where they matched; the output keeps the page's own script.
"""

from __future__ import annotations

import bisect
import copyreg
import functools
import re
import sys
import warnings as _warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import regex

from .config import BoilerplateConfig
from .errors import RuleError
from .normalize import simplified_view
from .prefilter import Prefilter, Screen, stored_analysis

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Rule", "RuleSet", "resolve_rules", "SCOPES", "ZONES"]

SCOPES = ("line", "span")
ZONES = ("any", "head", "tail", "edges")
_FIELDS = {
    "id", "category", "scope", "zone", "pattern", "max_chars", "replace",
    "description", "examples", "counterexamples",
}


_RULE_ID = regex.compile(r"[A-Za-z0-9_.\-]+")  # what a rule id may hold (see Rule)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One boilerplate pattern with its own examples.

    >>> rule = Rule(id="demo.visit", category="related", pattern=r"^推荐访问[:：]?$",
    ...             examples=("推荐访问:",), counterexamples=("推荐访问故宫。",))
    >>> rule.failures()
    []
    """

    id: str
    category: str
    pattern: str
    scope: str = "line"
    zone: str = "any"
    max_chars: int | None = None
    replace: str = ""
    description: str = ""
    examples: tuple[Any, ...] = ()
    counterexamples: tuple[str, ...] = ()
    timeout: float = 1.0
    trusted: bool = False  # a tested pattern: screened with the faster ``re`` engine (see module doc)
    view_pattern: str = field(init=False, repr=False, compare=False)  # the pattern's simplified view: what runs

    def __post_init__(self) -> None:
        where = f"rule {self.id!r}"
        if not isinstance(self.id, str) or not _RULE_ID.fullmatch(self.id):
            raise RuleError(f"{where}: id must be letters, digits, '.', '_' or '-', e.g. 'mysite.footer'")
        if self.scope not in SCOPES:
            raise RuleError(f"{where}: scope must be one of {SCOPES}, got {self.scope!r}")
        if self.zone not in ZONES:
            raise RuleError(f"{where}: zone must be one of {ZONES}, got {self.zone!r}")
        if self.max_chars is not None and (not isinstance(self.max_chars, int) or self.max_chars < 1):
            raise RuleError(f"{where}: max_chars must be a positive integer or left out")
        if not self.pattern:
            raise RuleError(f"{where}: pattern is empty")
        object.__setattr__(self, "examples", tuple(self.examples))
        object.__setattr__(self, "counterexamples", tuple(self.counterexamples))
        view_pattern = simplified_view(self.pattern)
        object.__setattr__(self, "_literal", None)
        if self.trusted and view_pattern == self.pattern:
            # A tested pattern (the built-in pack's tests, mining's own escapes and slots)
            # is compiled when it is first searched: a process that never tries it (the
            # parent of worker processes, a small run) does not pay for it.
            object.__setattr__(self, "view_pattern", view_pattern)
            object.__setattr__(self, "_literal", _whole_line_literal(view_pattern))
            return
        try:
            compiled = regex.compile(self.pattern)
        except regex.error as exc:
            raise RuleError(f"{where}: pattern does not compile: {exc}") from None
        if view_pattern != self.pattern:  # traditional characters in the pattern: it runs on simplified views
            try:
                compiled = regex.compile(view_pattern)
            except regex.error:  # a class range whose ends convert out of order: keep the pattern as written
                view_pattern = self.pattern
        object.__setattr__(self, "view_pattern", view_pattern)
        if compiled.search(""):
            raise RuleError(f"{where}: pattern matches the empty string; anchor it or require a character")
        object.__setattr__(self, "_compiled", compiled)

    def __getstate__(self) -> dict[str, Any]:  # a worker compiles the rules it tries, when it tries them
        return {name: value for name, value in self.__dict__.items() if name != "_compiled"}

    @property
    def compiled(self) -> Any:
        """The rule's ``regex`` pattern (its simplified view), compiled once."""
        try:
            return self.__dict__["_compiled"]
        except KeyError:
            compiled = regex.compile(self.view_pattern)
            object.__setattr__(self, "_compiled", compiled)
            return compiled

    @property
    def limit(self) -> float | None:
        """The time limit of one search: ``timeout`` for a user's rule; none for a
        trusted one (the built-in pack and mined rules: tested on backtracking probes
        and screened by ``re``, which has no limit either; ``--doc-timeout`` still
        bounds a document). A limit costs a clock read per search."""
        return None if self.trusted else self.timeout

    def applies_to(self, line: str) -> bool:
        return self.max_chars is None or len(line) <= self.max_chars

    def matches(self, line: str, *, view: str | None = None) -> bool:
        """Whether the rule fires on ``line`` (ignoring zones); ``view`` is the
        line's :func:`~textclean.normalize.simplified_view` when the caller has it.
        May raise TimeoutError."""
        if not self.applies_to(line):
            return False
        view = simplified_view(line) if view is None else view
        literal = self.__dict__.get("_literal")  # (a rule pickled by an older textclean has none)
        if literal is not None:  # ^line$: equal (or followed by the one newline $ allows), no regex needed
            return view == literal or view == literal + "\n"
        return self.compiled.search(view, timeout=self.limit) is not None

    def cut(self, line: str, *, view: str | None = None) -> tuple[str, list[str]]:
        """For a span rule: the line with matches cut out, and what was cut (as
        written in ``line``). Matches are found in the line's simplified ``view``
        and cut from ``line`` at the same positions; a ``replace`` template's groups
        are filled from ``line`` (the page's own script)."""
        if not self.applies_to(line):
            return line, []
        view = simplified_view(line) if view is None else view
        pieces: list[str] = []
        cuts: list[str] = []
        end = 0
        for match in self.compiled.finditer(view, timeout=self.limit):
            start, stop = match.span()
            pieces.append(line[end:start])
            cuts.append(line[start:stop])
            if self.replace:
                pieces.append(match.expand(self.replace) if view is line else _expand(self.replace, match, line))
            end = stop
        if not cuts:
            return line, []
        pieces.append(line[end:])
        return "".join(pieces), cuts

    def failures(self) -> list[str]:
        """What is wrong with this rule's own examples (empty when all pass)."""
        problems: list[str] = []
        for example in self.examples:
            text, clean = (example.get("text"), example.get("clean")) if isinstance(example, Mapping) else (example, None)
            if self.scope == "line":
                if not self.matches(text):
                    problems.append(f"{self.id}: example not matched: {text!r}")
            else:
                result, cuts = self.cut(text)
                if not cuts:
                    problems.append(f"{self.id}: example not matched: {text!r}")
                elif clean is not None and result != clean:
                    problems.append(f"{self.id}: {text!r} became {result!r}, expected {clean!r}")
        for text in self.counterexamples:
            if self.matches(text):
                problems.append(f"{self.id}: counterexample matched: {text!r}")
        return problems


@dataclass(frozen=True)
class RuleSet:
    """An ordered, immutable collection of rules with unique ids.

    >>> pack = RuleSet.builtin()
    >>> len(pack) > 20 and "zh.header.welcome" in pack.ids()
    True
    """

    rules: tuple[Rule, ...] = ()
    _combined: dict[tuple[str, str, int], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The sets this one was added up from (pack + a site's mined rules): each keeps
    # its own compiled screens, so a pack shared by a thousand sites compiles once.
    _layers: tuple[RuleSet, ...] = field(default=(), init=False, repr=False, compare=False)
    _screens: dict[tuple[str, int], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _analysed: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _scopes: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise RuleError(
                    f"rule id {rule.id!r} is defined twice; rename one, or disable the built-in one with --disable-rule"
                )
            seen.add(rule.id)

    def __len__(self) -> int:
        return len(self.rules)

    def __getstate__(self) -> dict[str, Any]:  # compiled alternations are rebuilt where they are used
        return {"rules": self.rules, "layers": self._layers}

    def __reduce__(self) -> Any:
        if _builtin_set.cache_info().currsize and self is _builtin_set():
            return RuleSet.builtin, ()  # the receiving process's pack, with what it built
        return copyreg.__newobj__, (type(self),), self.__getstate__()

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        object.__setattr__(self, "_combined", {})
        object.__setattr__(self, "_layers", state.get("layers", ()))
        object.__setattr__(self, "_screens", {})
        object.__setattr__(self, "_analysed", None)
        object.__setattr__(self, "_scopes", None)

    def has_scope(self, scope: str) -> bool:
        """Whether this set (not the sets it is the sum of) has a rule of ``scope``: a
        site's mined rules are all line rules, and the span pass of every line asked
        their empty candidates (~50k calls in the real pages' 10 copies) before."""
        scopes = self._scopes
        if scopes is None:
            scopes = frozenset(rule.scope for rule in self.rules)
            object.__setattr__(self, "_scopes", scopes)
        return scope in scopes

    def layers(self) -> tuple[RuleSet, ...]:
        """The sets this one is the sum of, in order (itself when it is not a sum)."""
        return self._layers or (self,)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rules)

    def ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    @classmethod
    def builtin(cls) -> RuleSet:
        """The built-in Chinese rule pack (``textclean/rules/zh.toml``): one set per process,
        so what it builds on first use (compiled rules, the prefilter of each scope, zone
        and length class, screens) is built once for every pass and step that uses it —
        the mining pass and the cleaning pass, and :func:`~textclean.pipeline.warm_up` in
        the process workers are forked from. The pack pickles as a reference: a
        worker handed it gets its own process's set."""
        return _builtin_set() if cls is RuleSet else cls(_builtin_rules())

    @classmethod
    def from_file(cls, path: str | Path, *, timeout: float = 1.0) -> RuleSet:
        """A user rule pack from a TOML file; errors name the file and the rule."""
        from .io import read_utf8

        return cls.from_toml(read_utf8(path, "rule pack", RuleError), origin=str(path), timeout=timeout)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<toml>", timeout: float = 1.0, trusted: bool = False) -> RuleSet:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{origin}: not valid TOML: {exc}") from None
        entries = data.get("rule", [])
        if not isinstance(entries, list):
            raise RuleError(f"{origin}: rules go in [[rule]] tables")
        rules = []
        for number, entry in enumerate(entries, 1):
            unknown = set(entry) - _FIELDS
            if unknown:
                raise RuleError(
                    f"{origin}: rule #{number} has unknown field(s) {sorted(unknown)}; valid fields: {sorted(_FIELDS)}"
                )
            missing = {"id", "category", "pattern"} - set(entry)
            if missing:
                raise RuleError(f"{origin}: rule #{number} lacks {sorted(missing)}")
            try:
                rules.append(Rule(timeout=timeout, trusted=trusted, **entry))
            except RuleError as exc:
                raise RuleError(f"{origin}: {exc}") from None
            except TypeError as exc:
                raise RuleError(f"{origin}: rule #{number}: {exc}") from None
        return cls(tuple(rules))

    def __add__(self, other: RuleSet) -> RuleSet:
        # A set plus an empty one is that set, caches and all: a site with no mined
        # rules shares the pack's prefilters instead of building its own copy.
        if not other.rules:
            return self
        if not self.rules:
            return other
        total = RuleSet(self.rules + other.rules)
        layers = tuple(layer for layer in self.layers() + other.layers() if layer.rules)
        object.__setattr__(total, "_layers", layers if len(layers) > 1 else ())
        return total

    def without(self, ids: Iterable[str]) -> RuleSet:
        """A copy without the rules whose ids are given; an unknown id is an error."""
        ids = set(ids)
        unknown = ids - set(self.ids())
        if unknown:
            raise RuleError(f"cannot disable unknown rule id(s) {sorted(unknown)}; list them with `textclean rules`")
        return RuleSet(tuple(rule for rule in self.rules if rule.id not in ids))

    def failures(self) -> list[str]:
        """Every rule's example failures, for tests and `textclean rules --check`."""
        return [problem for rule in self.rules for problem in rule.failures()]

    def candidates(self, scope: str, zone: str, length: int) -> tuple[list[Rule], Prefilter]:
        """The rules of ``scope`` that apply to a line of ``length`` in ``zone``
        ("head", "tail" or "body"), in pack order, and their
        :class:`~textclean.prefilter.Prefilter`, which names the rules a line could
        match from their first characters and required literals, and screens the
        rest with :func:`_screens`. Of a sum of sets, only this set's own rules (see
        :meth:`layers`)."""
        bucket = _class_of(length)
        key = (scope, zone, bucket)
        cached = self._combined.get(key)
        if cached is None:
            rules = [
                rule
                for rule in self.rules
                if rule.scope == scope
                and _zone_allows(rule.zone, zone)
                and (rule.max_chars is None or rule.max_chars >= _previous(bucket))
            ]
            # Length classes often share a rule list: build each list's prefilter once.
            ids = tuple(rule.id for rule in rules)
            prefilter = next((c[1] for c in self._combined.values() if tuple(r.id for r in c[0]) == ids), None)
            if prefilter is None:
                prefilter = Prefilter([rule.view_pattern for rule in rules],
                                      lambda positions: _screens([rules[i] for i in positions]), self._analysis())
            cached = self._combined[key] = (rules, prefilter)
        return cached

    def prefiltered(self) -> bool:
        """Whether this set and the sets it is the sum of have built prefilters
        (:meth:`candidates`) already — as :func:`~textclean.pipeline.warm_up` does."""
        return all(layer._combined for layer in self.layers())

    def screen(self, zone: str, length: int) -> Screen:
        """Whether a rule of this set (not of the sets it is the sum of: see
        :meth:`layers`) of either scope could match a line of ``length`` in ``zone``: a
        :class:`~textclean.prefilter.Screen` of those rules' patterns, one per zone and
        length class, built on first use."""
        bucket = _class_of(length)
        screen = self._screens.get((zone, bucket))
        if screen is None:
            previous = _previous(bucket)
            screen = self._screens[zone, bucket] = Screen([
                rule.view_pattern for rule in self.rules
                if _zone_allows(rule.zone, zone) and (rule.max_chars is None or rule.max_chars >= previous)],
                self._analysis())
        return screen

    def _analysis(self) -> dict[str, Any]:
        """What the prefilters read off this set's patterns (:func:`~textclean.prefilter.analyse`),
        all at once and kept between runs (:func:`~textclean.prefilter.stored_analysis`) —
        but for mined rules: a site's own, analysed as its prefilters are built."""
        found = self._analysed
        if found is None:
            patterns = sorted({rule.view_pattern for rule in self.rules if rule.category != "mined"})
            found = stored_analysis(patterns) if patterns else {}
            object.__setattr__(self, "_analysed", found)
        return found


_METACHARACTERS = frozenset(".^$*+?{}[]\\|()")


def _whole_line_literal(pattern: str) -> str | None:
    """The line a pattern ``^…$`` matches when its middle is plain characters and
    escaped non-alphanumeric ones (mining's ``"^" + regex.escape(line) + "$"``), else None."""
    if len(pattern) < 2 or pattern[0] != "^" or pattern[-1] != "$":
        return None
    out: list[str] = []
    body, i = pattern[1:-1], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum() or body[i + 1] == "_":
                return None  # a class (\d), a reference (\1), or the closing $ escaped
            out.append(body[i + 1])
            i += 2
            continue
        if char in _METACHARACTERS:
            return None
        out.append(char)
        i += 1
    return "".join(out)


# A replacement template's pieces: an octal escape, a group reference, another escape, literal text.
_TEMPLATE = regex.compile(r"\\(?:0[0-7]{0,2}|[1-7][0-7]{2})|\\g<([^>]*)>|\\([1-9][0-9]?)|\\.|[^\\]+", regex.S)


def _expand(template: str, match: Any, line: str) -> str:
    """``match.expand(template)`` for a match found in the simplified view of
    ``line``, with each group's text taken from ``line`` at the same position."""
    out: list[str] = []
    for piece in _TEMPLATE.finditer(template):
        name, number = piece.group(1), piece.group(2)
        if name is None and number is None:
            out.append(match.expand(piece.group(0)))  # literal text and escapes as regex reads them
            continue
        group = int(number) if number is not None else (int(name) if name.isdigit() else name)
        start, stop = match.span(group)
        out.append(line[start:stop] if start >= 0 else "")
    return "".join(out)


def _top_level_branches(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|`` (outside groups and classes)."""
    branches, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    branches.append(pattern[start:])
    return branches


_UNCOMBINABLE = regex.compile(r"\\[1-9]|\\g<|\(\?P[<=]|\(\?<[A-Za-z_]|\(\?&|\(\?R|\(\?\d")


@functools.lru_cache(maxsize=4096)
def _combinable(pattern: str) -> bool:
    """False for patterns that use group numbers or names (back-references, recursion)."""
    return _UNCOMBINABLE.search(pattern) is None


@functools.lru_cache(maxsize=4096)
def _re_compatible(pattern: str) -> bool:
    """Whether the stdlib ``re`` compiles ``pattern`` without a warning (``regex``
    extensions such as ``\\p{Han}``, nested sets or fuzzy matching stay on ``regex``)."""
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, Warning, RecursionError, OverflowError):
        return False
    return True


def _screens(rules: list[Rule]) -> tuple[Callable[[str], Any], ...]:
    """Compiled alternations that together match every line one of ``rules`` matches.

    Anchored patterns of trusted rules go to ``re`` (about 3x faster than
    ``regex`` at matching a big alternation at the start of a line); floating
    patterns stay on ``regex``, which searches a big alternation about 2x faster
    than ``re`` (``python benchmarks/stages.py --screens``).
    """
    # Back-references and named groups change meaning inside a bigger
    # alternation (group numbers shift): such rules are screened by an
    # alternation that always matches, so they are tried one by one.
    solo = [rule for rule in rules if not _combinable(rule.view_pattern)]
    anchored = [rule for rule in rules if rule not in solo and _anchored(rule.view_pattern)]
    fast = [rule for rule in anchored if rule.trusted and _re_compatible(rule.view_pattern)]
    slow_anchored = [rule for rule in anchored if rule not in fast]
    floating = [rule for rule in rules if rule not in solo and rule not in anchored]
    limits = [rule.limit for rule in rules if rule.limit is not None]
    timeout = max(limits) if limits else None
    screens: list[Callable[[str], Any]] = []
    if fast:
        screens.append(re.compile(_alternation(fast)).match)
    if slow_anchored:
        screens.append(functools.partial(regex.compile(_alternation(slow_anchored)).match, timeout=timeout))
    if floating or solo:
        pattern = _alternation(floating) + ("|" if floating and solo else "") + ("(?s)^" if solo else "")
        screens.append(functools.partial(regex.compile(pattern).search, timeout=timeout))
    return tuple(screens)


def _alternation(rules: list[Rule]) -> str:
    return "|".join(f"(?:{rule.view_pattern})" for rule in rules)


@functools.lru_cache(maxsize=4096)
def _anchored(pattern: str) -> bool:
    return all(branch.startswith("^") for branch in _top_level_branches(pattern))


# Length classes for the combined patterns: few, so few alternations are compiled
# (compiling them is most of a worker's start-up, Python's ``re`` compiler is slow).
# A rule whose max_chars falls inside a class still joins it; rule.matches()
# checks the exact limit when the alternation says "maybe". Chosen by instruction
# counts (valgrind callgrind, `textclean clean` of a 3 MB generated corpus, --jobs 1):
# (30, 60, 120, 300, 600) 12.23 G, (60, 300) 12.27 G, (40, 150, 600) 11.88 G.
_BUCKETS = (40, 150, 600)


def _bucket(length: int, limits: tuple[int, ...]) -> int:
    """The smallest length class a line of ``length`` fits under (or past them all)."""
    return limits[bisect.bisect_left(limits, length)] if length <= limits[-1] else limits[-1] + 1


_BUCKET_OF = tuple(_bucket(length, _BUCKETS) for length in range(_BUCKETS[1] + 1))  # the classes of short lines


def _class_of(length: int) -> int:
    """The length class of a line (:func:`_bucket` of the pack's classes; by table for short lines)."""
    return _BUCKET_OF[length] if length < len(_BUCKET_OF) else _bucket(length, _BUCKETS)


def _previous(bucket: int) -> int:
    """The shortest line length of a class (rules with a smaller max_chars cannot match there)."""
    index = bisect.bisect_left(_BUCKETS, bucket)
    return _BUCKETS[index - 1] + 1 if index > 0 else 0


def _zone_allows(rule_zone: str, zone: str) -> bool:
    if rule_zone == "any":
        return True
    if rule_zone == "edges":
        return zone in ("head", "tail")
    return rule_zone == zone


@functools.lru_cache(maxsize=1)
def _builtin_rules() -> tuple[Rule, ...]:
    """The parsed built-in pack: read and compiled once per process (the rules are immutable)."""
    text = resources.files("textclean").joinpath("rules/zh.toml").read_text(encoding="utf-8")
    return RuleSet.from_toml(text, origin="built-in pack zh.toml", trusted=True).rules


@functools.lru_cache(maxsize=1)
def _builtin_set() -> RuleSet:
    """:meth:`RuleSet.builtin`'s set (its caches fill as lines come; the rules never change)."""
    return RuleSet(_builtin_rules())


def resolve_rules(config: BoilerplateConfig) -> RuleSet:
    """The rule set a config asks for: its ``rules`` (or the built-in pack) minus ``disable_rules``."""
    rules = config.rules if config.rules is not None else RuleSet.builtin()
    return rules.without(config.disable_rules) if config.disable_rules else rules
