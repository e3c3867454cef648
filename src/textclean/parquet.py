"""Parquet in and out without Ray, through pyarrow (``pip install 'textclean[parquet]'``).

The same rows as the Ray engine reads and writes: every column passes through,
the text column is replaced by the cleaned text, and a ``textclean`` column holds
the run's object for the record as a JSON string. Rows are read as they are
stored, a batch at a time, and cleaned in that order on both engines: the files
in sorted path order, each file's rows in order (a record's id, when it has one,
names it in reports; it does not order anything).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from .document import Document
from .errors import ConfigError, InputError

__all__ = ["require_pyarrow", "list_parquet_files", "count_rows", "read_records", "row_groups", "read_row_group",
           "WriteParquet", "PART_ROWS"]

PART_ROWS = 10_000  # rows per output file
BATCH_ROWS = 1_024  # rows read at a time


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.fs
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise ConfigError("Parquet needs pyarrow: pip install 'textclean[parquet]'") from exc
    return pyarrow


def list_parquet_files(location: str) -> tuple[Any, list[str]]:
    """The file system (``None``: local) and the sorted paths of the Parquet files at
    ``location``: a local file or folder, or a URI pyarrow's file systems open
    (``s3://bucket/prefix``, ``gs://…``, ``hdfs://…``)."""
    pa = require_pyarrow()
    if "://" in location:
        import pyarrow.dataset as ds

        try:
            filesystem, root = pa.fs.FileSystem.from_uri(location)
            found = ds.dataset(root, filesystem=filesystem, format="parquet").files  # not "." or "_" files
        except FileNotFoundError:
            raise InputError(f"input {location} does not exist") from None
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {location} as Parquet: {exc}") from None
        # as in a local folder: the .parquet files (a folder may hold other files beside them)
        return filesystem, sorted(name for name in found if name.lower().endswith(".parquet") or name == root)
    path = Path(location)
    if not path.is_dir():
        return None, [str(path)]
    return None, sorted(str(p) for p in path.rglob("*.parquet") if p.is_file() and not p.name.startswith("."))


def _open(filesystem: Any, name: str) -> Any:
    """A ``pyarrow.parquet.ParquetFile`` (its footer read, no rows yet; page checksums,
    where the writer kept them, verified as pages are read), or the reason it cannot be
    opened (a string)."""
    pa = require_pyarrow()
    try:
        source = name if filesystem is None else filesystem.open_input_file(name)
        return pa.parquet.ParquetFile(source, page_checksum_verification=True)
    except (OSError, pa.ArrowException) as exc:
        return f"{name} cannot be read as Parquet: {exc}"


def _groups(location: Path | str) -> Iterator[tuple[str, Any, int, int]]:
    """``(file, opened file, row group, its rows)`` of every row group of Parquet data,
    in keep order. A file whose footer cannot be read is one group of one row, with the
    reason in place of the opened file: it is counted, and named, as one bad record."""
    filesystem, files = list_parquet_files(str(location))
    for name in files:
        parquet = _open(filesystem, name)
        if isinstance(parquet, str):
            yield name, parquet, 0, 1
            continue
        for group in range(parquet.metadata.num_row_groups):
            yield name, parquet, group, parquet.metadata.row_group(group).num_rows


def _group_records(name: str, parquet: Any, group: int, rows: int, *, start: int = 0,
                   number: int = 1) -> Iterator[Any]:
    """The records of one row group from its row ``start`` (``number``: the first one's
    place in the run), ``BATCH_ROWS`` at a time. Rows that cannot be read (a damaged
    page, a bad checksum, an unreadable footer) come as an ``_Invalid`` each, with the
    reason, so every row is counted and named and the rows after them keep their numbers."""
    from .io import _Invalid

    pa = require_pyarrow()
    done = 0  # rows of the group passed: yielded, or before start
    reason = parquet
    if not isinstance(parquet, str):
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], use_threads=False):
                records = batch.to_pylist()
                yield from records[min(len(records), max(0, start - done)):]
                done += len(records)
            return
        except (OSError, pa.ArrowException) as exc:
            reason = f"row group {group} of {name} cannot be read: {exc}"
    for row in range(max(done, start), rows):
        yield _Invalid(number + row - start, reason)


def count_rows(location: Path | str) -> int:
    """The rows of Parquet data (a file, a folder, a URI), from the files' footers (a
    file whose footer cannot be read counts as one row: see :func:`_groups`)."""
    return sum(rows for _, _, _, rows in _groups(location))


