"""Corpus-level boilerplate: lines and templates that repeat across a site's pages.

Documents are grouped by folder (``site-a/p1.txt`` and ``site-a/p2.txt`` are one
site; files at the top form their own group). :class:`Miner` counts, per group,
in how many pages each short line occurs, and each *template* of it — the line
with its changing slots replaced: ``《…》`` titles, URLs, e-mail addresses, dates,
times and numbers::

    >>> template_of("《我的母亲》由网友分享。地址:http://a.cn/1.html 2023-01-02")
    '《<TITLE>》由网友分享。地址:<URL> <DATE>'

A line or template is mined as chrome when all of these hold:

* it occurs in at least ``mine_min_docs`` pages and in at least ``mine_min_share``
  of the group's pages (a quote shared by two articles never qualifies); pages
  that repeat another page's body (reposts) count once;
* it is short (at most ``mine_max_chars``) and a template keeps at least four
  fixed characters and was seen with at least two different fillings;
* it looks like chrome: at least ``mine_edge_share`` of its occurrences are in the
  head or tail zone (at most a quarter of the page at each end), or it is a
  label (an exact line of at most 40 characters with no sentence end) on nearly
  every page (``mine_everywhere_share``) — a *sentence* on every page is a
  reposted article, left to dedup;
* it is not protected: salutations (同志们：), numbered headings (二、存在的问题),
  and lines the base rule pack already removes are never mined.

The result, :class:`MinedRules`, holds one :class:`~textclean.boilerplate.RuleSet`
per group; rule ids are ``mined.<group>.<hash>`` and each rule's description is
the template, so reports and ``explain`` show what was matched.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import regex

from .boilerplate import Rule, RuleSet
from .config import BoilerplateConfig, MiningConfig
from .document import Document
from .normalize import simplified_view

__all__ = ["template_of", "group_of", "Miner", "MinedRules", "Candidate", "Observation", "observe"]

# Slot markers are private-use characters, so they can never collide with page text.
_URL, _EMAIL, _TITLE, _DATE, _TIME, _NUM = "\ue000\ue001\ue002\ue003\ue004\ue005"
_SLOTS = (
    (_URL, regex.compile(r"(?:https?://|www\.)[^\s\p{Han}，。；）)》】]+"), r"(?:https?://|www\.)[^\s\p{Han}，。；）)》】]+"),
    (_EMAIL, regex.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
    (_TITLE, regex.compile(r"(?<=《)[^《》]{1,100}(?=》)"), r"[^《》]{1,100}"),
    (
        _DATE,
        regex.compile(r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"),
        r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?",
    ),
    (_TIME, regex.compile(r"\d{1,2}:\d{2}(?::\d{2})?"), r"\d{1,2}:\d{2}(?::\d{2})?"),
    (_NUM, regex.compile(r"\d+(?:[.,]\d+)*"), r"\d+(?:[.,]\d+)*"),
)
_DISPLAY = {_URL: "<URL>", _EMAIL: "<EMAIL>", _TITLE: "<TITLE>", _DATE: "<DATE>", _TIME: "<TIME>", _NUM: "<N>"}
_SLOT_PATTERN = {marker: pattern for marker, _, pattern in _SLOTS}
_PROTECTED = regex.compile(
    # salutations and numbered headings: formulaic content, repeated on purpose
    r"^(?:(?:尊敬的|亲爱的|各位)?[^，。！？!?]{0,16}(?:同志们|朋友们|同学们|老师们|领导|来宾|家长们|女士们|先生们|大家好)[^。！？]{0,6}[：:！!，,]?$"
    r"|^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十百\d]+[章节条部分篇])"
    r"|^(?:附件|附录|注|备注)\s*\d*[：:]?$)"
)


# What a line matching _PROTECTED must hold (a superset, tested): a heading's first character
# (a numeral, a bracket, 第, 附/注/备, a digit as regex's \d has it) or a salutation's word
# (every one of them holds 们, 领导, 来宾 or 大家好). Most short lines hold none: no regex runs.
_PROTECTED_FIRST = frozenset("一二三四五六七八九十百（(第附注备")


def _is_digit(char: str) -> bool:
    r"""Whether ``regex``'s ``\d`` matches ``char``: ``str.isdecimal`` in the BMP (tested on
    every code point); past it, where ``regex``'s Unicode tables may be newer than
    Python's (digits of scripts added since), ``regex`` itself."""
    return char.isdecimal() or (char > "\uffff" and _DIGIT.match(char) is not None)


