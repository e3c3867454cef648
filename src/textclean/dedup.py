"""Repeated and near-repeated paragraphs and sentences inside one document: the
document pass of dedup.

Dedup runs in two phases, so the heavy part runs anywhere and the decisions stay in order:

1. :func:`dedup_document` (here; pure, per document, parallel-safe): exact repeats
   of paragraphs and sentences inside the document (the goldens' convention), then
   near repeats inside the document (MinHash over folded keys, :mod:`textclean.signatures`),
   then the signatures the corpus phase needs, as ``doc.keys`` (:class:`~textclean.document.ParagraphKeys`).
2. :class:`~textclean.corpus_dedup.CorpusDedup` (stateful, one per run, fed
   documents in input order): each long paragraph is looked up in the
   :class:`~textclean.index.DedupIndex` of every earlier document's kept paragraphs.

The first copy in input order is always the one kept, so results depend only on
the order of the documents (sorted paths), never on timing or worker count.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import regex

from .config import DedupConfig
from .document import Document, Line, ParagraphKeys, Removal
from .native import core
from .normalize import fold_tables
from .shingles import stable_hash64
from .signatures import Signer, min_of_rows, similarity

__all__ = ["split_sentences", "dedup_document", "paragraph_signature", "drop_orphan_headings", "keep_pending",
           "summary_lines"]

# A sentence ends at a run of end marks and the closing quotes after it. Only the
# ends are searched for: a pattern that also spans the text before them
# ("[^。…]*[。…]+") is retried from every position of a line with no end mark,
# which is quadratic (a 100k-character keyword line took two minutes).
_SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’」』]*")
_HEADING = regex.compile(r"^[^。！？!?；;]{1,40}$")


def split_sentences(text: str) -> list[str]:
    """Split into sentences; the pieces concatenate back to ``text`` exactly.

    A trailing piece without an end mark is returned as the last piece.

    >>> split_sentences("他说：“好。”我们走吧！还有")
    ['他说：“好。”', '我们走吧！', '还有']
    """
    return [piece for piece, _ in _pieces(text)]


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Sentences flagged True, and a trailing piece without an end mark flagged False
    (the compiled core's scan when built, else this regex: the reference)."""
    compiled = core()
    if compiled is not None:
        return compiled.sentence_pieces(text)  # type: ignore[no-any-return]
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        pieces.append((text[start:end], True))
        start = end
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


# ---------------------------------------------------------------- signatures

# ---------------------------------------------------------------- one document

