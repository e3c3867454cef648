"""Where a corpus run reads from: a folder of ``.txt`` pages, one ``.txt`` file, a
JSONL(.gz) file or Parquet — small objects that :func:`textclean.clean_corpus` and
both engines read through.

A source says how many documents it holds, yields them in the run's keep order
(from any position, for a resumed run), names itself for the run's journal, and
says whether its documents come grouped into sites (so mining makes sense).

>>> source_of("s3://bucket/crawl").unit, JsonlSource(Path("crawl.jsonl.gz")).minable
('records', True)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol

from .document import Document
from .errors import InputError

__all__ = ["Source", "FolderSource", "TextFileSource", "JsonlSource", "ParquetSource", "source_of"]


class Source(Protocol):
    """What a corpus run needs of its input."""

    path: Path
    unit: str  # "files" or "records", as the summary counts them
    minable: bool  # documents come grouped into sites: mining makes sense
    resumable: bool  # the run can keep a journal and be resumed

    def count(self) -> int: ...

    def fingerprint(self) -> str: ...

    def documents(self, *, max_bytes: int | None = None, skip: int = 0, lazy: bool = False) -> Iterator[Document]:
        """The documents from position ``skip``; with ``lazy``, files may be named
        (``doc.file``) for the pipeline's read step instead of read here."""


@dataclass
class FolderSource:
    """Every ``.txt`` file under ``path`` (sorted by relative path); ids are the
    relative paths, and the first folder of an id is its site."""

    path: Path
    follow_symlinks: bool = False
    unit: str = "files"
    minable: bool = True
    resumable: bool = True
    _files: list[Path] | None = field(default=None, repr=False)

    @property
    def files(self) -> list[Path]:
        if self._files is None:
            from .io import list_text_files

            self._files = list_text_files(self.path)
        return self._files

    def count(self) -> int:
        return len(self.files)

    def fingerprint(self) -> str:
        from .resume import inputs_hash

        return inputs_hash(self.files, self.path)

    def documents(self, *, max_bytes: int | None = None, skip: int = 0, lazy: bool = False) -> Iterator[Document]:
        from .io import read_folder

        return read_folder(self.path, max_bytes=max_bytes, files=self.files[skip:],
                           follow_symlinks=self.follow_symlinks, lazy=lazy)


@dataclass
class TextFileSource:
    """One ``.txt`` file (read wherever its link points: it was named on purpose)."""

    path: Path
    unit: str = "files"
    minable: bool = False
    resumable: bool = False

    def count(self) -> int:
        return 1

    def fingerprint(self) -> str:
        return ""

    def documents(self, *, max_bytes: int | None = None, skip: int = 0, lazy: bool = False) -> Iterator[Document]:
        from .io import read_folder

        return read_folder(self.path.parent, max_bytes=max_bytes, files=[self.path][skip:], follow_symlinks=True,
                           lazy=lazy)


@dataclass
class JsonlSource:
    """One record per line of a JSONL file, gzip-compressed or not; a line that is
    not a record is a skipped ``invalid record``. Records are grouped into sites by
    the folder part of their id (``site-a/page1`` -> ``site-a``)."""

    path: Path
    text_field: str = "text"
    id_field: str = "id"
    unit: str = "records"
    minable: bool = True
    resumable: bool = True
    _count: int | None = field(default=None, repr=False)

    def count(self) -> int:
        if self._count is None:
            from .io import count_records

            self._count = count_records(self.path)
        return self._count

    def fingerprint(self) -> str:
        from .resume import inputs_hash

        return inputs_hash([self.path], self.path.parent)

    def documents(self, *, max_bytes: int | None = None, skip: int = 0, lazy: bool = False) -> Iterator[Document]:
        from .io import read_jsonl

        return itertools.islice(read_jsonl(self.path, text_field=self.text_field, id_field=self.id_field, lazy=lazy),
                                skip, None)


@dataclass
class ParquetSource:
    """Rows of a Parquet file, a folder of them, or a URI (``s3://…``; pyarrow's file
    systems) — pyarrow: ``pip install 'textclean[parquet]'``. Rows are read a batch
    at a time and cleaned as they are stored (files in sorted path order, then row
    order) on every engine; an id is optional, as in JSONL."""

    path: Path
    text_field: str = "text"
    id_field: str = "id"
    uri: str | None = None  # a remote location; ``path`` is then only its name
    unit: str = "records"
    minable: bool = True
    resumable: bool = True
    _count: int | None = field(default=None, repr=False)

    @property
    def location(self) -> str:
        return self.uri if self.uri is not None else str(self.path)

    def records(self, *, skip: int = 0) -> Iterator[Any]:
        """The rows as records, in keep order, from row ``skip`` (streamed; a row that
        cannot be read comes as the reason why: see :func:`textclean.parquet.read_records`)."""
        from .parquet import read_records

        return read_records(self.location, skip=skip)

    def count(self) -> int:
        if self._count is None:
            from .parquet import count_rows

            self._count = count_rows(self.location)
        return self._count

    def fingerprint(self) -> str:
        from .parquet import list_parquet_files
        from .resume import inputs_hash

        if self.uri is not None:
            return f"{self.uri}, rows in stored order"
        files = [Path(name) for name in list_parquet_files(str(self.path))[1]]  # the files read, as they are read
        root = self.path if self.path.is_dir() else self.path.parent
        # the order is named: a journal kept when rows were cleaned in sorted-id order does not resume here
        return f"{inputs_hash(files, root)}, rows in stored order"

    def documents(self, *, max_bytes: int | None = None, skip: int = 0, lazy: bool = False) -> Iterator[Document]:
        from .io import record_document

        origin = self.path.name
        for number, record in enumerate(self.records(skip=skip), skip + 1):
            yield record_document(record, number, text_field=self.text_field, id_field=self.id_field, origin=origin)


def is_parquet(path: Path) -> bool:
    """A ``.parquet`` file or folder, or a folder holding only Parquet files (as a
    Parquet run writes one)."""
    path = Path(path)
    if path.name.lower().endswith(".parquet"):
        return True
    if not path.is_dir():
        return False
    entries = [entry for entry in path.iterdir() if not entry.name.startswith(".")]
    return bool(entries) and all(entry.is_file() and entry.name.lower().endswith(".parquet") for entry in entries)


def source_of(path: Path | str, *, text_field: str = "text", id_field: str = "id",
              follow_symlinks: bool = False) -> Source:
    """The source for a path, by what it is: a folder (of ``.txt`` pages, or of
    Parquet files), a ``.jsonl``/``.jsonl.gz``/``.ndjson`` file, a ``.parquet``
    file, or any other file (one page)."""
    from .io import is_jsonl

    if isinstance(path, str) and "://" in path:
        return ParquetSource(Path(path.rstrip("/").rpartition("/")[2] or "remote"), text_field=text_field,
                             id_field=id_field, uri=path)
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise InputError(f"input {path} does not exist")
    if not (path.is_file() or path.is_dir()):
        raise InputError(f"input {path} is neither a regular file nor a folder (a FIFO, socket or device is not read)")
    if is_parquet(path):
        return ParquetSource(path, text_field=text_field, id_field=id_field)
    if path.is_dir():
        return FolderSource(path, follow_symlinks=follow_symlinks)
    if is_jsonl(path):
        return JsonlSource(path, text_field=text_field, id_field=id_field)
    return TextFileSource(path)
