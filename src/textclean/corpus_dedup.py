"""The corpus pass: documents in keep order, each deduplicated against every
earlier one — the keep rule, in one place for both engines.

:class:`CorpusDedup` (stateful, one per run, fed documents in input order): each
long paragraph is looked up in a :class:`~textclean.index.DedupIndex` of every
earlier document's kept paragraphs. A document that is mostly copies is dropped
whole; otherwise its copies are removed and its new paragraphs indexed
(:meth:`CorpusDedup.judge`, the keep rule). Headings left without their section go too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from .config import DedupConfig
from .dedup import drop_orphan_headings
from .document import Document, IndexChange, ParagraphKeys, Removal
from .index import DedupIndex, IndexStore

__all__ = ["CorpusDedup", "IndexChange", "Verdict", "apply_copies"]


Hit = tuple[str, int, float]  # (document id, input line, similarity) of the earlier copy


@dataclass(frozen=True)
class Verdict:
    """The keep rule's decision on one document: ``hits[i]`` is the earlier
    paragraph that long paragraph ``i`` repeats (or None); ``original`` is set when
    the document is mostly copies and goes whole (the document it copies most)."""

    hits: tuple[Hit | None, ...] = ()
    original: str | None = None
    detail: str | None = None

    @property
    def dropped(self) -> bool:
        return self.original is not None


NO_COPIES = Verdict()


def verdict_of(lines: Sequence[int], hits: Sequence[Hit | None], line_chars: Mapping[int, int], total: int,
               document_share: float) -> Verdict:
    """The verdict for a document whose long paragraphs at ``lines`` repeat ``hits``:
    dropped whole when the copied characters reach ``document_share`` of ``total``."""
    copied: Counter[str] = Counter()
    copied_chars = 0
    for line, hit in zip(lines, hits):
        if hit is not None:
            copied[hit[0]] += line_chars[line]
            copied_chars += line_chars[line]
    if total and copied_chars >= document_share * total:
        original = copied.most_common(1)[0][0]
        return Verdict(tuple(hits), original, f"duplicate of {original} ({copied_chars} of {total} characters are copies)")
    return Verdict(tuple(hits)) if any(hit is not None for hit in hits) else NO_COPIES


def apply_copies(doc: Document, pending: ParagraphKeys, verdict: Verdict) -> Document:
    """Apply the corpus verdict to one document: skipped as ``"duplicate"`` when it
    goes whole; otherwise its copies are removed (and the headings they orphan).
    Pure: both engines apply verdicts here."""
    if verdict.dropped:
        return doc.skip("duplicate", verdict.detail)
    texts = {line.number: line.text for line in doc.lines()}
    removals: list[Removal] = []
    copies: set[int] = set()
    for line, hit in zip(pending.lines, verdict.hits):
        if hit is None:
            continue
        other_doc, other_line, score = hit
        copies.add(line)
        removals.append(Removal(
            step="dedup", rule="duplicate-paragraph" if score >= 1.0 else "near-duplicate-paragraph",
            kind="line", line=line, text=texts[line], duplicate_of=other_line,
            duplicate_of_document=other_doc, similarity=round(score, 3),
        ))
    if removals:
        doc = doc.with_lines([line for line in doc.lines() if line.number not in copies], removals)
    return drop_orphan_headings(doc, pending.before)


class CorpusDedup:
    """The corpus phase: feed documents in order; each comes back deduplicated
    against all earlier ones (a pipeline step: ``run(documents)``).

    :meth:`judge` is the keep rule — the first copy in input order stays, a
    document mostly made of copies goes whole and nothing of it is indexed — and
    the only implementation of it: the local engine calls it per document
    (:meth:`process`), the Ray engine's driver for the documents whose paragraphs
    share keys. :meth:`open` with a folder keeps the index between runs.
    """

    name = "corpus-dedup"

    def __init__(
        self,
        config: DedupConfig | None = None,
        *,
        record_changes: bool = False,
        memory_limit: int | None = None,
        spill_dir: Path | None = None,
    ) -> None:
        self.config = config or DedupConfig()
        self.index = DedupIndex(self.config, memory_limit=memory_limit, spill_dir=spill_dir)
        self.duplicate_documents = 0
        self.record_changes = record_changes  # put each document's IndexChange in doc.index_change
        self.store: IndexStore | None = None
        self.last_change: IndexChange | None = None

    @classmethod
    def open(cls, folder: Path | str | None, config: DedupConfig | None = None, *, record_changes: bool = False,
             memory_limit: int | None = None, spill_dir: Path | None = None) -> CorpusDedup:
        """A corpus phase whose index starts with what the index ``folder`` holds (an
        earlier run's kept paragraphs, all earlier in keep order than this run's) and
        whose additions :meth:`save` appends to it. ``folder=None``: a fresh index.
        Refuses a folder written with other options that shape keys and signatures."""
        config = config or DedupConfig()
        if folder is None:
            return cls(config, record_changes=record_changes, memory_limit=memory_limit, spill_dir=spill_dir)
        store = IndexStore(Path(folder), config)
        try:
            corpus = cls(config, record_changes=record_changes, memory_limit=memory_limit,
                         spill_dir=spill_dir if spill_dir is not None else store.spill_dir())
            store.load_into(corpus.index)
            store.begin()
        except BaseException:
            store.abandon()
            raise
        corpus.store = store
        return corpus

    def save(self) -> None:
        """Append this run's additions to the index folder (atomically; nothing without one)."""
        if self.store is not None:
            self.store.commit()

    def close(self) -> None:
        """Drop what an unsaved run added (its additions are discarded, the folder unchanged)."""
        if self.store is not None:
            self.store.abandon()

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            yield self.process(doc)

    def judge(self, doc_id: str, pending: ParagraphKeys, line_chars: Mapping[int, int], total: int) -> Verdict:
        """The keep rule for one document, in input order: look every long paragraph up
        (adding nothing yet), decide, then index what is not a copy unless the
        document goes whole. ``line_chars`` are the characters of its kept lines, by
        input line; ``total`` their sum."""
        index = self.index
        matches = index.match_many(np.array(pending.exact, dtype=np.uint64), pending.signatures, pending.bands)
        hits = [(*index.where(found[0]), found[1]) if found is not None else None for found in matches]
        verdict = verdict_of(pending.lines, hits, line_chars, total, self.config.document_share)
        if verdict.dropped:  # a repost: nothing of it is indexed
            self.duplicate_documents += 1
            return verdict
        added = [i for i, hit in enumerate(hits) if hit is None]
        self._add(IndexChange(document=doc_id, lines=[pending.lines[i] for i in added],
                              exact=[pending.exact[i] for i in added], signatures=pending.signatures[added],
                              bands=pending.bands[added]))
        return verdict

    def decide(self, doc_id: str, pending: ParagraphKeys, line_chars: Mapping[int, int], total: int
               ) -> tuple[Verdict, IndexChange | None]:
        """:meth:`judge`, and what it added to the index when changes are recorded (for
        the run journal; None otherwise, or when the document goes whole)."""
        verdict = self.judge(doc_id, pending, line_chars, total)
        return verdict, self.last_change if self.record_changes and not verdict.dropped else None

    def process(self, doc: Document) -> Document:
        pending = doc.keys
        if pending is None:
            return doc
        doc = doc.replace(keys=None)
        if doc.skipped:
            return doc
        line_chars = {line.number: len(line.text) for line in doc.lines()}
        verdict, change = self.decide(doc.id, pending, line_chars, sum(line_chars.values()))
        doc = apply_copies(doc, pending, verdict)
        return doc if change is None else doc.replace(index_change=change)

    def _add(self, change: IndexChange) -> None:
        number = self.index.add_document(change.document)
        self.index.add_many(change.exact, change.signatures, change.bands, number, change.lines)
        self.last_change = change
        if self.store is not None:
            self.store.append(change)

    def restore(self, change: IndexChange) -> None:
        """Replay one document's :class:`IndexChange` (how a resumed run rebuilds the index
        without redoing the documents it already wrote)."""
        self._add(change)