class _LocalIndex:
    """Near-duplicate lookup inside one document.

    Only ``eligible`` rows (long enough to match near) can match or be matched,
    so only they are compared: all pairs up front in one numpy operation (blocks
    of rows, bounded memory). The walk in reading order then costs a set lookup
    for a row with no similar earlier row (most rows) and a matrix row for the
    others. Very long documents fall back to comparing each new signature with
    the kept ones.
    """

    _PAIRWISE_LIMIT = 1500

    def __init__(self, signatures: np.ndarray, threshold: float, eligible: np.ndarray) -> None:
        self.threshold = threshold
        self.need = int(np.ceil(threshold * signatures.shape[1]))
        self.rows = np.flatnonzero(eligible)  # compact index -> row
        compact = np.full(len(signatures), -1, dtype=np.int64)
        compact[self.rows] = np.arange(self.rows.size)
        self.compact: list[int] = compact.tolist()  # read once per row in the walk: a list, not numpy scalars
        self.signatures = signatures[self.rows]  # a copy: reduce() may change it
        count = self.rows.size
        self.kept = np.zeros(count, dtype=bool)
        self.lines = np.zeros(count, dtype=np.int64)
        self.similar: np.ndarray | None = None
        self.suspects: set[int] = set()  # compact rows that have a similar earlier row
        if 0 < count <= self._PAIRWISE_LIMIT:
            self.similar, suspects = _pairwise(self.signatures, self.need)
            self.suspects = set(suspects)
        elif count:
            self.suspects = set(range(count))

    @staticmethod
    def built(compiled: Any, signatures: np.ndarray, threshold: float, eligible: np.ndarray) -> _BuiltIndex:
        """What ``_LocalIndex(signatures, threshold, eligible)`` holds before any row is
        kept, made by the compiled core in one call, with its ``NearIndex`` (for the compiled
        ``dedup_walk``)."""
        need = int(np.ceil(threshold * signatures.shape[1]))
        native, rows, own, similar, suspected = compiled.near_index(
            np.ascontiguousarray(signatures, dtype=np.uint32),
            np.ascontiguousarray(eligible, dtype=bool).view(np.uint8), need, _LocalIndex._PAIRWISE_LIMIT)
        return _BuiltIndex(native_index=native, rows=rows, signatures=own, similar=similar, suspected=suspected)

    def match_or_add(self, row: int, line: int) -> tuple[int, float] | None:
        """The earliest kept row ``row`` repeats (its line, similarity), or keep it."""
        c = self.compact[row]
        if c in self.suspects:
            if self.similar is not None:
                hits = np.flatnonzero(self.similar[c, :c] & self.kept[:c])
            else:
                kept = np.flatnonzero(self.kept[:c])
                equal = np.count_nonzero(self.signatures[kept] == self.signatures[c], axis=1)
                hits = kept[equal >= self.need]
            if hits.size:
                first = int(hits[0])
                return int(self.lines[first]), similarity(self.signatures[c], self.signatures[first])
        self.kept[c] = True
        self.lines[c] = line
        return None

    def reduce(self, row: int, signature: np.ndarray, line: int, long_enough: bool) -> tuple[int, float] | None:
        """Row ``row`` lost some sentences: check what is left against the earlier kept
        rows and, if it stays, compare later rows with what is left (as a second
        pass would). A remainder too short to match near is no longer a target."""
        c = self.compact[row]
        self.kept[c] = False
        if not long_enough:
            return None
        self.signatures[c] = signature
        if self.similar is not None:
            column = np.count_nonzero(self.signatures == signature, axis=1) >= self.need
            self.similar[c, :] = column
            self.similar[:, c] = column
            self.suspects.add(c)
            self.suspects.update((np.flatnonzero(column[c + 1 :]) + c + 1).tolist())
        return self.match_or_add(row, line)


def _pairwise(signatures: np.ndarray, need: int) -> tuple[np.ndarray, list[int]]:
    """``similar[i, j]``: rows i and j share at least ``need`` signature values
    (symmetric), and the rows similar to an earlier row, in order (the compiled
    core when built, else numpy in blocks of rows)."""
    count = signatures.shape[0]
    similar = np.zeros((count, count), dtype=bool)
    compiled = core()
    if compiled is not None:
        suspects = compiled.pairwise_similar(np.ascontiguousarray(signatures, dtype=np.uint32), need,
                                             similar.view(np.uint8))
        return similar, suspects
    for first in range(0, count, 128):
        block = signatures[first : first + 128]
        last = first + block.shape[0]
        equal = (block[:, None, :] == signatures[None, :last, :]).view(np.uint8).sum(axis=2, dtype=np.int32)
        similar[first:last, :last] = equal >= need
    similar |= similar.T  # pairs across blocks were filled below the diagonal only
    return similar, np.flatnonzero(np.tril(similar, -1).any(axis=1)).tolist()


@dataclass(frozen=True)
class _BuiltIndex:
    """A :class:`_LocalIndex` made by the compiled core (:meth:`_LocalIndex.built`): what
    :func:`_yield_to_fuller` reads of one (the eligible ``rows``, their ``signatures``, the
    pairwise matrix ``similar`` or None, whether a row has a similar earlier row) and the
    ``NearIndex`` the compiled walk keeps rows in."""

    native_index: Any
    rows: np.ndarray
    signatures: np.ndarray
    similar: np.ndarray | None
    suspected: bool

    @property
    def suspects(self) -> bool:
        return self.suspected