def _protected(text: str) -> bool:
    """Whether a (non-empty) line is :data:`_PROTECTED`: formulaic content, not chrome."""
    first = text[0]
    if first in _PROTECTED_FIRST or _is_digit(first) or "们" in text or "领导" in text or "来宾" in text \
            or "大家好" in text:
        return _PROTECTED.search(text) is not None
    return False


_SENTENCE_END = regex.compile(r"[。！？!?；;]")
_LABEL_CHARS = 40


def template_of(line: str) -> str:
    """``line`` with its changing slots replaced, for display (``<URL>``, ``<TITLE>``, ...)."""
    return _display(_template(line))


_DIGIT = regex.compile(r"\d")
_URL_SLOT, _EMAIL_SLOT, _TITLE_SLOT, _DATE_SLOT, _TIME_SLOT, _NUM_SLOT = (pattern for _, pattern, _ in _SLOTS)


def _template(line: str) -> str:
    """``line`` with each slot of :data:`_SLOTS` replaced by its marker, in order. A slot is
    only looked for when the line holds what each of its matches needs (``http``/``www.``,
    ``@``, ``《``, a digit): most short lines hold none, and a replacement never adds one."""
    if "http" in line or "www." in line:
        line = _URL_SLOT.sub(_URL, line)
    if "@" in line:
        line = _EMAIL_SLOT.sub(_EMAIL, line)
    if "《" in line:
        line = _TITLE_SLOT.sub(_TITLE, line)
    if _DIGIT.search(line) is not None:
        line = _NUM_SLOT.sub(_NUM, _TIME_SLOT.sub(_TIME, _DATE_SLOT.sub(_DATE, line)))
    return line


def _display(template: str) -> str:
    for marker, shown in _DISPLAY.items():
        template = template.replace(marker, shown)
    return template


# (compiled once: regex's module-level functions look the pattern up with flag arithmetic, ~7 µs a call)
_SLOT_MARKER = regex.compile(f"([{''.join(_DISPLAY)}])")
_NOT_IN_SLUG = regex.compile(r"[^A-Za-z0-9_\-]+")


def _to_pattern(template: str) -> str:
    parts = _SLOT_MARKER.split(template)
    return "^" + "".join(_SLOT_PATTERN.get(part, regex.escape(part)) for part in parts if part) + "$"


def group_of(doc_id: str) -> str:
    """The site group of a document: its folder (``""`` at the top)."""
    head, _, _ = doc_id.rpartition("/")
    return head


@dataclass
class _Stats:
    docs: int = 0
    edge: int = 0
    texts: dict[str, None] = field(default_factory=dict)  # distinct fillings seen (first few, in order)
    distinct: int = 0


@dataclass(frozen=True)
class Candidate:
    """One mined line or template with its evidence."""

    group: str
    kind: str  # "line" or "template"
    key: str  # the exact line, or the template with slot markers
    docs: int
    group_docs: int
    edge_share: float
    examples: tuple[str, ...]

    @property
    def display(self) -> str:
        return _display(self.key) if self.kind == "template" else self.key

    @functools.cached_property
    def rule_id(self) -> str:
        """The id of its rule (:meth:`to_rule`), made without the rule (the report lists them)."""
        digest = hashlib.blake2b(f"{self.kind}\0{self.key}".encode(), digest_size=4).hexdigest()
        slug = _NOT_IN_SLUG.sub("_", self.group).strip("_") or "top"
        return f"mined.{slug}.{digest}"

    def to_rule(self) -> Rule:
        pattern = _to_pattern(self.key) if self.kind == "template" else "^" + regex.escape(self.key) + "$"
        return Rule(
            id=self.rule_id,
            category="mined",
            pattern=pattern,
            zone="any",
            description=f"{self.display} ({self.docs} of {self.group_docs} pages in {self.group or '.'}/)",
            examples=self.examples,
            trusted=True,  # an escaped line or a template of our own slots
        )


@dataclass(frozen=True)
class Observation:
    """What mining counts of one page: its site group, a fingerprint of its body
    (reposts count once) and its distinct short lines and templates, as
    ``(kind, key, line text, at an edge)``."""

    group: str
    fingerprint: bytes
    items: tuple[tuple[str, str, str, bool], ...]


