"""The run report: per document what was removed and why, and corpus totals.

:meth:`Report.to_html` gives the same report as a page to look at
(:mod:`textclean.report_html`).

JSON layout (``textclean clean --report FILE``)::

    {"textclean": "0.1.0",
     "run": {"input": "pages", "output": "out", "format": "txt", "input_format": "files"},
     "summary": {"files": 5, "written": 4, "skipped": {"empty": 1},
                 "encodings": {"utf-8": 3, "gb18030": 1},
                 "chars_in": ..., "chars_out": ...,
                 "rules": {"zh.meta.dated": {"lines": 2, "spans": 0, "sentences": 0, "chars": 48}, ...}},
     "mined": [{"id": "mined.site_a.1a2b3c4d", "group": "site-a", "kind": "template",
                "template": "《<TITLE>》由…整理。原文：<URL>", "pages": 10, "group_pages": 12, ...}],
     "files": [{"id": "a/b.txt", "encoding": "utf-8", "confidence": 1.0,
                "chars_in": 1200, "chars_out": 900, "kept": "1-3,5-40", "output": "...",
                "removed": [{"rule": "duplicate-paragraph", "kind": "line", "line": 9,
                             "text": "...", "duplicate_of": 3, "reason": "..."}]},
               {"id": "c.txt", "skipped": "binary", "detail": "PNG image"}]}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .document import Document, shown
from .report_html import html_of, kept_ranges, output_texts

__all__ = ["Report", "PackedRemoved", "pack_removals", "plain_entry"]


def removal_item(removal: Any) -> dict[str, Any]:
    """A removal as the report lists it: its fields that are set, and its reason."""
    item = removal.to_dict()
    item["reason"] = removal.reason
    return item


def _totals_of(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per rule, the items' count by kind and their characters (plain dicts: a worker
    pickles them with each page, and a Counter unpickles through its ``__init__``)."""
    totals: dict[str, dict[str, int]] = {}
    for item in items:
        counts = totals.get(item["rule"])
        if counts is None:  # not setdefault: that makes a dict for every item
            counts = totals[item["rule"]] = {}
        kind = item["kind"] + "s"
        counts[kind] = counts.get(kind, 0) + 1
        counts["chars"] = counts.get("chars", 0) + len(item["text"])
    return totals


class PackedRemoved:
    """A report entry's ``removed`` list as a worker process made it: the items
    pickled (the run journal stores the bytes as they are, and only writing the
    report reads them) and their totals by rule, then the items of the removals
    made after it (the corpus phase). Iterating gives every item, in order."""

    __slots__ = ("blob", "more", "totals")

    def __init__(self, blob: bytes, more: list[dict[str, Any]], totals: dict[str, dict[str, int]]) -> None:
        self.blob = blob
        self.more = more
        self.totals = totals

    def __iter__(self) -> Any:
        import pickle

        yield from pickle.loads(self.blob)
        yield from self.more

    def __reduce__(self) -> Any:
        return PackedRemoved, (self.blob, self.more, self.totals)


def pack_removals(doc: Document, *, trace: bool = True) -> Document:
    """The report items of ``doc``'s removals so far, made here (a worker process; see
    :meth:`Report.entry`): the parent then writes them to its journal as bytes and
    counts their totals, instead of building each item itself. ``trace=False``: the
    document goes on without its trace, which the packed items say all of (they then
    cover none of the trace: removals made later start a new one)."""
    import pickle

    items = [removal_item(removal) for removal in doc.trace]
    blob = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
    if not trace:
        return doc.replace(trace=(), report_part=(0, blob, _totals_of(items)))
    return doc.replace(report_part=(len(items), blob, _totals_of(items)))