def read_records(location: Path | str, *, skip: int = 0) -> Iterator[Any]:
    """Every row of Parquet data (a file, a folder, a URI) as a record, from row
    ``skip`` on: the files in sorted path order, each file's rows as stored; a row that
    cannot be read is an ``_Invalid`` with the reason (see :func:`_group_records`).

    Streamed ``BATCH_ROWS`` rows at a time (memory: a batch, not the data); the
    row groups before ``skip`` are passed over by their footers' counts, unread."""
    number = 1
    for name, parquet, group, rows in _groups(location):
        if skip >= rows:
            skip -= rows
            number += rows
            continue
        yield from _group_records(name, parquet, group, rows, start=skip, number=number + skip)
        number += rows
        skip = 0


def row_groups(location: Path | str) -> Iterator[tuple[str, int, int, int]]:
    """``(file, row group, number of its first row, its rows)`` of every row group of
    Parquet data, in the order :func:`read_records` reads them (rows numbered from 1),
    from the footers."""
    first = 1
    for name, _, group, rows in _groups(location):
        yield name, group, first, rows
        first += rows


def read_row_group(location: Path | str, name: str, group: int, rows: int, first: int) -> list[Any]:
    """The records of one row group (see :func:`row_groups`) of the file ``name`` of the
    Parquet data at ``location`` (a URI names the file system the file is on), as
    :func:`read_records` reads them."""
    pa = require_pyarrow()
    filesystem = pa.fs.FileSystem.from_uri(str(location))[0] if "://" in str(location) else None
    return list(_group_records(name, _open(filesystem, name), group, rows, number=first))


def records_of(documents: Iterable[Document], *, text_field: str = "text") -> Iterator[dict[str, Any]]:
    """The output rows of finished documents: kept records, ``textclean`` as JSON text."""
    from .io import record_of

    for doc in documents:
        if doc.skipped:
            continue
        record = record_of(doc, text_field=text_field)
        record["textclean"] = json.dumps(record["textclean"], ensure_ascii=False)
        yield record


class WriteParquet:
    """A step that writes every kept record to ``out_dir/part-NNNNN.parquet``,
    ``PART_ROWS`` rows a file (columns: the union of the part's rows, sorted by name).
    Each part is written to a temporary name and renamed, so a part is whole or absent.

    A document comes out once the part holding it is in place, with ``offset`` the
    number of parts then written: a resumed run (``first_part``: the last offset its
    journal holds) writes the parts after those, the same."""

    name = "write-parquet"

    def __init__(self, out_dir: Path, *, text_field: str = "text", first_part: int = 0) -> None:
        self.out_dir = Path(out_dir)
        self.text_field = text_field
        self.first_part = first_part

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        return self.write_lines((doc, self.encode(doc)) for doc in documents)

    def encode(self, doc: Document) -> dict[str, Any] | None:
        """``doc``'s output row (:func:`records_of`), or None for a skipped document (not
        written). Made wherever the document was finished: a worker process sends the row."""
        return next(records_of([doc], text_field=self.text_field), None)

    def write_lines(self, lines: Iterable[tuple[Document, dict[str, Any] | None]]) -> Iterator[Document]:
        """What :meth:`run` does, for documents whose rows were made already (:meth:`encode`;
        None: not written): the rows put into parts in the order given, each document
        yielded once its part is in place, with ``offset``."""
        pa = require_pyarrow()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        batch: list[Document] = []
        rows: list[dict[str, Any]] = []  # the rows of the batch that are written
        part = self.first_part
        for doc, row in lines:
            batch.append(doc)
            if row is not None:
                rows.append(row)
            if len(rows) >= PART_ROWS:
                self._write(pa, rows, part)
                part += 1
                yield from (written.replace(offset=part) for written in batch)
                batch, rows = [], []
        if rows:
            self._write(pa, rows, part)
            part += 1
        yield from (written.replace(offset=part) for written in batch)

    @staticmethod
    def part_name(part: int) -> str:
        return f"part-{part:05d}.parquet"

    def _write(self, pa: Any, rows: list[dict[str, Any]], part: int) -> None:
        from .io import atomic_output

        columns = sorted({name for row in rows for name in row})
        table = pa.table({name: [row.get(name) for row in rows] for name in columns})
        with atomic_output(self.out_dir / self.part_name(part)) as raw:
            pa.parquet.write_table(table, raw)
