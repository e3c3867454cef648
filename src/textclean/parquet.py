"""Parquet in and out without Ray, through pyarrow (``pip install 'textclean[parquet]'``).

The same rows as the Ray engine reads and writes: every column passes through,
the text column is replaced by the cleaned text, and a ``textclean`` column holds
the run's object for the record as a JSON string. Rows are cleaned in sorted-id
order on both engines, so ids must be present and unique.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from .document import Document
from .errors import ConfigError, InputError

__all__ = ["require_pyarrow", "read_rows", "WriteParquet", "PART_ROWS"]

PART_ROWS = 10_000  # rows per output file


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.fs
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise ConfigError("Parquet needs pyarrow: pip install 'textclean[parquet]'") from exc
    return pyarrow


def _tables(location: str) -> Iterator[tuple[str, Any]]:
    """(name, table) of each Parquet file at ``location``: a local file or folder, or a
    URI pyarrow's file systems open (``s3://bucket/prefix``, ``gs://…``, ``hdfs://…``)."""
    pa = require_pyarrow()
    if "://" in location:
        import pyarrow.dataset as ds

        try:
            filesystem, root = pa.fs.FileSystem.from_uri(location)
            yield location, ds.dataset(root, filesystem=filesystem, format="parquet").to_table()
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {location} as Parquet: {exc}") from None
        return
    path = Path(location)
    files = sorted(p for p in path.rglob("*.parquet") if p.is_file() and not p.name.startswith(".")) \
        if path.is_dir() else [path]
    for file in files:
        try:
            yield str(file), pa.parquet.read_table(file)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {file} as Parquet: {exc}") from None


def read_rows(location: Path | str, *, id_field: str = "id") -> list[tuple[str, dict[str, Any]]]:
    """Every row of Parquet data (a file, a folder, a URI) as ``(id, record)``, sorted by id."""
    rows: list[tuple[str, dict[str, Any]]] = []
    for name, table in _tables(str(location)):
        for record in table.to_pylist():
            doc_id = record.get(id_field)
            if doc_id is None or doc_id == "":
                raise InputError(f"a Parquet row of {name} has no {id_field!r}; Parquet rows are cleaned in id order, "
                                 "so every row needs one (choose the column with --id-field)")
            rows.append((str(doc_id), record))
    rows.sort(key=lambda row: row[0])
    return rows


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