def observe(doc: Document, config: MiningConfig | None = None, zones: BoilerplateConfig | None = None) -> Observation | None:
    """The :class:`Observation` of one normalised document (None if it is skipped).

    Pure, so it runs in the worker processes; :meth:`Miner.merge` only counts.
    """
    if doc.skipped:
        return None
    config = config or MiningConfig()
    zones = zones or BoilerplateConfig()
    lines = [text for text in doc.text.split("\n") if text]  # doc.lines()' texts, without a Line each
    # The body: the lines too long to be mined (or all of them).
    body = "\n".join(text for text in lines if len(text) > config.mine_max_chars)
    fingerprint = hashlib.blake2b((body or doc.text).encode("utf-8"), digest_size=8).digest()
    count = len(lines)
    # In a short page every line is near an edge, which proves nothing: the
    # zones used for mining cover at most a quarter of the page at each end.
    head = min(zones.head_lines, count // 4)
    tail = min(zones.tail_lines, count // 4)
    seen_lines: set[str] = set()
    seen_templates: set[str] = set()
    items: list[tuple[str, str, str, bool]] = []
    longest, last_body = config.mine_max_chars, count - tail
    for index, text in enumerate(lines):
        if len(text) > longest or _protected(text):
            continue
        edge = index < head or index >= last_body
        if text not in seen_lines:
            seen_lines.add(text)
            items.append(("line", text, text, edge))
        template = _template(text)
        if template != text and template not in seen_templates:
            seen_templates.add(template)
            items.append(("template", template, text, edge))
    return Observation(group_of(doc.id), fingerprint, tuple(items))


class Miner:
    """Counts lines and templates per site group; :meth:`result` decides.

    >>> from textclean.document import Document
    >>> miner = Miner()
    >>> for topic in ("教育", "医疗", "交通", "环保"):
    ...     body = "\\n".join(f"关于{topic}的第{n}段正文。" for n in range(12))
    ...     page = f"{topic}工作报告\\n{body}\\n——某某站出品，转载请保留——"
    ...     miner.add(Document.from_text(page, id=f"site/{topic}.txt"))
    >>> [c.display for c in miner.candidates()]
    ['——某某站出品，转载请保留——']
    """

    def __init__(self, config: MiningConfig | None = None, zones: BoilerplateConfig | None = None) -> None:
        self.config = config or MiningConfig()
        self.zones = zones or BoilerplateConfig()
        self._docs: dict[str, int] = defaultdict(int)
        self._reposts: dict[str, int] = defaultdict(int)
        self._seen: dict[str, set[bytes]] = defaultdict(set)
        self._stats: dict[str, dict[tuple[str, str], _Stats]] = defaultdict(dict)

    def add(self, doc: Document) -> None:
        """Count one normalised document (skipped ones are ignored)."""
        observation = observe(doc, self.config, self.zones)
        if observation is not None:
            self.merge(observation)

    def merge(self, observation: Observation) -> None:
        """Count one document's :func:`observe` result (how worker processes help)."""
        group = observation.group
        # A reposted page is no evidence of chrome: each distinct page body counts once.
        if observation.fingerprint in self._seen[group]:
            self._reposts[group] += 1
            return
        self._seen[group].add(observation.fingerprint)
        self._docs[group] += 1
        stats = self._stats[group]
        for kind, key, text, edge in observation.items:
            entry = stats.get((kind, key))
            if entry is None:
                entry = stats[(kind, key)] = _Stats()
            entry.docs += 1
            entry.edge += edge
            if kind == "template" and text not in entry.texts and entry.distinct < 3:
                entry.texts[text] = None
                entry.distinct += 1
            elif kind == "template" and text not in entry.texts:
                entry.distinct = max(entry.distinct, 3)

    def candidates(self, base: RuleSet | None = None) -> list[Candidate]:
        """Everything that passes the thresholds, by group then most pages first.

        With ``base``, lines the base rules already remove are left out.
        """
        config = self.config
        found: list[Candidate] = []
        removed: dict[str, bool] = {}  # line -> whether ``base`` removes it (the same chrome recurs across groups)
        # the first lines checked rule by rule (see _removed_by), unless the prefilters are built already
        direct = 0 if base is None or base.prefiltered() else _DIRECT_CHECKS

        def gone(text: str) -> bool:
            answer = removed.get(text)
            if answer is None:
                answer = removed[text] = _removed_by(base, text, direct=len(removed) < direct)
            return answer

        for group in sorted(self._stats):
            group_docs = self._docs[group]
            need = max(config.mine_min_docs, math.ceil(config.mine_min_share * group_docs))
            if group_docs < config.mine_min_docs:
                continue
            templated: set[str] = set()
            # (those seen on too few pages left out before sorting: the order of the rest is the same)
            entries = sorted((item for item in self._stats[group].items() if item[1].docs >= need),
                             key=lambda item: (-item[1].docs, item[0]))
            for (kind, key), entry in entries:
                edge_share = entry.edge / entry.docs
                # "On nearly every page" counts for exact lines only: a template
                # with changing slots in the body is more likely content.
                # A sentence on every page is a reposted article (dedup's business), not chrome.
                everywhere = (
                    kind == "line"
                    and entry.docs / group_docs >= config.mine_everywhere_share
                    and len(key) <= _LABEL_CHARS
                    and not _SENTENCE_END.search(key)
                )
                if edge_share < config.mine_edge_share and not everywhere:
                    continue
                if kind == "template":
                    fixed = "".join(ch for ch in key if ch not in _DISPLAY)
                    if entry.distinct < 2 or len(fixed) < 4:
                        continue
                    examples = tuple(entry.texts)
                    templated.add(key)
                else:
                    if _template(key) in templated:
                        continue  # already covered by a template of this group
                    examples = (key,)
                if base is not None and all(gone(text) for text in examples):
                    continue
                found.append(
                    Candidate(group, kind, key, entry.docs, group_docs, round(edge_share, 3), examples)
                )
        return found

    def result(self, base: RuleSet | None = None) -> MinedRules:
        return MinedRules.from_candidates(self.candidates(base))


# lines checked rule by rule (~0.2 ms each) before the prefilters pay (~40 ms to build, then ~0.1 ms a line)
_DIRECT_CHECKS = 400


def _removed_by(rules: RuleSet, text: str, *, direct: bool = False) -> bool:
    """Whether a line rule of ``rules`` matches ``text`` in any zone: the rules the
    prefilters of the three zones name are tried (a prefilter never leaves out a
    rule that matches), not every rule; with ``direct``, every line rule (the same
    answer, without building the prefilters: a run's few candidates, in a parent
    process that cleans no page and so never needs them)."""
    view = simplified_view(text)  # once, not once per rule
    if direct:
        return any(rule.scope == "line" and rule.matches(text, view=view) for rule in rules)
    for layer in rules.layers():
        tried: set[int] = set()
        for zone in ("head", "body", "tail"):
            candidates, prefilter = layer.candidates("line", zone, len(view))
            for position in prefilter.positions(view):
                rule = candidates[position]
                if id(rule) not in tried:
                    tried.add(id(rule))
                    if rule.matches(text, view=view):
                        return True
    return False


@dataclass(frozen=True)
class MinedRules:
    """Mined rule sets by site group; :meth:`for_document` picks the one that applies."""

    groups: dict[str, RuleSet] = field(default_factory=dict)

    @classmethod
    def from_candidates(cls, candidates: Iterable[Candidate]) -> MinedRules:
        """The rules of mined candidates, one rule set per site group (in candidate order)."""
        rules: dict[str, list[Rule]] = defaultdict(list)
        for candidate in candidates:
            rules[candidate.group].append(candidate.to_rule())
        return cls({group: RuleSet(tuple(found)) for group, found in rules.items()})

    def for_document(self, doc_id: str) -> RuleSet:
        return self.groups.get(group_of(doc_id), RuleSet())

    def __len__(self) -> int:
        return sum(len(rules) for rules in self.groups.values())

    def to_toml(self) -> str:
        """All mined rules as a rule pack for review (load it with ``--rules``)."""
        out = ["# Rules mined by `textclean mine`: review before use; each matched on the pages named.\n"]
        for group in sorted(self.groups):
            for rule in self.groups[group]:
                out.append("[[rule]]")
                out.append(f"id = {_toml_string(rule.id)}")
                out.append('category = "mined"')
                out.append(f"description = {_toml_string(rule.description)}")
                out.append(f"pattern = {_toml_string(rule.pattern)}")
                out.append("examples = [" + ", ".join(_toml_string(e) for e in rule.examples) + "]")
                out.append("")
        return "\n".join(out)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'