FULLER = 1.2  # a later near copy this many times longer is the one kept
# A page's summary (摘要：…, or the lines under 划重点： / 导读 / 核心提示 …) restates its body:
# a summary paragraph yields to a later near copy that is at least as long (FULLER does not apply).
_SUMMARY_LABEL = regex.compile(  # the label, then a colon, a closing bracket or the end of the line
    r"^[【\[［(（]?\s*(?:内容|文章|本文)?(?:摘要|提要|概要|导读|导语|核心提示|划重点|要点|编者按|编者的话)"
    r"\s*(?:[】\]］)）]\s*[:：]?|[:：]|$)"
)
_SUMMARY_BLOCK = 6  # lines under a label-only line that belong to the summary


def summary_lines(lines: list[Line]) -> set[int]:
    """Input lines of a page's summary: a line that starts with a summary label and
    goes on (``摘要：…``), and the lines just under a label-only line (``划重点：``).

    >>> sorted(summary_lines([Line(1, "划重点："), Line(2, "要点一。"), Line(3, "摘要：全文的概括。"), Line(9, "正文。")]))
    [2, 3, 9]
    """
    found: set[int] = set()
    block = 0
    for line in lines:
        match = _SUMMARY_LABEL.match(line.text)
        if match is not None and match.end() == len(line.text):
            block = _SUMMARY_BLOCK
            continue
        if match is not None or block > 0:
            found.add(line.number)
        block -= 1
    return found


def _yield_to_fuller(index: _LocalIndex | _BuiltIndex, candidates: list[Line], ratio: float,
                     page: list[Line] = ()) -> dict[int, tuple[int, float]]:  # type: ignore[assignment]
    """``{i: (j, similarity)}``: paragraph ``i`` has a later near copy ``j`` at least
    ``ratio`` times as long (the fullest such copy), so ``i`` goes and ``j`` stays; a
    paragraph of the page's summary (:func:`summary_lines` of the page's lines ``page``)
    yields to a later copy at least as long. Only within the pairwise matrix (documents
    of up to 1,500 long paragraphs)."""
    if index.similar is None or not index.suspects:  # no row has a near copy before it: no pairs
        return {}
    summary = summary_lines(page)  # (only for a page with near pairs: a regex match a line)
    out: dict[int, tuple[int, float]] = {}
    similar = np.triu(index.similar, 1)  # (earlier, later) pairs
    for ci, cj in zip(*np.nonzero(similar)):
        i, j = int(index.rows[ci]), int(index.rows[cj])
        needed = 1.0 if candidates[i].number in summary else ratio
        if len(candidates[j].text) >= needed * len(candidates[i].text):
            best = out.get(i)
            if best is None or len(candidates[j].text) > len(candidates[best[0]].text):
                out[i] = (j, similarity(index.signatures[cj], index.signatures[ci]))
    # a copy that itself yields cannot be the one kept: follow to the end of the chain
    for i in list(out):
        j, score = out[i]
        seen = {i}
        while j in out and j not in seen:
            seen.add(j)
            j = out[j][0]
        out[i] = (j, score)
    return {i: target for i, target in out.items() if target[0] not in out}


