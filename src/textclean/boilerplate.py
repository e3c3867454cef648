"""Boilerplate removal with rules that are data: :class:`Rule`, :class:`RuleSet`.

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
compiled once and searched with a timeout, so a catastrophic pattern in a user
pack costs at most ``timeout`` seconds per line and is reported, never a hung job.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import regex

from .config import BoilerplateConfig
from .document import Document, Line, Removal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import RuleError

__all__ = ["Rule", "RuleSet", "strip_boilerplate", "SCOPES", "ZONES"]

SCOPES = ("line", "span")
ZONES = ("any", "head", "tail", "edges")
_FIELDS = {
    "id", "category", "scope", "zone", "pattern", "max_chars", "replace",
    "description", "examples", "counterexamples",
}


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
    compiled: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"rule {self.id!r}"
        if not isinstance(self.id, str) or not regex.fullmatch(r"[A-Za-z0-9_.\-]+", self.id):
            raise RuleError(f"{where}: id must be letters, digits, '.', '_' or '-', e.g. 'mysite.footer'")
        if self.scope not in SCOPES:
            raise RuleError(f"{where}: scope must be one of {SCOPES}, got {self.scope!r}")
        if self.zone not in ZONES:
            raise RuleError(f"{where}: zone must be one of {ZONES}, got {self.zone!r}")
        if self.max_chars is not None and (not isinstance(self.max_chars, int) or self.max_chars < 1):
            raise RuleError(f"{where}: max_chars must be a positive integer or left out")
        if not self.pattern:
            raise RuleError(f"{where}: pattern is empty")
        try:
            compiled = regex.compile(self.pattern)
        except regex.error as exc:
            raise RuleError(f"{where}: pattern does not compile: {exc}") from None
        if compiled.search(""):
            raise RuleError(f"{where}: pattern matches the empty string; anchor it or require a character")
        object.__setattr__(self, "compiled", compiled)
        object.__setattr__(self, "examples", tuple(self.examples))
        object.__setattr__(self, "counterexamples", tuple(self.counterexamples))

    def applies_to(self, line: str) -> bool:
        return self.max_chars is None or len(line) <= self.max_chars

    def matches(self, line: str) -> bool:
        """Whether the rule fires on ``line`` (ignoring zones). May raise TimeoutError."""
        return self.applies_to(line) and self.compiled.search(line, timeout=self.timeout) is not None

    def cut(self, line: str) -> tuple[str, list[str]]:
        """For a span rule: the line with matches cut out, and what was cut."""
        if not self.applies_to(line):
            return line, []
        cuts: list[str] = []

        def record(match: Any) -> str:
            cuts.append(match.group(0))
            return match.expand(self.replace) if self.replace else ""

        return self.compiled.sub(record, line, timeout=self.timeout), cuts

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

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rules)

    def ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    @classmethod
    def builtin(cls) -> RuleSet:
        """The built-in Chinese rule pack (``textclean/rules/zh.toml``)."""
        text = resources.files("textclean").joinpath("rules/zh.toml").read_text(encoding="utf-8")
        return cls.from_toml(text, origin="built-in pack zh.toml")

    @classmethod
    def from_file(cls, path: str | Path, *, timeout: float = 1.0) -> RuleSet:
        """A user rule pack from a TOML file; errors name the file and the rule."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleError(f"cannot read rule pack {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise RuleError(f"rule pack {path} is not UTF-8; save it as UTF-8") from None
        return cls.from_toml(text, origin=str(path), timeout=timeout)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<toml>", timeout: float = 1.0) -> RuleSet:
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
                rules.append(Rule(timeout=timeout, **entry))
            except RuleError as exc:
                raise RuleError(f"{origin}: {exc}") from None
            except TypeError as exc:
                raise RuleError(f"{origin}: rule #{number}: {exc}") from None
        return cls(tuple(rules))

    def __add__(self, other: RuleSet) -> RuleSet:
        return RuleSet(self.rules + other.rules)

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


def _zone(index: int, count: int, config: BoilerplateConfig) -> str:
    if index < config.head_lines:
        return "head"
    if index >= count - config.tail_lines:
        return "tail"
    return "body"


def _in_zone(rule: Rule, zone: str, index: int, count: int, config: BoilerplateConfig) -> bool:
    if rule.zone == "any":
        return True
    in_tail = index >= count - config.tail_lines
    in_head = index < config.head_lines
    if rule.zone == "head":
        return in_head
    if rule.zone == "tail":
        return in_tail
    return in_head or in_tail


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def resolve_rules(config: BoilerplateConfig) -> RuleSet:
    """The rule set a config asks for: its ``rules`` (or the built-in pack) minus ``disable_rules``."""
    rules = config.rules if config.rules is not None else RuleSet.builtin()
    return rules.without(config.disable_rules) if config.disable_rules else rules


def strip_boilerplate(doc: Document, rules: RuleSet, config: BoilerplateConfig | None = None) -> Document:
    """Cut span matches out of each line, then drop lines a line rule matches.

    Every removal is traced with its rule id and zone. A rule that times out on a
    line is treated as not matching there, and a warning is added to the document.

    >>> doc = Document.from_text("欢迎来到某某范文网!\\n正文第一段。\\n本文来源:https://example.com/1.html")
    >>> strip_boilerplate(doc, RuleSet.builtin()).text
    '正文第一段。'
    """
    if doc.skipped:
        return doc
    config = config or BoilerplateConfig()
    lines = doc.lines()
    count = len(lines)
    span_rules = [rule for rule in rules if rule.scope == "span"]
    line_rules = [rule for rule in rules if rule.scope == "line"]
    kept: list[Line] = []
    removals: list[Removal] = []
    warnings: list[str] = []
    for index, line in enumerate(lines):
        zone = _zone(index, count, config)
        text = line.text
        spans: list[Removal] = []
        for rule in span_rules:
            if not _in_zone(rule, zone, index, count, config):
                continue
            try:
                text, cuts = rule.cut(text)
            except TimeoutError:
                warnings.append(f"rule {rule.id} timed out on line {line.number}")
                continue
            spans.extend(
                Removal(step="boilerplate", rule=rule.id, kind="span", line=line.number, text=_short(cut), zone=zone)
                for cut in cuts
            )
        text = text.strip()
        hit: Rule | None = None
        if text:
            for rule in line_rules:
                if not _in_zone(rule, zone, index, count, config):
                    continue
                try:
                    if rule.matches(text):
                        hit = rule
                        break
                except TimeoutError:
                    warnings.append(f"rule {rule.id} timed out on line {line.number}")
        if hit is not None:
            removals.append(
                Removal(step="boilerplate", rule=hit.id, kind="line", line=line.number, text=_short(line.text), zone=zone)
            )
        elif not text:
            rule_id = spans[0].rule if spans else "empty"
            removals.append(
                Removal(step="boilerplate", rule=rule_id, kind="line", line=line.number, text=_short(line.text), zone=zone)
            )
        else:
            removals.extend(spans)
            kept.append(Line(line.number, text))
    result = doc.with_lines(kept, removals)
    if warnings:
        result = dataclasses.replace(result, warnings=result.warnings + tuple(warnings))
    return result
