"""Repeated paragraphs and sentences inside one document (exact repeats).

Content farms paste the same section twice, repeat a title, or repeat sentence
runs inside a paragraph. :func:`dedup_document` keeps the first copy and traces
every later one with the input line of the copy it repeats:

* a paragraph equal to an earlier paragraph goes, whatever its length (titles and
  repeated sections);
* a sentence (text up to and including ``。！？；!?;``, with closing quotes that
  follow) of at least ``min_sentence_chars`` characters that appeared earlier in
  the document, in an earlier paragraph or the same one, goes; a paragraph left
  empty goes.
"""

from __future__ import annotations

import regex

from .config import DedupConfig
from .document import Document, Line, Removal

__all__ = ["split_sentences", "dedup_document"]

_SENTENCE = regex.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』]*")


def split_sentences(text: str) -> list[str]:
    """Split into sentences; the pieces concatenate back to ``text`` exactly.

    A trailing piece without an end mark is returned as the last piece.

    >>> split_sentences("他说：“好。”我们走吧！还有")
    ['他说：“好。”', '我们走吧！', '还有']
    """
    return [piece for piece, _ in _pieces(text)]


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Sentences flagged True, and a trailing piece without an end mark flagged False."""
    pieces = [(match.group(0), True) for match in _SENTENCE.finditer(text)]
    end = sum(len(piece) for piece, _ in pieces)
    if end < len(text):
        pieces.append((text[end:], False))
    return pieces


def dedup_document(doc: Document, config: DedupConfig | None = None) -> Document:
    """Drop repeated paragraphs and sentences of one document, keeping the first.

    >>> text = "标题\\n第一句很长很长很长。第二句也很长很长。\\n标题\\n第二句也很长很长。新的一句话很长很长。"
    >>> dedup_document(Document.from_text(text)).text
    '标题\\n第一句很长很长很长。第二句也很长很长。\\n新的一句话很长很长。'
    """
    if doc.skipped:
        return doc
    config = config or DedupConfig()
    seen_paragraphs: dict[str, int] = {}
    seen_sentences: dict[str, int] = {}
    kept: list[Line] = []
    removals: list[Removal] = []
    for line in doc.lines():
        first = seen_paragraphs.get(line.text)
        if config.dedup_paragraphs and first is not None:
            removals.append(
                Removal(
                    step="dedup", rule="duplicate-paragraph", kind="line", line=line.number,
                    text=line.text, duplicate_of=first, similarity=1.0,
                )
            )
            continue
        seen_paragraphs.setdefault(line.text, line.number)
        text = line.text
        if config.dedup_sentences:
            parts: list[str] = []
            for piece, is_sentence in _pieces(text):
                key = piece.strip()
                if is_sentence and len(key) >= config.min_sentence_chars:
                    earlier = seen_sentences.get(key)
                    if earlier is not None:
                        removals.append(
                            Removal(
                                step="dedup", rule="duplicate-sentence", kind="sentence", line=line.number,
                                text=key, duplicate_of=earlier, similarity=1.0,
                            )
                        )
                        continue
                    seen_sentences[key] = line.number
                parts.append(piece)
            text = "".join(parts).strip()
        kept.append(Line(line.number, text))  # with_lines drops it if nothing is left
    return doc.with_lines(kept, removals)