def _walk(texts: list[str], numbers: list[int], pieces: list[list[tuple[str, bool]]], keys: list[list[str]],
          long_keys: list[bool], yields: dict[int, tuple[int, float]], near_paragraphs: _LocalIndex | None,
          near_sentences: _LocalIndex | None, signatures: np.ndarray | None, dedup_paragraphs: bool,
          by_sentence: bool, min_sentence: int, min_near_sentence: int, min_near_chars: int,
          ) -> tuple[list[int], list[str], list[list[int]], list[str], list[tuple[str, str, int, str, int, float]]]:
    """The walk of :func:`dedup_document` over the paragraphs left after exact
    repeats (``texts``, their input lines ``numbers``), in reading order: each
    paragraph and sentence is kept, or dropped as a copy of an earlier kept one.
    Returns the kept paragraphs (input line, text, signature rows, key) and what
    went, as (rule, kind, line, text, line of the copy kept, similarity). The
    reference of the compiled core's ``dedup_walk``."""
    seen_sentences: dict[str, int] = {}
    kept_numbers: list[int] = []
    kept: list[str] = []
    kept_rows: list[list[int]] = []
    kept_keys: list[str] = []
    kept_texts: dict[str, int] = {}  # what is left of each earlier paragraph
    dropped: list[tuple[str, str, int, str, int, float]] = []
    row = 0
    near_by_sentence = by_sentence and near_sentences is not None and signatures is not None
    for number, (line_text, line_number, paragraph, paragraph_keys) in enumerate(zip(texts, numbers, pieces, keys)):
        if dedup_paragraphs and line_text in kept_texts:  # equals what is left of an earlier one
            dropped.append(("duplicate-paragraph", "line", line_number, line_text, kept_texts[line_text], 1.0))
            row += sum(1 for key in paragraph_keys if key)
            continue
        rows = []
        for key in paragraph_keys:
            rows.append(row if key else -1)
            row += 1 if key else 0
        long_enough = long_keys[number]
        if number in yields:
            fuller, score = yields[number]
            dropped.append(("near-duplicate-paragraph", "line", line_number, line_text, numbers[fuller], score))
            continue
        if near_paragraphs is not None and long_enough:
            hit = near_paragraphs.match_or_add(number, line_number)
            if hit is not None:
                dropped.append(("near-duplicate-paragraph", "line", line_number, line_text, *hit))
                continue
        parts: list[str] = []
        part_rows: list[int] = []
        part_keys: list[str] = []
        for (piece, is_sentence), key, r in zip(paragraph, paragraph_keys, rows):
            stripped = piece.strip()
            if by_sentence and is_sentence and len(stripped) >= min_sentence:
                earlier = seen_sentences.get(stripped)
                if earlier is not None:
                    dropped.append(("duplicate-sentence", "sentence", line_number, stripped, earlier, 1.0))
                    continue
                seen_sentences[stripped] = line_number
            if near_by_sentence and is_sentence and len(key) >= min_near_sentence:
                hit = near_sentences.match_or_add(r, line_number)  # type: ignore[union-attr]
                if hit is not None:
                    dropped.append(("near-duplicate-sentence", "sentence", line_number, stripped, *hit))
                    continue
            parts.append(piece)
            part_keys.append(key)
            if r >= 0:
                part_rows.append(r)
        text = "".join(parts).strip()
        if len(parts) < len(paragraph) and text:
            # Part of the paragraph went: what is left may repeat an earlier paragraph.
            if dedup_paragraphs and text in kept_texts:
                dropped.append(("duplicate-paragraph", "line", line_number, text, kept_texts[text], 1.0))
                continue
            if near_paragraphs is not None and signatures is not None and long_enough and part_rows:
                left_enough = sum(len(key) for key in part_keys) >= min_near_chars
                hit = near_paragraphs.reduce(number, signatures[part_rows].min(axis=0), line_number, left_enough)
                if hit is not None:
                    dropped.append(("near-duplicate-paragraph", "line", line_number, text, *hit))
                    continue
        kept_texts.setdefault(text, line_number)
        kept_numbers.append(line_number)
        kept.append(text)
        kept_rows.append(part_rows)
        kept_keys.append("".join(part_keys))  # the paragraph's key, without folding it again
    return kept_numbers, kept, kept_rows, kept_keys, dropped


_Signed = tuple[list[list[tuple[str, bool]]], list[list[str]], np.ndarray, np.ndarray, list[bool], np.ndarray]


