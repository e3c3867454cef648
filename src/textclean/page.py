"""The per-page cleaning between normalisation and the corpus pass, to a fixed point.

:class:`PageCleaner` is one pipeline step (``"clean"``) that owns the loop of the
steps that feed each other on one page:

1. the rules (:func:`~textclean.boilerplate.strip_boilerplate`, the pack plus the
   page's mined site rules) until they remove nothing more — removing head chrome
   brings later lines into the head zone — then the title line if the body repeats
   it (:func:`~textclean.line_model.drop_repeated_title`);
2. dedup inside the page (:func:`~textclean.dedup.dedup_document`);
3. the line model (:func:`~textclean.line_model.judge_lines`);
4. :func:`settle`: each step again while what it saw changed, so cleaning is
   idempotent (``clean(clean(x)) == clean(x)``).

The rules remember, per call, what each kept line was judged as (its zones and
text), so a repeat judges only lines whose zones or text changed; the memo is a
local of :meth:`PageCleaner.__call__`, never part of the document.

>>> from textclean.config import Config
>>> from textclean.document import Document
>>> PageCleaner(Config())(Document.from_text("欢迎来到某某文库网!\\n标题\\n正文。\\n标题")).text
'标题\\n正文。'
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .boilerplate import FiringMemo, RuleSet, resolve_rules, strip_boilerplate
from .config import BoilerplateConfig, Config
from .dedup import dedup_document, keep_pending
from .document import Document
from .line_model import LINE_MODEL_RULE, LineModel, drop_repeated_title, judge_lines
from .mining import MinedRules, group_of
from .normalize import has_traditional
from .signatures import Signer

__all__ = ["PageCleaner", "boilerplate_step", "line_model_step", "settle"]


class PageCleaner:
    """The ``"clean"`` step: a page's rules, title line, dedup and line model, settled.

    Holds what is built once per run: the rule pack, one merged rule set per site
    group of ``mined`` (so each group's combined patterns compile once), what the
    pack fires on short lines (:class:`~textclean.boilerplate.FiringMemo`), the
    signer, and the line model.
    """

    def __init__(self, config: Config, *, mined: MinedRules | None = None) -> None:
        self.config = config
        self.rules = resolve_rules(config.boilerplate)
        # a span rule whose replacement writes a traditional character can bring one into a page without any
        self.writes_traditional = any(rule.replace and has_traditional(rule.replace) for rule in self.rules)
        self.mined = mined if mined is not None and len(mined) else None
        self.merged: dict[str, RuleSet] = {}
        self.memo: FiringMemo | None = None  # made where the pages are cleaned (see firing_memo)
        self.signer = Signer(config.dedup) if config.dedup.near else None
        self.model: LineModel | None = None
        if config.boilerplate.line_model:
            self.model = config.boilerplate.line_model_weights or LineModel.builtin()

    def rules_for(self, doc: Document) -> RuleSet:
        """The pack plus the site rules mined for the document's group."""
        if self.mined is None:
            return self.rules
        group = group_of(doc.id)
        rules = self.merged.get(group)
        if rules is None:
            rules = self.merged[group] = self.rules + self.mined.for_document(doc.id)
        return rules

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "merged": {}, "memo": None}  # built per process, not shipped to workers

    def firing_memo(self) -> FiringMemo:
        """This process's memo of what the pack (the first layer of every site's rule
        set, see :meth:`rules_for`) fires on short lines."""
        memo = self.memo
        if memo is None:
            memo = self.memo = FiringMemo(self.rules.layers()[0])
        return memo

    def _steps(self, doc: Document) -> tuple[Callable[[Document], Document], Callable[[Document], Document],
                                             Callable[[Document], Document] | None]:
        judged: dict[int, Any] = {}  # this page's memo: what each kept line was judged as
        rules = functools.partial(strip_boilerplate, rules=self.rules_for(doc), config=self.config.boilerplate,
                                  judged=judged, traditional=self.writes_traditional or has_traditional(doc.text),
                                  memo=self.firing_memo())
        strip = functools.partial(boilerplate_step, rules=rules, config=self.config.boilerplate)
        dedup = functools.partial(dedup_document, config=self.config.dedup, signer=self.signer)
        judge = None
        if self.model is not None:
            judge = functools.partial(line_model_step, model=self.model, config=self.config.boilerplate)
        return strip, dedup, judge

    def before_model(self, doc: Document) -> Document:
        """The rules, the title line and dedup: the page as the line model first sees it."""
        strip, dedup, _ = self._steps(doc)
        return dedup(strip(doc))

    def __call__(self, doc: Document) -> Document:
        strip, dedup, judge = self._steps(doc)  # strip: the rules to their fixed point, then the title line
        doc = dedup(strip(doc))
        if judge is not None:
            doc = judge(doc)
        return settle(doc, strip=strip, dedup=dedup, judge=judge)


def boilerplate_step(
    doc: Document, *, rules: Callable[[Document], Document], config: BoilerplateConfig, max_passes: int = 8
) -> Document:
    """The rules (the precise tier) until they remove nothing more — removing head
    chrome brings later lines into the head zone — then the title line if the body
    repeats it (:func:`~textclean.line_model.drop_repeated_title`). A ``rules``
    step that remembers what it judged makes its repeats cheap."""
    for _ in range(max_passes):
        before = len(doc.trace)
        doc = rules(doc)
        if doc.skipped or len(doc.trace) == before:
            break
    return drop_repeated_title(doc, config)


def line_model_step(doc: Document, *, model: LineModel, config: BoilerplateConfig) -> Document:
    """The line model on what the rules and dedup kept (see :mod:`textclean.line_model`);
    the corpus phase's pending paragraphs follow the lines that stay."""
    return keep_pending(judge_lines(doc, model, config))


def settle(
    doc: Document,
    *,
    strip: Callable[[Document], Document],
    dedup: Callable[[Document], Document],
    judge: Callable[[Document], Document] | None = None,
    max_passes: int = 8,
) -> Document:
    """Repeat the steps until nothing more goes, so cleaning is idempotent:
    ``clean(clean(x)) == clean(x)``.

    Each step is only repeated when what it saw changed: the rules (``strip``)
    after dedup or the line model (``judge``) took lines (the head and tail zones
    move), dedup after the rules took more, the line model after anything took
    lines (its context changed) — including its own removals, until it removes
    nothing. Dedup settles itself, and removing lines never makes new repeats, so
    the line model's removals do not call for dedup again. A ``strip`` that
    remembers what it judged (``judged=`` of
    :func:`~textclean.boilerplate.strip_boilerplate`) judges again only the lines
    whose zones or text changed.
    """
    if doc.skipped or not doc.trace:
        return doc
    changed_by_dedup = any(r.step == "dedup" for r in doc.trace)
    changed_by_model = any(r.rule == LINE_MODEL_RULE for r in doc.trace)
    for _ in range(max_passes):
        if not (changed_by_dedup or changed_by_model):
            return doc  # the rules ended at their fixed point and nothing changed since
        before = len(doc.trace)
        doc = strip(doc)
        if doc.skipped:
            return doc
        changed_by_rules = len(doc.trace) > before
        changed_by_dedup = False
        if changed_by_rules:
            before = len(doc.trace)
            doc = dedup(doc)
            if doc.skipped:
                return doc
            changed_by_dedup = len(doc.trace) > before
        if judge is not None and (changed_by_rules or changed_by_dedup or changed_by_model):
            before = len(doc.trace)
            doc = judge(doc)
            if doc.skipped:
                return doc
            changed_by_model = len(doc.trace) > before
        else:
            changed_by_model = False
    return doc
