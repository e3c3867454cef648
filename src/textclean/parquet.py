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

__all__ = ["require_pyarrow", "count_rows", "read_records", "row_groups", "read_row_group", "WriteParquet",
           "PART_ROWS"]

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


def _files(location: str) -> tuple[Any, list[str]]:
    """The file system (``None``: local) and the sorted paths of the Parquet files at
    ``location``: a local file or folder, or a URI pyarrow's file systems open
    (``s3://bucket/prefix``, ``gs://…``, ``hdfs://…``)."""
    pa = require_pyarrow()
    if "://" in location:
        import pyarrow.dataset as ds

        try:
            filesystem, root = pa.fs.FileSystem.from_uri(location)
            return filesystem, sorted(ds.dataset(root, filesystem=filesystem, format="parquet").files)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {location} as Parquet: {exc}") from None
    path = Path(location)
    if not path.is_dir():
        return None, [str(path)]
    return None, sorted(str(p) for p in path.rglob("*.parquet") if p.is_file() and not p.name.startswith("."))


def _open(filesystem: Any, name: str) -> Any:
    """A ``pyarrow.parquet.ParquetFile`` (its footer read, no rows yet)."""
    pa = require_pyarrow()
    try:
        if filesystem is None:
            return pa.parquet.ParquetFile(name)
        return pa.parquet.ParquetFile(filesystem.open_input_file(name))
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {name} as Parquet: {exc}") from None


def count_rows(location: Path | str) -> int:
    """The rows of Parquet data (a file, a folder, a URI), from the files' footers."""
    filesystem, files = _files(str(location))
    return sum(_open(filesystem, name).metadata.num_rows for name in files)


def read_records(location: Path | str, *, skip: int = 0) -> Iterator[dict[str, Any]]:
    """Every row of Parquet data (a file, a folder, a URI) as a record, from row
    ``skip`` on: the files in sorted path order, each file's rows as stored.

    Streamed ``BATCH_ROWS`` rows at a time (memory: a batch, not the data); the
    row groups before ``skip`` are passed over by their footers' counts, unread."""
    pa = require_pyarrow()
    filesystem, files = _files(str(location))
    for name in files:
        parquet = _open(filesystem, name)
        groups = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
        first = 0
        while first < len(groups) and skip >= groups[first]:
            skip -= groups[first]
            first += 1
        if first == len(groups):
            continue
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=range(first, len(groups)),
                                              use_threads=False):
                records = batch.to_pylist()
                if skip:
                    records, skip = records[skip:], max(0, skip - len(records))
                yield from records
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {name} as Parquet: {exc}") from None


def row_groups(location: Path | str) -> Iterator[tuple[str, int, int]]:
    """``(file, row group, number of its first row)`` of every row group of Parquet data,
    in the order :func:`read_records` reads them (rows numbered from 1), from the footers."""
    filesystem, files = _files(str(location))
    first = 1
    for name in files:
        metadata = _open(filesystem, name).metadata
        for group in range(metadata.num_row_groups):
            yield name, group, first
            first += metadata.row_group(group).num_rows


def read_row_group(location: Path | str, name: str, group: int) -> list[dict[str, Any]]:
    """The records of one row group (see :func:`row_groups`) of the file ``name`` of the
    Parquet data at ``location`` (a URI names the file system the file is on)."""
    pa = require_pyarrow()
    filesystem = pa.fs.FileSystem.from_uri(str(location))[0] if "://" in str(location) else None
    try:
        return _open(filesystem, name).read_row_group(group, use_threads=False).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {name} as Parquet: {exc}") from None


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
    Each part is written to a temporary name and renamed, so a part is whole or absent."""

    name = "write-parquet"

    def __init__(self, out_dir: Path, *, text_field: str = "text") -> None:
        self.out_dir = Path(out_dir)
        self.text_field = text_field

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        pa = require_pyarrow()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        batch: list[Document] = []
        part = kept = 0  # kept: the rows of the batch that are written (counted as they come, not per row again)
        for doc in documents:
            batch.append(doc)
            kept += not doc.skipped
            if kept >= PART_ROWS:
                self._write(pa, batch, part)
                part += 1
                yield from batch
                batch, kept = [], 0
        if kept:
            self._write(pa, batch, part)
        yield from batch

    def _write(self, pa: Any, batch: list[Document], part: int) -> None:
        from .io import atomic_output

        rows = list(records_of(batch, text_field=self.text_field))
        columns = sorted({name for row in rows for name in row})
        table = pa.table({name: [row.get(name) for row in rows] for name in columns})
        with atomic_output(self.out_dir / f"part-{part:05d}.parquet") as raw:
            pa.parquet.write_table(table, raw)
