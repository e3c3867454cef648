"""One page explained line by line: what ``textclean explain`` shows.

Each non-blank input line, with its number: ``+`` kept as is, ``~`` kept with
spans or sentences cut out, ``-`` removed, and under it every removal with its
rule and reason. With a ``corpus`` folder, the folder is mined first and the
pages before the file run first, so the file is explained as ``textclean clean
CORPUS OUT`` cleans it (copies of earlier pages included).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .document import Document, Removal
from .errors import InputError
from .normalize import normalize_line, split_lines

__all__ = ["ExplainedLine", "Explanation", "explain"]


@dataclass(frozen=True)
class ExplainedLine:
    number: int
    mark: str  # "+" kept, "~" kept with parts removed, "-" removed
    text: str
    removals: tuple[Removal, ...]


@dataclass(frozen=True)
class Explanation:
    """A page and what cleaning did to each of its lines."""

    path: Path
    decoded: Document  # the page as decoded (encoding, confidence; skipped when it could not be)
    cleaned: Document | None  # None when the page could not be decoded
    lines: tuple[ExplainedLine, ...]

    def counts(self) -> dict[str, int]:
        marks = [line.mark for line in self.lines]
        return {"kept": marks.count("+"), "changed": marks.count("~"), "removed": marks.count("-")}

    def render(self) -> str:
        """The text ``textclean explain`` prints."""
        path, decoded = self.path, self.decoded
        if decoded.skipped:
            return f"{path}: skipped: {decoded.skipped}" + (f" ({decoded.detail})" if decoded.detail else "") + "\n"
        out = [f"{path}: encoding {decoded.encoding} (confidence {decoded.confidence})\n"]
        width = len(str(self.lines[-1].number)) if self.lines else 1
        for line in self.lines:
            out.append(f"{line.number:>{width}} {line.mark} {line.text}\n")
            for removal in line.removals:
                what = "" if removal.kind == "line" else f" {removal.kind} {removal.text!r}"
                out.append(f"{'':>{width}}   └ removed{what}: {removal.reason}\n")
            if line.mark == "-" and not line.removals:
                out.append(f"{'':>{width}}   └ removed: every sentence repeats an earlier one\n")
        doc = self.cleaned
        if doc is not None and doc.skipped:
            out.append(f"{path}: nothing left ({doc.skipped}" + (f": {doc.detail}" if doc.detail else "") + ")\n")
        counts = self.counts()
        out.append(f"{counts['kept']} kept, {counts['changed']} kept with parts removed, {counts['removed']} removed\n")
        return "".join(out)


def explain(path: Path | str, *, config: Config | None = None, corpus: Path | str | None = None) -> Explanation:
    """Clean the page at ``path`` and say, per input line, what happened to it."""
    from .corpus import mine_corpus
    from .pipeline import Pipeline, decode_document
    from .sources import FolderSource

    config = config or Config()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    doc_id, mined, source = path.name, None, None
    if corpus is not None:
        corpus = Path(corpus)
        try:
            doc_id = path.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            raise InputError(f"{path} is not inside the corpus {corpus}") from None
        source = FolderSource(corpus)
        mined, _ = mine_corpus(source, config=config)
    decoded = decode_document(Document(id=doc_id, source=str(path), data=data), config)
    if decoded.skipped:
        return Explanation(path, decoded, None, ())
    pipeline = Pipeline.default(config, errors="skip", mined=mined)
    doc = None
    if source is not None:
        # as `textclean clean CORPUS OUT` cleans it: after every earlier page, whose
        # paragraphs it may repeat (cross-document dedup), in the run's order
        for cleaned in pipeline.run(source.documents(max_bytes=config.decode.max_bytes)):
            if cleaned.id == doc_id:
                doc = cleaned
                break
    if doc is None:
        doc = next(pipeline.run([decoded]))
    removed: dict[int, list[Removal]] = defaultdict(list)
    for removal in doc.trace:
        removed[removal.line].append(removal)
    kept = set(doc.origin or ())
    lines = []
    for number, raw in enumerate(split_lines(decoded.text or ""), 1):
        text = normalize_line(raw)
        if not text:
            continue
        removals = tuple(removed.get(number, ()))
        mark = ("~" if removals else "+") if number in kept else "-"
        lines.append(ExplainedLine(number, mark, text, removals))
    return Explanation(path, decoded, doc, tuple(lines))