def _sign(signer: Signer, config: DedupConfig, texts: list[str]) -> _Signed:
    """What the walk of :func:`dedup_document` needs of paragraphs ``texts``: each one's
    sentence pieces and their keys (``signer``'s), the signature of every non-empty key (in order),
    each paragraph's signature (the minimum over its keys'; zeros without any), whether
    each paragraph's keys are long enough to match near, and whether each signed key is
    a sentence long enough to. The compiled core does it in one pass where it can (char
    shingles, keys folded by table); :func:`_sign_reference` is what it is tested equal to."""
    compiled = core()
    if compiled is not None and signer.words is None:
        tables = fold_tables(signer.simplified)
        if tables is not None:
            found = compiled.sign_paragraphs(texts, *tables, signer.config.ngram, signer.a, signer.b,
                                             config.min_near_chars, config.min_near_sentence_chars)
            if found is not None:  # None: a piece the table does not fold alone (combining mark, astral)
                return found  # type: ignore[no-any-return]
    return _sign_reference(signer, config, texts)


def _sign_reference(signer: Signer, config: DedupConfig, texts: list[str]) -> _Signed:
    """:func:`_sign`, step by step: pieces, keys folded in one batch, signatures in one."""
    pieces = [_pieces(text) for text in texts]
    flat = iter(signer.keys([piece for paragraph in pieces for piece, _ in paragraph]))
    keys = [[next(flat) for _ in paragraph] for paragraph in pieces]
    signatures = signer.signatures([key for paragraph in keys for key in paragraph if key])
    counts = np.array([sum(1 for key in paragraph if key) for paragraph in keys], dtype=np.int64)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    paragraph_signatures = np.zeros((len(keys), config.num_perm), dtype=np.uint32)
    signed = counts > 0
    if signed.any():
        paragraph_signatures[signed] = min_of_rows(signatures, np.arange(len(signatures)), firsts[signed])
    long_keys = [sum(map(len, paragraph)) >= config.min_near_chars for paragraph in keys]
    long_sentences = np.array([
        is_sentence and len(key) >= config.min_near_sentence_chars
        for paragraph, paragraph_keys in zip(pieces, keys)
        for (_, is_sentence), key in zip(paragraph, paragraph_keys) if key
    ], dtype=bool)
    return pieces, keys, signatures, paragraph_signatures, long_keys, long_sentences


