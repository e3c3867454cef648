"""Where a corpus run writes: a mirrored ``.txt`` tree, one JSONL(.gz) file, or a
folder of Parquet files — small objects :func:`textclean.clean_corpus` writes through.

A sink checks that it can be used with a source (never inside the input, never
over it), says where the run's journal lives, takes the output for the run (a
lock; for a tree, the manifest of what earlier runs wrote) and gives the writing
step of the pipeline.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import OutputError
from .outdir import LOCK_NAME, Manifest, OutputLock
from .sources import Source, TextFileSource

__all__ = ["Sink", "TreeSink", "JsonlSink", "ParquetSink", "sink_of", "FORMATS"]

FORMATS = ("txt", "jsonl", "parquet")


class Sink(Protocol):
    path: Path
    target: Path  # the path the user named
    format: str  # one of FORMATS
    tree: bool  # a folder of files, one per document (has a manifest)

    def check(self, source: Source) -> None: ...

    def state_path(self) -> Path | None: ...

    def own(self, stack: contextlib.ExitStack, *, overwrite: bool) -> Manifest | None: ...

    # (claimed: the files an interrupted run wrote into a tree and their ids, see WriteTree.claimed)
    def writer(self, *, partial: Path | None = None, resume_at: int = 0,  # noqa: ANN201 - a pipeline Step
               claimed: tuple[tuple[str, str], ...] = ()): ...


def _inside(path: Path, source: Source) -> bool:
    target, src = path.resolve(), source.path.resolve()
    return target == src or (source.path.is_dir() and target.is_relative_to(src))


@dataclass
class TreeSink:
    """Each kept document to ``path/<id>`` (``suffix`` added to ids that lack it:
    records become ``.txt`` files). With ``rename`` the one document of a one-file
    run is written as ``path/<rename>`` and the sink owns nothing else there."""

    path: Path
    suffix: str = ""
    rename: str | None = None
    format: str = "txt"

    @property
    def tree(self) -> bool:
        return self.rename is None

    @property
    def target(self) -> Path:
        """The path the user named: the tree, or the one file."""
        return self.path if self.rename is None else self.path / self.rename

    def check(self, source: Source) -> None:
        if self.rename is not None:
            if (self.path / self.rename).resolve() == source.path.resolve():
                raise OutputError("output file is the input file; inputs are never modified")
            return
        if _inside(self.path, source):
            raise OutputError(f"output folder {self.path} is inside the input folder {source.path}; "
                              "choose a folder outside it")
        if self.path.exists() and not self.path.is_dir():
            what = "a file; --format txt needs a folder" if source.unit == "records" else "not a folder"
            raise OutputError(f"output {self.path} is {what}")

    def state_path(self) -> Path | None:
        from .resume import state_dir

        return state_dir(self.path, tree=True) if self.tree else None

    def own(self, stack: contextlib.ExitStack, *, overwrite: bool) -> Manifest | None:
        if not self.tree:
            return None  # one file in, one file out: written atomically, nothing to own
        stack.enter_context(OutputLock(self.path / LOCK_NAME, self.path))
        manifest = Manifest(self.path)
        manifest.check(overwrite=overwrite)
        return manifest

    def writer(self, *, partial: Path | None = None, resume_at: int = 0,  # noqa: ANN201
               claimed: tuple[tuple[str, str], ...] = ()):
        from .io import WriteTree

        return WriteTree(self.path, rename=self.rename, suffix=self.suffix, claimed=claimed)

    def cleanup(self) -> None:
        """Temporary files a killed run left behind."""
        from .io import remove_temporaries

        remove_temporaries(self.path)


@dataclass
class JsonlSink:
    """Every kept record as one line of ``path`` (``.gz`` compresses)."""

    path: Path
    text_field: str = "text"
    format: str = "jsonl"
    tree: bool = False

    def check(self, source: Source) -> None:
        if self.path.resolve() == source.path.resolve():
            raise OutputError("output file is the input file; inputs are never modified")
        if source.path.is_dir() and self.path.resolve().is_relative_to(source.path.resolve()):
            raise OutputError(f"output {self.path} is inside the input folder {source.path}; choose a path outside it")
        if self.path.is_dir():
            raise OutputError(f"output {self.path} is a folder; JSONL output needs a file path such as out.jsonl")

    @property
    def target(self) -> Path:
        return self.path

    def state_path(self) -> Path | None:
        from .resume import state_dir

        return state_dir(self.path, tree=False)

    def own(self, stack: contextlib.ExitStack, *, overwrite: bool) -> Manifest | None:
        stack.enter_context(OutputLock(self.path.with_name(self.path.name + LOCK_NAME), self.path))
        return None

    def writer(self, *, partial: Path | None = None, resume_at: int = 0,  # noqa: ANN201
               claimed: tuple[tuple[str, str], ...] = ()):
        from .io import WriteJsonl

        return WriteJsonl(self.path, text_field=self.text_field, partial=partial, resume_at=resume_at)

    def cleanup(self) -> None:
        from .io import remove_temporaries

        remove_temporaries(self.path.parent, recursive=False, prefix=f".{self.path.name}.")


@dataclass
class ParquetSink:
    """Kept records as Parquet files in the folder ``path`` (``part-00000.parquet``, …),
    the columns the Ray engine writes. A local run keeps its journal inside the folder
    and resumes after the last part it wrote whole."""

    path: Path
    text_field: str = "text"
    format: str = "parquet"
    tree: bool = False

    def check(self, source: Source) -> None:
        from .resume import STATE_NAME

        if _inside(self.path, source):
            raise OutputError(f"output {self.path} is inside the input {source.path}; choose a path outside it")
        if self.path.exists() and (self.path.is_file() or any(self.path.iterdir())) \
                and not (self.path / STATE_NAME).is_dir():  # an unfinished run's folder: --resume (or not) decides
            raise OutputError(f"Parquet output {self.path} must be a new or empty folder")

    @property
    def target(self) -> Path:
        return self.path

    def state_path(self) -> Path | None:
        from .resume import state_dir

        return state_dir(self.path, tree=True)

    def own(self, stack: contextlib.ExitStack, *, overwrite: bool) -> Manifest | None:
        stack.enter_context(OutputLock(self.path.with_name(self.path.name + LOCK_NAME), self.path))
        return None

    def writer(self, *, partial: Path | None = None, resume_at: int = 0,  # noqa: ANN201
               claimed: tuple[tuple[str, str], ...] = ()):
        from .parquet import WriteParquet

        return WriteParquet(self.path, text_field=self.text_field, first_part=resume_at)

    def cleanup(self) -> None:
        """Temporary parts a killed run left behind."""
        from .io import remove_temporaries

        remove_temporaries(self.path, recursive=False)


def sink_of(path: Path | str, source: Source, *, format: str | None = None, text_field: str = "text") -> Sink:
    """The sink for ``path`` given the source: ``format`` when given, else JSONL for a
    ``.jsonl(.gz)`` path or JSONL input, Parquet for Parquet input, else a tree (a
    file for a one-file input)."""
    from .io import is_jsonl
    from .sources import JsonlSource, ParquetSource

    path = Path(path)
    if format is not None and format not in FORMATS:
        raise OutputError(f"unknown output format {format!r}; choose one of {', '.join(FORMATS)}")
    if format is None:
        if is_jsonl(path) or isinstance(source, JsonlSource):
            format = "jsonl"
        elif isinstance(source, ParquetSource) or path.name.lower().endswith(".parquet"):
            format = "parquet"
        else:
            format = "txt"
    if format == "jsonl":
        return JsonlSink(path, text_field=text_field)
    if format == "parquet":
        return ParquetSink(path, text_field=text_field)
    if isinstance(source, TextFileSource):
        return TreeSink(path.parent, rename=path.name)
    return TreeSink(path, suffix=".txt" if source.unit == "records" else "")
