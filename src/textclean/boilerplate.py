"""Boilerplate removal: each line of a page tried against the rule pack
(:mod:`textclean.rules`) by zone, spans cut out, lines dropped, every removal traced.

Zones count non-blank lines: "head" is the first ``head_lines``, "tail" the last
``tail_lines`` (see :class:`~textclean.config.BoilerplateConfig`). After a line a
``related`` rule removed in the tail (推荐访问:, 相关文章 …) the title-like lines that
follow go too. Runs of one repeated character (keyboard mashing, padding) are cut
in code (:func:`cut_repeated_runs`).
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable

import regex

from .config import BoilerplateConfig
from .document import Document, Line, Removal, short_text
from .native import core
from .normalize import has_traditional, simplified_view
from .rules import Rule, RuleSet, resolve_rules

__all__ = ["FiringMemo", "Rule", "RuleSet", "strip_boilerplate", "cut_repeated_runs", "resolve_rules", "JUNK_RULE",
           "RELATED_ITEM_RULE"]


JUNK_RULE = "junk.repeated-char"
RELATED_ITEM_RULE = "related.list-item"
_TITLE_LIKE = regex.compile(r"^(?:[-·•*>»]\s*)?[^。！？!?；;]{2,40}$|^《[^》]{1,60}》[^。！？]{0,10}$")


def cut_repeated_runs(line: str, run: int) -> tuple[str, list[str]]:
    """Cut every run of ``run`` or more of one non-space character out of ``line``.

    Keyboard mashing, padding and broken scrapes; done in code because a regex
    back-reference tried at every position of every line is the slowest rule there
    is. Any such run covers a position that is a multiple of ``run // 2``, so only
    those characters are candidates.

    >>> cut_repeated_runs("正文。" + "啊" * 300 + "结束", 100)[0]
    '正文。结束'
    """
    if len(line) < run:
        return line, []
    compiled = core()
    if compiled is not None and not compiled.has_repeated_run(line, run):  # one scan: most lines have no run
        return line, []
    step = max(run // 2, 1)
    cuts: list[str] = []
    for ch in {line[i] for i in range(0, len(line), step)}:
        if ch.isspace() or ch * run not in line:
            continue
        pattern = regex.compile(regex.escape(ch) + "{%d,}" % run)
        cuts.extend(pattern.findall(line))
        line = pattern.sub("", line)
    return line, cuts


class FiringMemo:
    """What the rules of one set (a run's pack: the first layer of every site's set)
    fire on short lines, kept across the pages of a run — site chrome, menus and
    bylines come back on page after page. Only lines of at most ``max_chars``
    characters are kept, at most ``max_entries`` of them (the memo starts afresh when
    full); an answer in which a rule timed out is not kept. Matching is a pure
    function of the rules, scope, zone and line: the memo changes no result.
    """

    __slots__ = ("rules", "max_chars", "max_entries", "found", "lines")

    def __init__(self, rules: RuleSet, *, max_chars: int = 80, max_entries: int = 1 << 15) -> None:
        self.rules = rules
        self.max_chars = max_chars
        self.max_entries = max_entries
        self.found: dict[tuple[str, str, bool, str], tuple[Rule, ...]] = {}
        # per (zones, line): the span rules that fire and the first line rule, for a page whose
        # set is these rules alone (no mined layer): one look-up per line instead of one per scope and zone
        self.lines: dict[tuple[tuple[str, ...], str], tuple[tuple[Rule, ...], tuple[Rule, ...]]] = {}

    def both(self, zones: tuple[str, ...], view: str, number: int, warnings: list[str]
             ) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
        """``(span rules, [first line rule])`` that fire on ``view`` in ``zones``, as
        :func:`_firing` gives them for each scope (this memo's rules alone)."""
        key = (zones, view)
        found = self.lines.get(key)
        if found is None:
            before = len(warnings)
            found = (tuple(_firing(self.rules, "span", zones, view, number, warnings, memo=self)),
                     tuple(_firing(self.rules, "line", zones, view, number, warnings, first=True, memo=self)))
            if len(warnings) == before:  # no rule timed out
                if len(self.lines) >= self.max_entries:
                    self.lines.clear()
                self.lines[key] = found
        return found


_NONE: tuple[tuple[Rule, ...], bool] = ((), False)  # no rule fired, none timed out


def _layer_firing(
    layer: RuleSet, scope: str, zone: str, view: str, number: int, warnings: list[str], first: bool,
    skip: list[Rule] | None = None,
) -> tuple[tuple[Rule, ...], bool]:
    """The rules of one set's ``scope`` that match ``view`` in ``zone``, in pack order
    (the first only, with ``first``; none of ``skip``), and whether one timed out."""
    candidates, prefilter = layer.candidates(scope, zone, len(view))
    if not candidates:
        return _NONE
    positions = prefilter.positions(view)
    if not positions:  # most lines
        return _NONE
    found: list[Rule] = []
    timed_out = False
    for position in positions:
        rule = candidates[position]
        if skip and rule in skip:
            continue
        try:
            if rule.matches(view, view=view):
                found.append(rule)
                if first:
                    break
        except TimeoutError:
            timed_out = True
            warnings.append(f"rule {rule.id} timed out on line {number}")
    return tuple(found), timed_out


def _firing(
    rules: RuleSet, scope: str, zones: tuple[str, ...], view: str, number: int, warnings: list[str], *,
    first: bool = False, memo: FiringMemo | None = None,
) -> list[Rule]:
    """The rules of ``scope`` that match a line in any of ``zones``, in pack order
    (``view``: the line's simplified view); with ``first``, the first one only.
    ``memo``: the run's memo of what its rule set fires on short lines."""
    found: list[Rule] = []
    remembered = memo is not None and len(view) <= memo.max_chars
    layers = rules.layers()
    for zone in zones:
        for layer in layers:
            if not layer.has_scope(scope):  # (a site's mined rules: no span rule)
                continue
            if remembered and layer is memo.rules:  # type: ignore[union-attr]
                key = (scope, zone, first, view)
                hits = memo.found.get(key)  # type: ignore[union-attr]
                if hits is None:
                    hits, timed_out = _layer_firing(layer, scope, zone, view, number, warnings, first)
                    if not timed_out:
                        if len(memo.found) >= memo.max_entries:  # type: ignore[union-attr]
                            memo.found.clear()  # type: ignore[union-attr]
                        memo.found[key] = hits  # type: ignore[union-attr]
            else:
                hits, _ = _layer_firing(layer, scope, zone, view, number, warnings, first, found)
            for rule in hits:
                if rule not in found:
                    found.append(rule)
                    if first:
                        return found
    return found


def strip_boilerplate(
    doc: Document, rules: RuleSet, config: BoilerplateConfig | None = None, *, judged: dict[int, Any] | None = None,
    traditional: bool | None = None, memo: FiringMemo | None = None,
) -> Document:
    """Cut span matches out of each line, then drop lines a line rule matches.

    After a line removed by a ``related`` rule in the tail zone (推荐访问:,
    相关文章, 往期精选 …), the title-like lines that follow in the tail (short, no
    sentence end) go too, as ``related.list-item``. Every removal is traced with
    its rule id and zone. A rule that times out on a
    line is treated as not matching there, and a warning is added to the document.

    ``judged`` is the caller's memo for repeated passes over one page
    (:class:`textclean.page.PageCleaner`): what each kept line was judged as (its
    zones and text), updated in place; a later pass then judges again only the
    lines whose zones or text changed since — the others would be kept again,
    since span cuts are repeated to a fixed point. ``traditional``: whether the page
    (or the page it was cut from) holds a traditional character, when the caller knows.
    ``memo``: what ``rules``' first layer fires on short lines, kept by the caller
    across pages (:class:`FiringMemo`).

    >>> doc = Document.from_text("欢迎来到某某范文网!\\n正文第一段。\\n本文来源:https://example.com/1.html")
    >>> strip_boilerplate(doc, RuleSet.builtin()).text
    '正文第一段。'
    """
    if doc.skipped:
        return doc
    config = config or BoilerplateConfig()
    lines = doc.lines()
    count = len(lines)
    kept: list[Line] = []
    removals: list[Removal] = []
    warnings: list[str] = []
    seen: dict[int, Any] = judged if judged is not None else {}  # replaced at the end, not while read
    remembered: dict[int, Any] = {}
    # Rules see each line's simplified view; most documents have no traditional character: the view is the line.
    if traditional is None:
        traditional = has_traditional(doc.text)
    view_of = simplified_view if traditional else str
    layers = rules.layers()
    remembered_chars = memo.max_chars if memo is not None else -1  # shorter lines: the memo answers first
    alone = memo is not None and layers == (memo.rules,)  # the memo answers both scopes of a short line at once
    related_block = False  # after a related-links marker in the tail: the list of titles that follows
    head_end, tail_start = config.head_lines, count - config.tail_lines  # the zones: the head wins where they overlap
    junk_chars = config.junk_run_chars
    compiled = core()
    # A later pass over the page: body lines kept before as they are now are kept again as one block.
    settled = _settled_body(lines, count, config, seen) if seen else None
    order: Iterable[int] = range(count) if settled is None else \
        itertools.chain(range(settled[0]), range(settled[1], count))
    for index in order:
        if settled is not None and index >= settled[1]:
            kept.extend(lines[settled[0] : settled[1]])
            remembered.update(settled[2])
            related_block = False  # as after any kept line
            settled = None
        line = lines[index]
        zone = "head" if index < head_end else "tail" if index >= tail_start else "body"
        # A short document's tail overlaps its head: a line there is in both zones.
        zones = (zone, "tail") if zone == "head" and index >= tail_start else (zone,)
        if related_block and "tail" in zones and _TITLE_LIKE.match(line.text):
            removals.append(
                Removal(step="boilerplate", rule=RELATED_ITEM_RULE, kind="line", line=line.number,
                        text=short_text(line.text), zone=zone)
            )
            continue
        related_block = False
        if seen and seen.get(line.number) == (zones, line.text):  # kept before as it is now: kept again
            kept.append(line)
            remembered[line.number] = (zones, line.text)
            continue
        text = line.text
        spans: list[Removal] = []
        # (shorter: no run to cut; most lines hold none: the core's one scan says so)
        if len(text) >= junk_chars and (compiled is None or compiled.has_repeated_run(text, junk_chars)):
            text, junk = cut_repeated_runs(text, junk_chars)
            while junk and len(text) >= junk_chars:  # cutting can join two short runs into a long one
                text, more = cut_repeated_runs(text, junk_chars)
                if not more:
                    break
                junk.extend(more)
            spans = [Removal(step="boilerplate", rule=JUNK_RULE, kind="span", line=line.number, text=short_text(cut),
                             zone=zone) for cut in junk]
        view = screened_view = view_of(text)
        # a paragraph (past what the memo keeps): often no rule of either scope can match it there
        short = len(view) <= remembered_chars
        screened = short or _may_fire(layers, zones, view)
        both = memo.both(zones, view, line.number, warnings) if alone and short else None  # type: ignore[union-attr]
        for cut_pass in range(_SPAN_PASSES if screened else 0):  # a cut can bring a match together ("【打【打印】印】"): to a fixed point
            cut_any = False
            firing = both[0] if both is not None and cut_pass == 0 else \
                _firing(rules, "span", zones, view, line.number, warnings, memo=memo)
            for rule in firing:
                try:
                    text, cuts = rule.cut(text, view=view)
                except TimeoutError:
                    warnings.append(f"rule {rule.id} timed out on line {line.number}")
                    continue
                if cuts:
                    cut_any = True
                    view = view_of(text)
                spans.extend(
                    Removal(step="boilerplate", rule=rule.id, kind="span", line=line.number, text=short_text(cut),
                            zone=zone)
                    for cut in cuts
                )
            if not cut_any:
                break
        text = text.strip()
        view = view_of(text)
        if view != screened_view:
            screened = len(view) <= remembered_chars or _may_fire(layers, zones, view)
        if both is not None and view == screened_view:  # the line as the memo saw it
            hits = both[1] if text else ()
        else:
            hits = _firing(rules, "line", zones, view, line.number, warnings, first=True, memo=memo) \
                if text and screened else []
        if hits:
            hit = hits[0]
            related_block = "tail" in zones and hit.category == "related"
            removals.append(
                Removal(
                    step="boilerplate", rule=hit.id, kind="line", line=line.number, text=short_text(line.text), zone=zone,
                    template=hit.description if hit.category == "mined" else None,
                )
            )
        elif not text:
            rule_id = spans[0].rule if spans else "empty"
            removals.append(
                Removal(step="boilerplate", rule=rule_id, kind="line", line=line.number, text=short_text(line.text), zone=zone)
            )
        else:
            removals.extend(spans)
            kept.append(line if text == line.text else Line(line.number, text))
            remembered[line.number] = (zones, text)
    if settled is not None:  # the block reached the last line
        kept.extend(lines[settled[0] : settled[1]])
        remembered.update(settled[2])
    result = doc.with_lines(kept, removals) if removals or kept != lines else doc
    if warnings:
        result = result.replace(warnings=result.warnings + tuple(warnings))
    if judged is not None:
        judged.clear()
        judged.update(remembered)
    return result


_SPAN_PASSES = 4


def _may_fire(layers: tuple[RuleSet, ...], zones: tuple[str, ...], view: str) -> bool:
    """Whether a rule of any layer could match ``view`` in any of ``zones`` (see
    :meth:`RuleSet.screen`): False spares the prefilters of both scopes."""
    length = len(view)
    for zone in zones:
        for layer in layers:
            if layer.screen(zone, length)(view):
                return True
    return False


_BODY = ("body",)
_SETTLED_MIN = 8  # body lines: fewer go through the loop as quickly


def _settled_body(lines: list[Line], count: int, config: BoilerplateConfig, seen: dict[int, Any]
                  ) -> tuple[int, int, list[tuple[int, Any]]] | None:
    """``(start, stop, entries)`` when every line between the head and tail zones was
    judged before, as body, with its text as it is now (``seen``: number -> (zones,
    text)): the loop would keep each again, so they are kept as one block. Else None."""
    start, stop = config.head_lines, count - config.tail_lines
    if stop - start < _SETTLED_MIN:
        return None
    block = lines[start:stop]
    numbers = [line.number for line in block]
    entries = [(_BODY, line.text) for line in block]
    if list(map(seen.get, numbers)) != entries:
        return None
    return start, stop, list(zip(numbers, entries))
