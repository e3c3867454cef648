"""The page title: a scraped page's first line is its ``<title>``, usually the
headline plus a site suffix (``…_网易财经``). When the body repeats the headline,
the title line goes (``title-repeat``) and the body's headline stays; otherwise
the title is the headline and stays.

>>> repeated_title(["女童眼睛被塞纸_凤凰网资讯_凤凰网", "首页", "女童眼睛被塞纸", "正文。"])
2
"""

from __future__ import annotations

from typing import Sequence

from .config import BoilerplateConfig
from .document import Document, Line, Removal, short_text
from .native import core

__all__ = ["TITLE_RULE", "repeated_title", "drop_repeated_title", "judged_lines"]

TITLE_RULE = "title-repeat"


def judged_lines(doc: Document, config: BoilerplateConfig) -> list[Line] | None:
    """The lines the second tier (the title rule, the line model) looks at, or None
    when it leaves the page alone: skipped, switched off, or shorter than
    ``line_model_min_lines``."""
    if doc.skipped or not config.line_model:
        return None
    lines = doc.lines()
    return lines if len(lines) >= config.line_model_min_lines else None


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
    return _repeated_title(lines, window, skip=True)


def _repeated_title(lines: Sequence[str], window: int, *, skip: bool) -> int | None:
    """:func:`repeated_title`; ``skip``: leave out the lines that can neither be the
    title's part nor cover it before their bigrams are counted (the same answer, tested
    against ``skip=False``)."""
    if len(lines) < 2:
        return None
    title = "".join(lines[0].split())
    if len(title) < 4 or "。" in title or title[-1] in "；;":  # a sentence is not a title
        return None
    title_grams = _bigrams(title)
    best, best_rank = None, (False, 0)
    candidates: list[tuple[int, str, bool]] = []  # (index, joined line, whether it is the title's part)
    stop = min(len(lines), window + 1)
    # each line's length without white space first, all in one call (compiled core): most lines are
    # skipped on it alone, before their joined text is made (~2.5 µs a line on real pages, 2/3 of them)
    compiled = core()
    lengths = compiled.stripped_lengths(lines if isinstance(lines, list) else list(lines), stop) \
        if compiled is not None else None
    size_of_title = len(title)
    longest, part_least, cover_most = 2 * size_of_title + 10, 0.3 * size_of_title, 1.5 * size_of_title
    grams_needed = 0.9 * len(title_grams)
    for j in range(1, stop):
        raw = lines[j]
        line = None if lengths is not None else "".join(raw.split())
        size = lengths[j] if lengths is not None else len(line)  # (the line without white space)
        if size < 4 or size > longest:
            continue
        # the line is the title, or its front or back with a site part set off by a
        # separator (…_凤凰网, 多维博客 » …), and a fair part of it; or the title is
        # (90 %) inside the line (a title cut short)
        may_be_part = part_least <= size <= size_of_title  # (a part of the title is no longer than it)
        # no cover: too long, or fewer bigrams (at most size - 1) than 90 % of the title's
        no_cover = size > cover_most or size - 1 < grams_needed
        if skip and no_cover and not may_be_part:  # neither, on its length alone
            continue
        if line is None:  # joined only now, and only when white space is in it
            line = raw if size == len(raw) else "".join(raw.split())
        inside = may_be_part and _title_part(line, title)
        if skip and no_cover and not inside:
            continue
        candidates.append((j, line, inside))
    # the bigrams each candidate shares with the title (compiled: the title's read once for all)
    texts = [line for _, line, _ in candidates]
    shares = compiled.shared_bigrams(title, texts, _BIGRAM_LIMIT) if compiled is not None and texts else \
        [len(_bigrams(line) & title_grams) for line in texts]
    for (j, line, inside), shared in zip(candidates, shares):
        covers = len(line) <= cover_most and shared >= grams_needed
        # the title itself (or its front or back) first, then the fullest: a teaser is only
        # part of the headline, and "正在阅读：<headline>" merely contains the title
        rank = (inside, shared)
        if (inside or covers) and rank > best_rank:
            best, best_rank = j, rank
    return best


_BIGRAM_LIMIT = 200  # characters of a line (and of the title) whose bigrams are compared


def _bigrams(text: str, limit: int = _BIGRAM_LIMIT) -> set[str]:
    """The character bigrams of the first ``limit`` characters of ``text``, a text without
    white space (the title and each line are joined from their ``split()`` already: the
    character-by-character strip this did again was ~40 % of the title check)."""
    text = text[:limit]
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text} if text else set()


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
    # The first kept line, whatever went before it: clean() of the output sees it as
    # the first line, so judging it the same way here keeps cleaning idempotent.
    lines = judged_lines(doc, config)
    if lines is None:
        return doc
    headline = repeated_title([line.text for line in lines])
    if headline is None:
        return doc
    removal = Removal(step="boilerplate", rule=TITLE_RULE, kind="line", line=lines[0].number,
                      text=short_text(lines[0].text), duplicate_of=lines[headline].number)
    return doc.with_lines(lines[1:], [removal])