def dedup_document(doc: Document, config: DedupConfig | None = None, signer: Signer | None = None) -> Document:
    """Drop repeated and near-repeated paragraphs and sentences of one document.

    Exact repeats first (any length), then near repeats of long paragraphs and
    sentences (when ``config.near``). The first copy is kept — except that a
    paragraph yields to a later near copy at least ``FULLER`` (1.2) times as long
    (a lead or summary line the article then gives in full), and a paragraph of the
    page's summary (:func:`summary_lines`) to a later copy at least as long. Every removal names
    the input line of the copy it repeats and the estimated similarity.

    Every sentence piece is signed once, in one batch per document; a
    paragraph's signature is the element-wise minimum of its pieces' (the
    MinHash of the union of their shingles).

    >>> text = "标题\\n第一句很长很长很长。第二句也很长很长。\\n标题\\n第二句也很长很长。新的一句话很长很长。"
    >>> dedup_document(Document.from_text(text)).text
    '标题\\n第一句很长很长很长。第二句也很长很长。\\n新的一句话很长很长。'
    """
    if doc.skipped:
        return doc
    config = config or DedupConfig()
    if config.near and signer is None:
        signer = Signer(config)
    before = doc.lines()
    removals: list[Removal] = []

    def removed(rule: str, kind: str, line: int, text: str, of: int, score: float) -> None:
        removals.append(Removal(step="dedup", rule=rule, kind=kind, line=line, text=text,
                                duplicate_of=of, similarity=round(score, 3)))

    # Exact paragraph repeats: no signature needed.
    seen_paragraphs: dict[str, int] = {}
    candidates: list[Line] = []
    for line in before:
        first = seen_paragraphs.get(line.text)
        if config.dedup_paragraphs and first is not None:
            removed("duplicate-paragraph", "line", line.number, line.text, first, 1.0)
            continue
        seen_paragraphs.setdefault(line.text, line.number)
        candidates.append(line)

    # Every sentence piece of the remaining paragraphs keyed and signed in one batch.
    texts = [line.text for line in candidates]
    near_paragraphs = near_sentences = None
    signatures = None
    compiled = core()
    if signer is not None:
        pieces, keys, signatures, paragraph_signatures, long_keys, long_sentences = _sign(signer, config, texts)
        # Only these rows are ever looked up or kept (see the walk below).
        index: Any = _LocalIndex if compiled is None else functools.partial(_LocalIndex.built, compiled)
        near_paragraphs = index(paragraph_signatures, config.threshold, np.array(long_keys, dtype=bool))
        near_sentences = index(signatures, config.sentence_threshold, long_sentences)
    else:
        pieces = [_pieces(text) for text in texts]
        keys = [["" for _ in paragraph] for paragraph in pieces]
        long_keys = [False] * len(pieces)  # keys without characters: never long enough (min_near_chars >= 1)
    # A short copy that a later, clearly fuller paragraph repeats (a lead or summary
    # line the article then gives in full) yields to it: the copy with more in it stays.
    yields = {}
    if near_paragraphs is not None:
        yields = _yield_to_fuller(near_paragraphs, candidates, FULLER, before)
    walk: Any = _walk
    indexes: tuple[Any, Any] = (near_paragraphs, near_sentences)
    if compiled is not None:  # the same walk in C (tested equal to _walk)
        walk = compiled.dedup_walk
        indexes = (None if near_paragraphs is None else near_paragraphs.native_index,
                   None if near_sentences is None else near_sentences.native_index)
    numbers, texts, kept_rows, kept_keys, dropped = walk(
        texts, [line.number for line in candidates], pieces, keys, long_keys, yields,
        *indexes, signatures, config.dedup_paragraphs, config.dedup_sentences, config.min_sentence_chars,
        config.min_near_sentence_chars, config.min_near_chars)
    for rule, kind, number, text, of, score in dropped:
        removed(rule, kind, number, text, of, score)
    kept = [Line(number, text) for number, text in zip(numbers, texts)]  # with_lines drops the empty ones
    # Headings orphaned by this document's own repeats go now, so the steps that
    # settle the document see it; the corpus phase drops those its copies orphan.
    headings = [_is_heading(line.text) for line in before]
    result = drop_orphan_headings(doc.with_lines(kept, removals), before, headings=headings)
    if signer is None or signatures is None or not config.cross_document:
        return result
    # What the corpus phase needs: the kept long paragraphs, signed.
    lines, exact, rows_of, firsts = [], [], [], []  # each paragraph's signature rows, one after another
    for line, part_rows, key in zip(kept, kept_rows, kept_keys):
        if not line.text or not part_rows:
            continue
        if len(key) >= config.min_near_chars:
            lines.append(line.number)
            exact.append(stable_hash64(key))
            firsts.append(len(rows_of))
            rows_of.extend(part_rows)
    # a paragraph's signature: the minimum over its sentences' (one call for all)
    stacked = min_of_rows(signatures, np.array(rows_of, dtype=np.int64), np.array(firsts, dtype=np.int64)) \
        if lines else np.zeros((0, config.num_perm), dtype=np.uint32)
    pending = ParagraphKeys(lines=lines, exact=exact, signatures=stacked, bands=signer.bands(stacked),
                            before=_sections_of(before, headings))
    return keep_pending(result.replace(keys=pending))


def paragraph_signature(signer: Signer, text: str) -> np.ndarray:
    """The signature dedup gives a paragraph: the minimum over its sentence pieces' signatures."""
    keys = [key for key in (signer.key(piece) for piece, _ in _pieces(text)) if key]
    return signer.signatures(keys or [""]).min(axis=0)