def plain_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` with a :class:`PackedRemoved` list spelled out (as JSON and readers want it)."""
    removed = entry.get("removed")
    if isinstance(removed, PackedRemoved):
        return {**entry, "removed": list(removed)}  # the same keys, in the same order
    return entry


@dataclass
class Report:
    """Accumulates documents as they finish; :meth:`to_dict` gives the JSON form.

    With ``keep_files=False`` only the totals stay in memory (a corpus run keeps
    its per-file entries in the run journal and passes them to :meth:`write`),
    so a report costs constant memory however many files a run has.
    """

    files: list[dict[str, Any]] = field(default_factory=list)
    keep_files: bool = True
    count: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    rules: dict[str, Counter[str]] = field(default_factory=dict)
    chars_in: int = 0
    chars_out: int = 0
    mined: list[dict[str, Any]] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)  # input, output, format: set by the caller

    def add_mined(self, candidates: Any) -> None:
        """Record the mined rules (``mining.Candidate`` objects) the run used."""
        for candidate in candidates:
            self.mined.append(
                {
                    "id": candidate.rule_id,  # (its rule is made where the rules are: MinedRules)
                    "group": candidate.group,
                    "kind": candidate.kind,
                    "template": candidate.display,
                    "pages": candidate.docs,
                    "group_pages": candidate.group_docs,
                    "edge_share": candidate.edge_share,
                }
            )

    @staticmethod
    def entry(doc: Document) -> dict[str, Any]:
        """The report entry of one finished document (JSON-ready)."""
        entry: dict[str, Any] = {"id": shown(doc.id)}  # a name that was not UTF-8 is shown escaped
        if doc.source:
            entry["source"] = shown(doc.source)
        if doc.encoding:
            entry["encoding"] = doc.encoding
            entry["confidence"] = doc.confidence
        if doc.replaced_bytes:
            entry["replaced_bytes"] = doc.replaced_bytes
        if doc.skipped:
            entry["skipped"] = doc.skipped
        if doc.detail:
            entry["detail"] = doc.detail
        entry["chars_in"] = doc.chars_in
        entry["chars_out"] = len(doc.text)
        if doc.origin:
            entry["kept"] = kept_ranges(doc.origin)  # input lines written, e.g. "1-3,5"
        if doc.output is not None:
            entry["output"] = shown(doc.output)
        part = doc.report_part
        if part is not None and part[0] <= len(doc.trace):  # the first part[0] removals, packed where they were made
            more = [removal_item(removal) for removal in doc.trace[part[0]:]]
            totals = part[2]
            if more:
                totals = {rule: Counter(counts) for rule, counts in totals.items()}
                for rule, counts in _totals_of(more).items():
                    totals.setdefault(rule, Counter()).update(counts)
            entry["removed"] = PackedRemoved(part[1], more, totals)
        else:
            entry["removed"] = [removal_item(removal) for removal in doc.trace]
        if doc.warnings:
            entry["warnings"] = list(doc.warnings)
        return entry

    def add_entry(self, entry: dict[str, Any]) -> None:
        """Count an entry made by :meth:`entry` (also how a resumed run restores its totals)."""
        self.count += 1
        if "encoding" in entry:
            self.encodings[entry["encoding"]] += 1
        if "skipped" in entry:
            self.skipped[entry["skipped"]] += 1
        self.chars_in += entry["chars_in"]
        self.chars_out += entry["chars_out"]
        removed = entry["removed"]
        totals = removed.totals if isinstance(removed, PackedRemoved) else _totals_of(removed)
        rules = self.rules
        for rule, counts in totals.items():
            found = rules.get(rule)
            if found is None:
                rules[rule] = Counter(counts)
            else:
                found.update(counts)
        if self.keep_files:
            self.files.append(plain_entry(entry))

    @property
    def written(self) -> int:
        return self.count - sum(self.skipped.values())

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.count,
            "written": self.written,
            "skipped": dict(sorted(self.skipped.items())),
            "encodings": dict(sorted(self.encodings.items())),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "rules": {
                rule: {k: totals.get(k, 0) for k in ("lines", "spans", "sentences", "chars")}
                for rule, totals in sorted(self.rules.items())
            },
        }

    def summary_line(self, unit: str = "files") -> str:
        """One line for the end of a CLI run (``unit``: "files" or "records")."""
        skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.skipped.items())) or "none"
        encodings = ", ".join(f"{enc}: {n}" for enc, n in sorted(self.encodings.items())) or "none"
        return (
            f"{self.count} {unit}: {self.written} written, {sum(self.skipped.values())} skipped ({skipped}); "
            f"encodings {encodings}; {self.chars_in} chars in, {self.chars_out} out"
        )

    def head(self) -> dict[str, Any]:
        """The report without its file entries."""
        from . import __version__

        head: dict[str, Any] = {"textclean": __version__}
        if self.run:
            head["run"] = self.run
        head["summary"] = self.summary()
        head["mined"] = self.mined
        return head

    def to_dict(self) -> dict[str, Any]:
        return {**self.head(), "files": self.files}

    def to_html(self, files: Iterable[dict[str, Any]] | None = None, *, output: Path | None = None) -> str:
        """The report as one self-contained HTML page (see :mod:`textclean.report_html`);
        ``files`` streams the entries when they were not kept; ``output`` is where the
        written JSONL file is read back for the sampled files when it is not at
        ``run["output"]`` (a run to stdout)."""
        head = self.head()

        def texts(samples: list[dict[str, Any]], run: Any) -> Any:
            return output_texts(samples, run if output is None else {**run, "output": str(output)})

        return html_of(head, self.files if files is None else files, texts)

    def write_html(self, path: Path, files: Iterable[dict[str, Any]] | None = None, *,
                   output: Path | None = None) -> None:
        """Write :meth:`to_html` atomically."""
        from .io import write_atomic

        write_atomic(Path(path), self.to_html(files, output=output).encode("utf-8"))

    def write(self, path: Path, files: Iterable[dict[str, Any]] | None = None) -> None:
        """Write the JSON report atomically; ``files`` streams the entries when they
        were not kept (``keep_files=False``), one per line."""
        import io

        from .io import atomic_output

        head = self.head()
        with atomic_output(Path(path)) as raw:
            handle = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            handle.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])
            handle.write(',\n "files": [')
            for number, entry in enumerate(self.files if files is None else files):
                handle.write(",\n  " if number else "\n  ")
                handle.write(json.dumps(entry, ensure_ascii=False))
            handle.write("\n ]\n}\n")
            handle.flush()
            handle.detach()  # atomic_output closes the file
