"""The record that flows through the pipeline: :class:`Document` and its trace.

A document is immutable. Every step returns a new document (:meth:`Document.replace`)
and appends a :class:`Removal` for each line or span it took out, so the final
document explains itself: which rule, which zone, which duplicate.

Lines are tracked by their number in the decoded input (1-based), kept in
``Document.origin`` in step with ``text.split("\\n")``. In the input one
non-blank line is one paragraph, so "paragraph at line 12" is what reports and
``textclean explain`` show.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

__all__ = ["Document", "Removal", "Line", "ParagraphKeys", "IndexChange", "shown", "short_text"]


@dataclass(frozen=True)
class Line:
    """One paragraph of a document with the input line it came from."""

    number: int
    text: str


@dataclass(frozen=True, kw_only=True, init=False)
class Removal:
    """One thing a step took out of a document.

    ``kind`` is ``"line"`` (a whole paragraph), ``"span"`` (part of a line, e.g. an
    inline UI label), or ``"sentence"``. ``rule`` is a boilerplate rule id, a
    mined template id (``template`` then shows the mined line or template), or a
    dedup rule such as ``"duplicate-paragraph"``.
    ``duplicate_of`` names the input line of the copy that was kept.
    """

    step: str
    rule: str
    kind: str
    line: int
    text: str
    zone: str | None = None
    duplicate_of: int | None = None
    duplicate_of_document: str | None = None
    similarity: float | None = None
    template: str | None = None
    score: float | None = None  # the line model's chrome probability (rule "line-model")

    def __init__(self, *, step: str, rule: str, kind: str, line: int, text: str, zone: str | None = None,
                 duplicate_of: int | None = None, duplicate_of_document: str | None = None,
                 similarity: float | None = None, template: str | None = None, score: float | None = None) -> None:
        # The fields in field order, set at once (a page makes ~100 removals: the generated __init__ of
        # a frozen dataclass sets them one by one through object.__setattr__, 2.4x as slow)
        self.__dict__.update(step=step, rule=rule, kind=kind, line=line, text=text, zone=zone,
                             duplicate_of=duplicate_of, duplicate_of_document=duplicate_of_document,
                             similarity=similarity, template=template, score=score)

    @property
    def reason(self) -> str:
        """A short human-readable reason, as shown by ``textclean explain``."""
        if self.duplicate_of is not None:
            where = f"paragraph at line {self.duplicate_of}"
            if self.duplicate_of_document is not None:
                where += f" of {self.duplicate_of_document}"
            text = f"{self.rule}: duplicate of {where}"
            if self.similarity is not None and self.similarity < 1.0:
                text += f" (similarity {self.similarity:.2f})"
            return text
        reason = f"{self.rule} [{self.zone}]" if self.zone else self.rule
        if self.score is not None:
            reason += f" (score {self.score:.2f})"
        return f"{reason}: {self.template}" if self.template else reason

    def __reduce__(self) -> Any:
        # its values in field order (the default pickles a dict of field names with each: a page's
        # removals went from its worker to the parent twice as large and a third slower to load)
        return _removal_of, _REMOVAL_VALUES(self)

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set, in field order (``dataclasses.asdict`` deep-copies:
        10x slower; the instance dict holds the fields in the order ``__init__`` set them)."""
        return {name: value for name, value in self.__dict__.items() if value is not None}


_REMOVAL_FIELDS = tuple(field.name for field in dataclasses.fields(Removal))
_REMOVAL_VALUES = operator.attrgetter(*_REMOVAL_FIELDS)


def _removal_of(*values: Any) -> Removal:
    """A :class:`Removal` from its values in field order (how it unpickles)."""
    removal = object.__new__(Removal)
    removal.__dict__.update(zip(_REMOVAL_FIELDS, values))
    return removal