def keep_pending(doc: Document) -> Document:
    """The document with its corpus-phase paragraphs (``doc.keys``) cut down
    to the lines it still holds, after a later step removed some."""
    pending = doc.keys
    if pending is None or doc.skipped:
        return doc
    present = {line.number for line in doc.lines()}
    rows = [i for i, number in enumerate(pending.lines) if number in present]
    # A line a later step removed is no duplicate: it leaves the sections that
    # orphaned headings are judged by (see drop_orphan_headings).
    copies = {r.line for r in doc.trace if r.step == "dedup"}
    before = [line for line in pending.before if line.number in present or line.number in copies]
    if len(rows) == len(pending.lines) and len(before) == len(pending.before):
        return doc
    kept = ParagraphKeys(lines=[pending.lines[i] for i in rows], exact=[pending.exact[i] for i in rows],
                    signatures=pending.signatures[rows], bands=pending.bands[rows], before=before)
    return doc.replace(keys=kept)


def _is_heading(text: str) -> bool:
    return len(text) <= 40 and _HEADING.match(text) is not None  # most lines: too long, no regex


def _sections_of(lines: list[Line], headings: list[bool]) -> list[Line]:
    """``lines`` as :func:`drop_orphan_headings` reads them in the corpus pass: headings
    (``headings[i]``: line i is one) with their text, other lines by number only (their
    text is never read there, and it was a third of what a worker sends back per document)."""
    return [line if heading else Line(line.number, "") for line, heading in zip(lines, headings)]


def drop_orphan_headings(doc: Document, before: list[Line], *, headings: list[bool] | None = None) -> Document:
    """Drop a short heading whose whole section was removed as a duplicate.

    A heading is a kept line of at most 40 characters with no sentence end; its
    section runs to the next kept heading, leaving out repeats of the heading
    itself. It goes when its section holds body text and every line of the
    section was removed as a (near-)duplicate. ``headings``: which lines of
    ``before`` are headings, when the caller has it already.
    """
    if doc.skipped or (headings is not None and not any(headings)):  # (no heading: none to orphan)
        return doc
    kept = {line.number for line in doc.lines()}
    duplicated = {r.line for r in doc.trace if r.step == "dedup" and r.kind == "line"}
    # a line emptied by sentence removal is a duplicate too
    duplicated |= {line.number for line in before if line.number not in kept and line.number not in duplicated}
    orphans: list[Removal] = []
    # A heading that other lines went as copies of is the copy kept: never an orphan
    # (so a repeat of the heading is never part of its section either).
    originals = {r.duplicate_of for r in doc.trace if r.duplicate_of is not None and not r.duplicate_of_document}
    first_copy: dict[int, Removal] = {}
    for r in doc.trace:
        if r.duplicate_of is not None:
            first_copy.setdefault(r.line, r)
    heading = headings if headings is not None else [_is_heading(line.text) for line in before]
    # One pass from the end. The lines below a kept heading, up to the next kept heading, are its
    # section: what they hold (all copies? any body text?) is kept as running totals, reset at each
    # kept heading. An orphaned heading goes and joins the section of the heading above it, so that
    # one reaches past it (the chain a second run would find) — without scanning the section again
    # (which made a page of short headings over repeated paragraphs quadratic).
    all_copies, any_body = True, False
    for i in range(len(before) - 1, -1, -1):
        line = before[i]
        if heading[i] and line.number in kept:
            if line.number not in originals and any_body and all_copies:
                first_dup = first_copy.get(before[i + 1].number)
                orphans.append(Removal(step="dedup", rule="orphan-heading", kind="line", line=line.number,
                                       text=line.text, duplicate_of=first_dup.duplicate_of if first_dup else None,
                                       duplicate_of_document=first_dup.duplicate_of_document if first_dup else None))
                kept.discard(line.number)
                duplicated.add(line.number)
                continue  # a copy now, and no body text: the running totals stand
            all_copies, any_body = True, False
            continue
        all_copies = all_copies and line.number in duplicated
        any_body = any_body or not heading[i]
    orphans.reverse()
    if not orphans:
        return doc
    gone = {r.line for r in orphans}
    return doc.with_lines([line for line in doc.lines() if line.number not in gone], orphans)
