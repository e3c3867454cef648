"""The run journal: what lets an interrupted corpus run continue where it stopped.

A CLI run keeps its state in a folder beside its outputs (``OUT/.textclean-resume``
for a tree, ``OUT.jsonl.textclean-resume`` for a JSONL file) and deletes it when
the run finishes. The folder holds:

- ``options.json`` — everything that decides the output (version, every config
  field, the rule pack's hash, the input and a hash of its file list). A resume
  with anything different is refused, naming the differences.
- ``mined.pickle`` — the mined site rules, once the mining pass is done.
- ``journal`` — one record per finished document, in input order: its report
  entry, what it added to the duplicate index (:class:`~textclean.document.IndexChange`)
  and, for JSONL output, the output's length after it. A record is appended only
  after the document's output is complete, as one ``write``: length, CRC-32,
  pickle. A torn last record (the process died mid-write) fails its CRC and is
  dropped, so that document is simply redone.
- ``partial.jsonl`` — JSONL output so far (uncompressed; compressed at the end).

Resuming replays the journal (rebuilding the index without re-signing
anything), skips that many input documents, and continues: the output is
byte-identical to an uninterrupted run, wherever the first run died.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .config import Config
from .errors import ResumeError

__all__ = ["RunState", "ResumeError", "state_dir", "options_of", "inputs_hash"]

STATE_NAME = ".textclean-resume"
_HEADER = struct.Struct("<II")  # payload length, CRC-32
_SYNC_SECONDS = 2.0
_WRITE_SECONDS, _WRITE_BYTES = 0.1, 1 << 20  # records are written together at least this often


def state_dir(output: Path, *, tree: bool) -> Path:
    """Where the run state of ``output`` lives: inside a tree, beside a file."""
    output = Path(output)
    return output / STATE_NAME if tree else output.with_name(output.name + STATE_NAME)


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if isinstance(value, (set, frozenset)):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def options_of(config: Config, **run: Any) -> dict[str, str]:
    """A flat, JSON-able description of everything that decides a run's output.

    Every config field by name (the rule pack as a hash of its rules), plus the
    run's own settings in ``run`` (input, output format, fields, ...).
    """
    from . import __version__

    options: dict[str, str] = {"version": __version__}
    for stage in dataclasses.fields(config):
        for f in dataclasses.fields(getattr(config, stage.name)):
            value = _canonical(getattr(getattr(config, stage.name), f.name))
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            if len(text) > 200:
                text = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            options[f.name] = text
    for name, value in run.items():
        options[name] = json.dumps(_canonical(value), ensure_ascii=False, sort_keys=True)
    return options


def inputs_hash(paths: list[Path], root: Path) -> str:
    """A hash of the input files' relative paths, sizes and modification times."""
    from .io import relative_id

    digest = hashlib.sha256()
    for path in paths:
        name = str(path)
        try:
            stat = os.stat(name)
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size, mtime = -1, -1
        digest.update(f"{relative_id(name, root)}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return f"{len(paths)} files, sha256:{digest.hexdigest()[:16]}"


def _frames(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """``(offset after it, payload)`` of each whole record of a journal, in order, up to
    the first torn or damaged one (its CRC fails or it ends early)."""
    while True:
        header = handle.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        length, crc = _HEADER.unpack(header)
        payload = handle.read(length)
        if len(payload) < length or zlib.crc32(payload) != crc:
            return
        yield handle.tell(), payload


class RunState:
    """The state folder of one run (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._synced = time.monotonic()
        self._pending: list[bytes] = []  # records appended, not written yet (see append)
        self._pending_bytes = 0
        self._written = float("-inf")  # when records were last written (never: the first one is written at once)

    # -------------------------------------------------------------- lifecycle

    @classmethod
    def start(cls, path: Path, options: dict[str, str]) -> RunState:
        """A new state folder for a fresh run; an unfinished run's folder is replaced."""
        path = Path(path)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        state = cls(path)
        state._write_json("options.json", options)
        return state

    @classmethod
    def resume(cls, path: Path, options: dict[str, str]) -> RunState:
        """The state of an unfinished run, checked against this run's ``options``."""
        path = Path(path)
        journal = path / "journal"
        if not (path / "options.json").exists() and not (journal.exists() and journal.stat().st_size):
            # stopped while the state folder was being made: nothing was finished, start afresh
            return cls.start(path, options)
        try:
            saved = json.loads((path / "options.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResumeError(f"cannot read the run state in {path} ({exc}); delete it and start again") from exc
        differences = [
            f"{name}: {saved.get(name, '(unset)')} then, {options.get(name, '(unset)')} now"
            for name in sorted(set(saved) | set(options))
            if saved.get(name) != options.get(name)
        ]
        if differences:
            raise ResumeError(
                "cannot resume: this run's options differ from the interrupted run's ("
                + "; ".join(differences)
                + "). Rerun with the same options, or without --resume into an empty output"
            )
        shutil.rmtree(path / "index", ignore_errors=True)  # spilled index files are rebuilt from the journal
        return cls(path)

    def finish(self) -> None:
        """The run completed: remove the state folder."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)

    def close(self) -> None:
        if self._fd is not None:
            try:
                self._sync()
            finally:
                os.close(self._fd)
                self._fd = None
                self._pending, self._pending_bytes = [], 0

    # ------------------------------------------------------------------ parts

    def _write_json(self, name: str, value: Any) -> None:
        from .io import write_atomic

        write_atomic(self.path / name, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))

    def save(self, name: str, value: Any) -> None:
        """Store ``value`` (pickled, atomically) under ``name``."""
        from .io import write_atomic

        write_atomic(self.path / f"{name}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self, name: str) -> Any:
        """What :meth:`save` stored under ``name``, or None."""
        try:
            return pickle.loads((self.path / f"{name}.pickle").read_bytes())
        except FileNotFoundError:
            return None

    @property
    def partial(self) -> Path:
        """Where JSONL output accumulates until the run finishes."""
        return self.path / "partial.jsonl"

    # ---------------------------------------------------------------- journal

    def records(self) -> Iterator[dict[str, Any]]:
        """The journal's complete records, in order; a torn tail is cut off."""
        if self._fd is not None:
            self._write()
        journal = self.path / "journal"
        if not journal.exists():
            return
        good = 0
        with open(journal, "rb") as handle:
            for good, payload in _frames(handle):
                yield pickle.loads(payload)
        if good != journal.stat().st_size:
            with open(journal, "r+b") as handle:
                handle.truncate(good)

    def cut(self, count: int) -> None:
        """Keep the journal's first ``count`` records only (read whole by :meth:`records`):
        the documents after them are done again."""
        end = 0
        with open(self.path / "journal", "r+b") as handle:
            for end, _ in itertools.islice(_frames(handle), count):
                pass
            handle.truncate(end)

    def append(self, record: dict[str, Any]) -> None:
        """Add one finished document's record. Records are written together, every
        ``_WRITE_SECONDS`` or ``_WRITE_BYTES`` (the first at once; one ``write`` for many
        small documents instead of one each), and synced every ``_SYNC_SECONDS`` (see
        _sync). A record not written when the run is killed is a document done again
        on resume: its output is written again, the same."""
        if self._fd is None:
            self._fd = os.open(self.path / "journal", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        payload = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending += (_HEADER.pack(len(payload), zlib.crc32(payload)), payload)
        self._pending_bytes += _HEADER.size + len(payload)
        now = time.monotonic()
        if self._pending_bytes >= _WRITE_BYTES or now - self._written >= _WRITE_SECONDS:
            self._write()
            self._written = now
        if now - self._synced > _SYNC_SECONDS:
            self._sync()
            self._synced = now

    def _write(self) -> None:
        """Write the records appended so far (one ``write``, repeated if the system
        takes part of it)."""
        from .io import write_all

        assert self._fd is not None
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending, self._pending_bytes = [], 0
        write_all(self._fd, data)

    def _sync(self) -> None:
        """Make the journal durable — and, where the whole file system can be synced, the
        output files written so far with it (the writer does not fsync them one by one:
        see :class:`~textclean.io.WriteTree`; the state folder is in or beside the output)."""
        from .io import sync_file_system

        assert self._fd is not None
        self._write()
        sync_file_system(self._fd)