def short_text(text: str, limit: int = 300) -> str:
    """``text`` as a trace entry keeps it: cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def shown(name: str) -> str:
    """A file name as it can be written to JSON and shown: bytes that were not UTF-8
    (carried as surrogate escapes, the way ``os`` reads such names) become ``\\xff``.

    >>> shown("a.txt"), shown("\\udcff.txt")
    ('a.txt', '\\\\xff.txt')
    """
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class ParagraphKeys:
    """What the corpus pass needs of a document (made by :func:`textclean.dedup.dedup_document`):
    its long paragraphs' input lines, exact keys, MinHash signatures and LSH band keys,
    and the paragraphs as dedup received them (for orphaned headings: headings with their
    text, other lines with their number only)."""

    lines: list[int]
    exact: list[int]
    signatures: np.ndarray
    bands: np.ndarray
    before: list[Line]


@dataclass(frozen=True)
class IndexChange:
    """What one document added to the corpus index: enough to replay it exactly
    (a resumed run) or append it to an index folder (:mod:`textclean.index`)."""

    document: str
    lines: list[int]
    exact: list[int]
    signatures: np.ndarray
    bands: np.ndarray

    def __reduce__(self) -> Any:
        # each part as bytes (the run journal pickles one per document: the default, a dict of
        # the fields with the arrays' own reductions and a long per key, took ~15 µs a page; this 4–9);
        # the band keys are not written: they follow from the signatures (a fifth of the journal)
        signatures = self.signatures
        return _index_change_from, (self.document, np.asarray(self.lines, dtype=np.int64).tobytes(),
                                    np.asarray(self.exact, dtype=np.uint64).tobytes(), signatures.dtype.str,
                                    signatures.shape, signatures.tobytes(), self.bands.shape[1])


def _index_change_from(document: str, lines: bytes, exact: bytes, signature_type: str,
                       signature_shape: tuple[int, ...], signatures: bytes, bands: int) -> IndexChange:
    """An :class:`IndexChange` from its parts as bytes (how it unpickles), its band keys
    made again from its signatures (:func:`textclean.signatures.band_keys`, as the
    dedup step made them)."""
    from .signatures import band_keys

    rows = np.frombuffer(signatures, dtype=signature_type).reshape(signature_shape).copy()
    return IndexChange(document=document, lines=np.frombuffer(lines, dtype=np.int64).tolist(),
                       exact=np.frombuffer(exact, dtype=np.uint64).tolist(), signatures=rows,
                       bands=band_keys(rows, bands))


def _index_change_of(document: str, lines: bytes, exact: bytes, signature_type: str, signature_shape: tuple[int, ...],
                     signatures: bytes, band_type: str, band_shape: tuple[int, ...], bands: bytes) -> IndexChange:
    """An :class:`IndexChange` from its parts as bytes, band keys included (how a journal
    written before the band keys were left out unpickles)."""
    return IndexChange(document=document, lines=np.frombuffer(lines, dtype=np.int64).tolist(),
                       exact=np.frombuffer(exact, dtype=np.uint64).tolist(),
                       signatures=np.frombuffer(signatures, dtype=signature_type).reshape(signature_shape).copy(),
                       bands=np.frombuffer(bands, dtype=band_type).reshape(band_shape).copy())


@dataclass(frozen=True)
class FileRef:
    """A file not read yet (see :func:`textclean.io.read_file`): the first step reads
    it where it runs, so a worker process, not the parent, touches the bytes."""

    path: str
    root: str
    max_bytes: int | None = None
    follow_symlinks: bool = False


@dataclass(frozen=True)
class RecordLine:
    """A JSONL line not parsed yet (see :func:`textclean.io.read_jsonl`): the first step
    parses it where it runs, so a worker process, not the parent, parses the JSON."""

    line: bytes
    number: int  # its line number in the file (1-based)
    origin: str  # the file's name (ids of records without one: ``<origin>:<number>``)
    text_field: str = "text"
    id_field: str = "id"


@dataclass(frozen=True, kw_only=True)
class Document:
    """A document and what happened to it.

    ``id`` is stable and unique within a run (the relative path for folder input).
    ``data`` holds the raw bytes until the decode step turns them into ``text``.
    ``skipped`` holds the reason when the document is set aside (``"empty"``,
    ``"binary"``, ``"undecodable"``, ``"oversize"``, ``"no content"``); a skipped
    document passes through later steps unchanged and is not written.

    >>> doc = Document.from_text("标题\\n\\n正文。", id="a.txt")
    >>> doc.lines()
    [Line(number=1, text='标题'), Line(number=3, text='正文。')]
    """

    id: str
    text: str = ""
    data: bytes | None = field(default=None, repr=False)
    source: str | None = None
    encoding: str | None = None
    confidence: float | None = None
    skipped: str | None = None
    detail: str | None = None
    bytes_in: int = 0
    replaced_bytes: int = 0  # invalid bytes the decoder dropped (see textclean.decode)
    chars_in: int = 0
    origin: tuple[int, ...] | None = None
    trace: tuple[Removal, ...] = ()
    warnings: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)  # free for callers; textclean's steps never use it
    # Hand-offs between steps and engines, typed (not part of what is written):
    record: Any = field(default=None, repr=False, compare=False)  # the input record of a record document
    file: FileRef | RecordLine | None = field(default=None, repr=False, compare=False)  # source -> the read step
    number: int | None = None  # its position in the input (1-based)
    keys: ParagraphKeys | None = field(default=None, repr=False, compare=False)  # dedup -> corpus pass
    index_change: IndexChange | None = field(default=None, repr=False, compare=False)  # corpus pass -> journal
    observation: Any = field(default=None, repr=False, compare=False)  # mining pass: a mining.Observation
    # a worker -> the run's report: its removals so far as report items (report.pack_removals)
    report_part: Any = field(default=None, repr=False, compare=False)
    output: str | None = None  # where the writer put it
    offset: int | None = None  # where its output ends -> journal: the JSONL file's length after its line, its tree file's size
    order: Any = None  # the Ray engine's keep order

    @classmethod
    def from_text(cls, text: str, *, id: str = "<text>", **fields: Any) -> Document:
        """A document from already decoded text (lines numbered as given)."""
        return cls(id=id, text=text, chars_in=len(text), **fields)

    def replace(self, **changes: Any) -> Document:
        """A copy with ``changes`` (what ``dataclasses.replace`` does, without calling
        ``__init__`` again: steps copy documents many times per page)."""
        unknown = changes.keys() - _DOCUMENT_FIELDS
        if unknown:
            raise TypeError(f"Document has no field(s) {sorted(unknown)}")
        copy = object.__new__(Document)
        state = copy.__dict__
        state.update(self.__dict__)
        state.update(changes)
        if "text" in changes or "origin" in changes:
            state.pop(_LINES, None)
        return copy

    @property
    def place(self) -> int | str:
        """Where the document is in its input, known before the read step runs: its
        number (a record), else its id (a file's relative path). How a pass finds
        the documents an earlier pass kept."""
        return self.number if self.number is not None else self.id

    def lines(self) -> list[Line]:
        """The current non-empty paragraphs with their input line numbers."""
        memo = self.__dict__.get(_LINES)
        if memo is None:
            texts = self.text.split("\n")
            numbers: Iterable[int] = self.origin if self.origin is not None else range(1, len(texts) + 1)
            memo = self.__dict__[_LINES] = tuple(Line(n, t) for n, t in zip(numbers, texts) if t)
        return list(memo)

    def with_lines(self, lines: Iterable[Line], removals: Iterable[Removal] = ()) -> Document:
        """A copy holding ``lines`` (empty ones dropped) and the extra removals."""
        kept = [line for line in lines if line.text]
        doc = self.replace(
            text="\n".join(line.text for line in kept),
            origin=tuple(line.number for line in kept),
            trace=self.trace + tuple(removals),
        )
        if not any("\n" in line.text for line in kept):  # lines() of the copy gives these back
            doc.__dict__[_LINES] = tuple(kept)
        return doc

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != _LINES}

    def skip(self, reason: str, detail: str | None = None) -> Document:
        """A copy set aside for ``reason``; its text is dropped."""
        return self.replace(skipped=reason, detail=detail, text="", data=None, origin=())

    @property
    def output_text(self) -> str:
        """The text as written: one paragraph per line, LF, final newline."""
        if not self.text:
            return ""
        return self.text + "\n"


_DOCUMENT_FIELDS = frozenset(field.name for field in dataclasses.fields(Document))
# Where a document remembers its lines() (the steps ask for them many times per page):
# made from text and origin, dropped by replace() when either changes, never pickled.
_LINES = "_lines"
