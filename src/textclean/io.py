"""Reading folders of ``.txt`` files and writing the cleaned tree atomically.

Inputs are never modified. Files are listed in sorted order of their relative
POSIX path, so a run's order (and the "first copy" dedup keeps) never depends
on the file system. Each output is written to a temporary file in the target
folder and renamed into place, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .document import Document
from .errors import OutputError

__all__ = ["list_text_files", "read_folder", "check_output_dir", "write_atomic", "WriteTree"]

TEXT_SUFFIXES = (".txt",)


def list_text_files(root: Path) -> list[Path]:
    """Every ``.txt`` file under ``root``, sorted by relative path (links to folders not followed)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            if name.lower().endswith(TEXT_SUFFIXES):
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_folder(root: Path, *, max_bytes: int | None = None, files: list[Path] | None = None) -> Iterator[Document]:
    """Yield one document per ``.txt`` file, bytes not yet decoded.

    A file larger than ``max_bytes`` is not read: it comes out skipped as
    ``"oversize"``. A file that cannot be read comes out skipped as ``"unreadable"``.
    """
    root = Path(root)
    for path in files if files is not None else list_text_files(root):
        doc = Document(id=path.relative_to(root).as_posix(), source=str(path))
        try:
            size = path.stat().st_size
            doc = dataclasses.replace(doc, bytes_in=size)
            if max_bytes is not None and size > max_bytes:
                yield doc.skip(
                    "oversize", f"{size} bytes is more than max_bytes={max_bytes}; raise --max-bytes to read it"
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            yield doc.skip("unreadable", exc.strerror or str(exc))
            continue
        yield dataclasses.replace(doc, data=data)


def check_output_dir(in_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder equal to or inside the input folder (or a file)."""
    src = Path(in_dir).resolve()
    dst = Path(out_dir).resolve()
    if dst == src or src in dst.parents:
        raise OutputError(f"output folder {out_dir} is inside the input folder {in_dir}; choose a folder outside it")
    if dst.exists() and not dst.is_dir():
        raise OutputError(f"output {out_dir} exists and is not a folder")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _safe_target(out_dir: Path, doc_id: str) -> Path:
    target = (out_dir / doc_id).resolve()
    if out_dir.resolve() not in target.parents:
        raise OutputError(f"document id {doc_id!r} would be written outside {out_dir}")
    return target


@dataclass(frozen=True)
class WriteTree:
    """A step that writes each kept document to ``out_dir/<id>`` (UTF-8, LF, no BOM).

    ``rename`` writes the (single) document under that name instead of its id.

    Skipped documents are not written. The written path goes in ``meta["output"]``.
    Write failures raise :class:`OutputError`: a run that cannot write must stop.
    """

    out_dir: Path
    rename: str | None = None
    name: str = "write"

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        out_dir = Path(self.out_dir)
        for doc in documents:
            if doc.skipped:
                yield doc
                continue
            target = _safe_target(out_dir, self.rename or doc.id)
            try:
                write_atomic(target, doc.output_text.encode("utf-8"))
            except OSError as exc:
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
            yield dataclasses.replace(doc, meta={**doc.meta, "output": str(target)})
