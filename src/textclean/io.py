"""Reading folders of ``.txt`` files and writing the cleaned tree atomically.

Inputs are never modified. Files are listed in sorted order of their relative
POSIX path, so a run's order (and the "first copy" dedup keeps) never depends
on the file system. Each output is written to a temporary file in the target
folder and renamed into place, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import itertools
import json
import os
import re
import secrets
import shutil
import stat
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from .document import Document, FileRef, RecordLine, shown
from .errors import OutputError

__all__ = [
    "list_text_files", "read_folder", "read_file", "check_output_dir", "write_all", "write_atomic", "WriteTree",
    "is_jsonl", "read_jsonl", "records_to_documents", "record_of", "json_value", "WriteJsonl", "count_records",
]

TEXT_SUFFIXES = (".txt",)


def list_text_files(root: Path) -> list[Path]:
    """Every ``.txt`` file under ``root``, sorted by relative path (links to folders not followed)."""
    found: list[tuple[str, str]] = []  # (relative path with /, path)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            if name.lower().endswith(TEXT_SUFFIXES):
                path = os.path.join(folder, name)
                found.append((relative_id(path, root), path))
    found.sort()
    return [Path(path) for _, path in found]


def read_folder(
    root: Path, *, max_bytes: int | None = None, files: list[Path] | None = None, follow_symlinks: bool = False,
    lazy: bool = False,
) -> Iterator[Document]:
    """Yield one document per ``.txt`` file, bytes not yet decoded (see :func:`read_document`).

    ``lazy``: the documents name their files (``doc.file``) and :func:`read_file`, the
    first step of a pipeline, reads them — in the worker processes of a parallel run."""
    root = Path(root)
    paths = files if files is not None else list_text_files(root)
    for i, path in enumerate(paths):
        for ahead in paths[:READ_AHEAD] if i == 0 else paths[i + READ_AHEAD - 1 : i + READ_AHEAD]:
            _advise(str(ahead), max_bytes)  # the first ones, then the one READ_AHEAD - 1 files on
        if lazy:
            name = str(path)
            yield Document(id=relative_id(name, root), source=name, file=FileRef(name, str(root), max_bytes, follow_symlinks))
        else:
            yield read_document(path, root, max_bytes=max_bytes, follow_symlinks=follow_symlinks)


READ_AHEAD = 32  # files ahead of the one being handed out whose reading the system is asked to start


def _advise(name: str, max_bytes: int | None) -> None:
    """Ask the system to start reading the file ``name`` now (``posix_fadvise``
    WILLNEED), so that reading it later finds it in memory: on a disk the cache has
    not seen, a run otherwise waits for each file in turn (a 1 GB folder, one worker:
    ~10–30 s of ~280). ~9 µs a file where it is cached. Only a regular file that will
    be read, never through a link (:func:`read_document` decides about those); best
    effort, nothing where the system has no such call."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        info = os.lstat(name)
        if not stat.S_ISREG(info.st_mode) or not info.st_size or (max_bytes is not None and info.st_size > max_bytes):
            return
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return
    try:
        advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


def relative_id(name: str, root: Path | str) -> str:
    """A file's path relative to ``root``, with ``/``: its document id, and how the
    manifest and the inputs' fingerprint name it (a string cut when ``name`` spells
    ``root`` out; pathlib otherwise)."""
    prefix = os.path.join(str(root), "")
    if os.sep == "/" and name.startswith(prefix):
        return name[len(prefix):]
    return Path(name).relative_to(root).as_posix()


def read_file(doc: Document) -> Document:
    """A document that names its file (``doc.file``, from a lazy :func:`read_folder`) with
    the file read (:func:`read_document`), one that holds its JSONL line (from a lazy
    :func:`read_jsonl`) with the line parsed (:func:`record_document`); any other
    document as it is."""
    ref = doc.file
    if ref is None:
        return doc
    if isinstance(ref, RecordLine):
        return record_document(_parse_line(ref.line, ref.number), ref.number, text_field=ref.text_field,
                               id_field=ref.id_field, origin=ref.origin)
    return read_document(ref.path, ref.root, max_bytes=ref.max_bytes, follow_symlinks=ref.follow_symlinks)


def read_document(
    path: Path | str, root: Path | str, *, max_bytes: int | None = None, follow_symlinks: bool = False
) -> Document:
    """One file under ``root`` as a document (id: its relative path), bytes not yet decoded.

    A file larger than ``max_bytes`` is not read: it comes out skipped as
    ``"oversize"``. A file that cannot be read comes out skipped as ``"unreadable"``.
    Only regular files are opened: a FIFO, socket or device named ``*.txt`` is
    skipped as ``"not a regular file"`` (opening a FIFO waits forever). A link to
    a file outside ``root`` is skipped as ``"outside input"`` unless
    ``follow_symlinks``. Both engines read files here.
    """
    name = str(path)
    doc = Document(id=relative_id(name, root), source=name)
    try:
        info = os.lstat(name)
        if stat.S_ISLNK(info.st_mode):
            if not follow_symlinks:
                real_root, target = os.path.realpath(root), os.path.realpath(name)
                if os.path.commonpath([real_root, target]) != real_root:
                    return doc.skip("outside input", f"a link to {target}, outside the input folder; "
                                                     "use --follow-symlinks to read it")
            info = os.stat(name)
        if not stat.S_ISREG(info.st_mode):
            return doc.skip("not a regular file", "a FIFO, socket or device is not read")
        doc = doc.replace(bytes_in=info.st_size)  # (a copy without __init__: ~4 µs less a page each)
        if max_bytes is not None and info.st_size > max_bytes:
            return doc.skip(
                "oversize", f"{info.st_size} bytes is more than max_bytes={max_bytes}; raise --max-bytes to read it"
            )
        with open(name, "rb") as handle:
            return doc.replace(data=handle.read())
    except OSError as exc:
        return doc.skip("unreadable", exc.strerror or str(exc))


def read_utf8(path: Path | str, what: str, error: type[Exception]) -> str:
    """The text of a UTF-8 file the user named (a rule pack, model weights); ``error``
    with a message naming ``what`` and the file when it cannot be read or is not UTF-8."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8; save it as UTF-8") from None


def check_output_dir(in_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder equal to or inside the input folder (or a file)."""
    src = Path(in_dir).resolve()
    dst = Path(out_dir).resolve()
    if dst == src or src in dst.parents:
        raise OutputError(f"output folder {out_dir} is inside the input folder {in_dir}; choose a folder outside it")
    if dst.exists() and not dst.is_dir():
        raise OutputError(f"output {out_dir} exists and is not a folder")


def _temporary_name(path: Path | str, suffix: str = ".tmp") -> str:
    """A name for a temporary file beside ``path`` (``.<name>.<12 hex digits><suffix>``,
    what :func:`remove_temporaries` knows), its ``<name>`` cut so that the whole stays a
    name the file system takes (:data:`_MAX_NAME` bytes): a page whose name is allowed
    is never refused for its temporary's."""
    parent, name = os.path.split(os.fspath(path))
    tail = f".{secrets.token_hex(6)}{suffix}"
    room = _MAX_NAME - 1 - len(tail)
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        name = encoded[:room].decode("utf-8", "ignore") or "x"  # (a cut character dropped whole)
    return os.path.join(parent, f".{name}{tail}")


def _temporary(path: Path | str, suffix: str = ".tmp") -> tuple[int, str]:
    """A new temporary file beside ``path``, with the permissions the umask gives a
    normal file (``tempfile.mkstemp`` would make it 0600, and the rename keeps that)."""
    for _ in range(100):
        tmp = _temporary_name(path, suffix)
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
        except BaseException:  # Ctrl-C just after the file was made (before the caller could own it): not left behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    raise OutputError(f"cannot create a temporary file beside {path}")


@contextlib.contextmanager
def _replacing(path: Path | str, *, make_folder: bool) -> Iterator[int]:
    """The descriptor of a temporary file beside ``path`` (the block closes it), renamed
    into place when the block ends well and removed when it does not."""
    if make_folder:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        yield fd
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_output(path: Path, *, make_folder: bool = True, sync: bool = True) -> Iterator[BinaryIO]:
    """A binary handle whose content becomes ``path`` only when the block ends well:
    a temporary file beside it, fsync'd and renamed into place; removed on failure.
    ``make_folder=False``: the caller made sure the folder exists. ``sync=False``:
    no fsync (still atomic: a crash of the process never leaves a half-written file);
    the caller makes the file system durable later (:func:`sync_file_system`)."""
    with _replacing(path, make_folder=make_folder) as fd, os.fdopen(fd, "wb") as handle:
        yield handle
        if sync:
            handle.flush()
            os.fsync(handle.fileno())


_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp(\.gz)?$")


def remove_temporaries(folder: Path, *, recursive: bool = True, prefix: str = ".") -> int:
    """Delete the temporary files a killed run left under ``folder`` (only names
    :func:`_temporary` makes, starting with ``prefix``); returns how many."""
    removed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    walk = os.walk(folder) if recursive else [(str(folder), [], os.listdir(folder))]
    for parent, _, names in walk:
        for name in names:
            if name.startswith(prefix) and _TEMPORARY.match(name):
                try:
                    os.unlink(os.path.join(parent, name))
                    removed += 1
                except OSError:
                    pass
    return removed


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` of all of ``data`` (again for what a write left, as a signal or a pipe may)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(f"short write ({len(view)} bytes left)")
        view = view[written:]


def write_atomic(path: Path, data: bytes, *, make_folder: bool = True, sync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (see
    :func:`atomic_output`; the same steps on the file descriptor, without a file object:
    a tree of many small pages spends its writing time on them)."""
    with _replacing(path, make_folder=make_folder) as fd:
        try:
            write_all(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)


@functools.lru_cache(maxsize=1)
def _syncfs() -> Any:
    """Linux's ``syncfs(2)`` from the C library, or None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    return function


def can_sync_file_system() -> bool:
    """Whether :func:`sync_file_system` works here (Linux: ``syncfs``). Elsewhere each
    file is fsync'd as it is written."""
    return _syncfs() is not None


def sync_file_system(fd: int) -> None:
    """Make everything written to the file system holding the open file ``fd`` durable
    (``syncfs``; where there is none, an fsync of ``fd`` alone). One call for a batch of
    files costs far less than an fsync each (~0.12 ms of CPU per file here)."""
    function = _syncfs()
    if function is None:
        os.fsync(fd)
        return
    if function(fd) != 0:
        import ctypes

        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def sync_folder(folder: Path) -> None:
    """:func:`sync_file_system` for the file system ``folder`` is on."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        sync_file_system(fd)
    finally:
        os.close(fd)


class _Written:
    """The outcome of a write done at once, shaped like a finished future."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error

    def done(self) -> bool:
        return True

    def result(self) -> None:
        if self.error is not None:
            raise self.error


STATE_PREFIX = ".textclean"  # textclean's own files and folders in OUT (the resume journal, ...)


def _safe_target(out_dir: Path, doc_id: str, root: Path | None = None,
                 folders: dict[str, tuple[int, str]] | None = None) -> tuple[str, str]:
    """Where ``doc_id`` is written under ``out_dir`` (``root``: ``out_dir`` resolved, once
    per run): ``(folder, file)``, as paths (strings: a run claims a path per page, and
    each ``Path`` made and hashed cost more than the rest of the claim). The id's folder is
    resolved (links followed, ``..`` applied) and must lie inside ``out_dir``; ``folders``
    caches that per folder for a run. The file itself is replaced by the writer's rename,
    never followed."""
    if not doc_id or "\0" in doc_id:
        raise OutputError(f"document id {doc_id!r} is empty or holds a NUL character")
    root = root if root is not None else out_dir.resolve()
    parent, _, name = doc_id.rpartition("/")
    if name in ("", ".", ".."):
        parent, name = doc_id, ""
    known = folders.get(parent) if folders is not None else None
    if known is None:
        try:
            folder = (out_dir / parent).resolve()
        except (OSError, ValueError, RecursionError) as exc:
            raise OutputError(f"document id {_short_id(doc_id)} is not a usable path: {exc}") from None
        if folder != root and root not in folder.parents:
            raise OutputError(f"document id {_short_id(doc_id)} would be written outside {out_dir}")
        parts = folder.relative_to(root).parts
        if parts and parts[0].startswith(STATE_PREFIX):
            raise OutputError(f"document id {_short_id(doc_id)} would be written into textclean's own state in {out_dir}")
        if len(parts) >= _MAX_DEPTH or any(len(part.encode("utf-8", "surrogateescape")) > _MAX_NAME for part in parts):
            raise OutputError(_too_long(doc_id))
        known = (len(parts), str(folder))
        if folders is not None and name:
            folders[parent] = known
    depth, place = known
    if not name:  # the id names a folder ("a/..", "."): no file to write
        raise OutputError(f"document id {_short_id(doc_id)} names a folder, not a file")
    if depth == 0 and name.startswith(STATE_PREFIX):
        raise OutputError(f"document id {_short_id(doc_id)} would be written into textclean's own state in {out_dir}")
    if len(name.encode("utf-8", "surrogateescape")) > _MAX_NAME:
        raise OutputError(_too_long(doc_id))
    return place, os.path.join(place, name)


def _too_long(doc_id: str) -> str:
    return (f"document id {_short_id(doc_id)} is too long or too deep for a file path "
            f"(at most {_MAX_DEPTH} folders of {_MAX_NAME} bytes)")


_MAX_DEPTH, _MAX_NAME = 64, 255  # folders in an id; bytes in one name (NAME_MAX on common file systems)


def _short_id(doc_id: str, limit: int = 120) -> str:
    return repr(doc_id) if len(doc_id) <= limit else f"{doc_id[:limit]!r}… ({len(doc_id)} characters)"


# Write errors that belong to one record's path, not to the output as a whole: the
# record is skipped as "invalid id" and the run goes on (a full disk still stops it).
_RECORD_ERRNOS = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.EINVAL, errno.ELOOP}


@dataclass(frozen=True)
class WriteTree:
    """A step that writes each kept document to ``out_dir/<id>`` (UTF-8, LF, no BOM).

    ``rename`` writes the (single) document under that name instead of its id;
    ``suffix`` is added to ids that lack it (records written as ``.txt`` files). An
    id that would land outside ``out_dir`` (``../x``, an absolute path) skips that
    document as ``"invalid id"``.

    Skipped documents are not written. The written path goes in ``doc.output``.
    Write failures raise :class:`OutputError`: a run that cannot write must stop.
    """

    out_dir: Path
    rename: str | None = None
    suffix: str = ""
    name: str = "write"
    threads: int = 4
    # what an interrupted run placed before (its written files and their ids, in input order): a
    # resumed run claims them first, so an id after the cut that lands on one is skipped as it
    # would have been, never written over it (see claims)
    claimed: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # a worker handed the writer writes where the parent claimed: it never needs what was
        # placed before (a resumed run of millions of files would ship them to every worker)
        return {name: value for name, value in self.__dict__.items() if name != "claimed"}

    def claims(self) -> TreeClaims:
        """What this run has claimed: nothing yet, but what the run it continues placed."""
        claims = TreeClaims(Path(self.out_dir))
        for output, doc_id in self.claimed:
            claims.restore(output, doc_id)
        return claims

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        """Write each file (atomically: a temporary file renamed into place); documents
        come out in input order, each once its file is in place.

        Where the file system can be synced whole (Linux), files are written here
        without an fsync each and the file system is synced once at the end — and by
        the run journal before each of its own syncs, so every document the journal
        names is on disk. Elsewhere each file is fsync'd before its rename, in
        ``threads`` threads (an fsync waits on the disk, and the run goes on meanwhile)."""
        import collections
        from concurrent.futures import ThreadPoolExecutor

        claims = self.claims()
        if can_sync_file_system():
            for doc in documents:
                doc = self.claim(doc, claims)
                yield doc if doc.output is None or doc.skipped else self.write(doc)
            self.sync(claims)
            return
        pending: collections.deque[tuple[Document, Any]] = collections.deque()
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="textclean-write") as pool:
            for doc in documents:
                doc = self.claim(doc, claims)
                future = None if doc.output is None or doc.skipped else \
                    pool.submit(write_atomic, Path(doc.output), doc.output_text.encode("utf-8"), make_folder=False)
                pending.append((doc, future))
                while pending and (len(pending) > 4 * self.threads or pending[0][1] is None or pending[0][1].done()):
                    yield self._finish(*pending.popleft())
            while pending:
                yield self._finish(*pending.popleft())

    def claim(self, doc: Document, claims: TreeClaims, *, make_folder: bool = True) -> Document:
        """Where ``doc`` goes, decided in input order: the document with ``output`` set
        (its folder made, unless ``make_folder=False``: then :meth:`write` makes it), or
        skipped as ``"invalid id"`` — an id that would land outside the tree, or on the
        file of an earlier id (``claims``: what the run claimed so far). Skipped
        documents claim nothing."""
        if doc.skipped:
            return doc
        relative = self.rename or doc.id
        if self.suffix and not relative.endswith(self.suffix):
            relative += self.suffix
        try:
            folder, target = _safe_target(claims.out_dir, relative, claims.root, claims.resolved)
        except OutputError as exc:  # an id such as "../x" or "/etc/x": that record, not the run
            return doc.skip("invalid id", str(exc))
        written, folders = claims.written, claims.folders
        if target in written:
            return doc.skip("invalid id", f"id {_short_id(doc.id)} is written to the same file as id "
                                          f"{_short_id(written[target])} ({os.path.basename(target)}); "
                                          "the first one stays")
        parents = _below(folder, claims.root_path, folders)
        clash = next((parent for parent in parents if parent in written), None)
        if target in folders or clash is not None:
            where = f"{os.path.basename(target)} is a folder of other ids" if clash is None else \
                f"{os.path.basename(clash)} is the file of id {_short_id(written[clash])}"
            return doc.skip("invalid id", f"id {_short_id(doc.id)} cannot be written: {where}; the first one stays")
        if make_folder and folder not in folders:  # no file was written there yet: made here, once
            try:
                Path(folder).mkdir(parents=True, exist_ok=True)
            except RecursionError:
                return doc.skip("invalid id", f"cannot write {_short_id(target)}: the path is too deep")
            except OSError as exc:
                if exc.errno not in _RECORD_ERRNOS:
                    raise OutputError(f"cannot make the folder {folder}: {exc.strerror or exc}") from exc
                return doc.skip("invalid id", f"cannot write {_short_id(target)}: {exc.strerror or exc}")
        written[target] = doc.id
        folders.update(parents)
        folders.add(folder)
        return doc.replace(output=target)

    def write(self, doc: Document, *, make_folder: bool = False) -> Document:
        """Write a claimed document (see :meth:`claim`) to its ``output``, atomically —
        without an fsync where the file system is synced whole afterwards (:meth:`sync`),
        else fsync'd — in this process or in a worker process (``make_folder``: its
        folder made here). A write error of that path skips the document as
        ``"invalid id"``; any other stops the run (:class:`OutputError`)."""
        data = doc.output_text.encode("utf-8")
        target = Path(str(doc.output))
        sync = not can_sync_file_system()
        try:
            write_atomic(target, data, make_folder=False, sync=sync)
        except FileNotFoundError as exc:  # its folder is not made yet (made once, not checked for each file)
            if not make_folder:
                return self._finish(doc, _Written(exc))
            try:
                write_atomic(target, data, make_folder=True, sync=sync)
            except (OSError, RecursionError) as again:
                return self._finish(doc, _Written(again))
        except (OSError, RecursionError) as exc:
            return self._finish(doc, _Written(exc))
        return doc.replace(offset=len(data))  # the journal keeps it: a resume checks the file is whole

    def sync(self, claims: TreeClaims) -> None:
        """Make the files written durable, once for the run (where the file system can be
        synced whole; elsewhere :meth:`write` fsync'd each)."""
        if claims.written and can_sync_file_system():
            try:
                sync_folder(claims.out_dir)
            except OSError as exc:
                raise OutputError(f"cannot sync the output {claims.out_dir} to disk: {exc.strerror or exc}") from exc

    @staticmethod
    def _finish(doc: Document, future: Any) -> Document:
        if future is not None:
            try:
                future.result()
            except RecursionError:
                return doc.skip("invalid id", f"cannot write {_short_id(str(doc.output))}: the path is too deep")
            except OSError as exc:
                if exc.errno in _RECORD_ERRNOS:  # a name too long, a file where a folder must go: this record
                    output = str(doc.output)
                    detail = f"cannot write {_short_id(output)}: {exc.strerror or exc}"
                    return doc.skip("invalid id", detail)
                raise OutputError(f"cannot write {doc.output}: {exc.strerror or exc}") from exc
        return doc


class TreeClaims:
    """What a run writing a tree has claimed so far, in input order (see
    :meth:`WriteTree.claim`): each file and the id it holds, the folders its files need,
    each id folder's resolved place. Two ids on one file, or a file where another id
    needs a folder (``d.txt`` and ``d.txt/e``): the later one is skipped — decided here,
    in input order, never by whichever writer (a thread, a worker process) comes first."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir.resolve()  # once per run, not per file
        self.root_path = str(self.root)
        self.written: dict[str, str] = {}  # each file claimed -> its id
        self.folders: set[str] = set()  # the folders the files claimed need
        self.resolved: dict[str, tuple[int, str]] = {}  # each id folder's depth and place, resolved once per run

    def restore(self, output: str, doc_id: str) -> None:
        """Claim again the file ``output`` an interrupted run wrote for ``doc_id``, as
        :meth:`WriteTree.claim` did then (it wrote the path claim made)."""
        folder = os.path.dirname(output)
        self.folders.update(_below(folder, self.root_path, self.folders))
        self.folders.add(folder)
        self.written[output] = doc_id


def _below(folder: str, root: str, known: set[str]) -> list[str]:
    """``folder`` and its parents below ``root`` (none when ``folder`` is known: a
    file was written there before, so they are all known). ``folder`` is ``root`` or
    lies inside it (see :func:`_safe_target`)."""
    if folder in known:
        return []
    out = []
    while folder != root:
        out.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:  # (the top: never reached from inside root)
            break
        folder = parent
    return out


JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")


def is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(JSONL_SUFFIXES)


GZIP_MAGIC = b"\x1f\x8b"


_READ_BUFFER = 1 << 20  # a JSONL input's lines (~10 KB each) read from 1 MB reads: 3x faster than 8 KB ones


def _open_binary(path: Path) -> Any:
    """A JSONL input for reading, decompressed when it starts with gzip's magic
    bytes (whatever its name says: a pipe, a ``.jsonl`` that is compressed)."""
    handle = open(path, "rb", buffering=_READ_BUFFER)  # noqa: SIM115 - returned to a with-block
    if handle.peek(2)[:2] != GZIP_MAGIC:
        return handle
    handle.close()
    return gzip.open(path, "rb")


def records_to_documents(
    records: Iterable[Any], *, text_field: str = "text", id_field: str = "id", origin: str = "record"
) -> Iterator[Document]:
    """One document per record; the record itself travels in ``doc.record``.

    A record that is not an object, or whose text is missing or not a string, comes
    out skipped as ``"invalid record"`` (never an exception). Ids are the record's
    ``id_field`` as a string, or ``<origin>:<n>`` when it has none.
    """
    for number, record in enumerate(records, 1):
        yield record_document(record, number, text_field=text_field, id_field=id_field, origin=origin)


def record_document(record: Any, number: int, *, text_field: str = "text", id_field: str = "id",
                    origin: str = "record") -> Document:
    """The document of record ``number`` (1-based) of a stream (see :func:`records_to_documents`).

    A JSONL line that was not JSON (an ``_Invalid`` from :func:`read_jsonl`) is a
    skipped ``"invalid record"`` with the parse error as its detail.
    """
    if isinstance(record, _Invalid):
        doc = Document(id=f"{origin}:{number}", record=None, number=number)
        return doc.skip("invalid record", record.reason)
    if not isinstance(record, dict):
        doc = Document(id=f"{origin}:{number}", record=record, number=number)
        return doc.skip("invalid record", f"record {number} is a {type(record).__name__}, not an object")
    raw_id = record.get(id_field)
    doc_id = str(raw_id) if raw_id is not None and raw_id != "" else f"{origin}:{number}"
    text = record.get(text_field)
    doc = Document(id=doc_id, text=text if isinstance(text, str) else "", chars_in=len(text) if isinstance(text, str) else 0,
                   source=origin, record=record, number=number)
    if not isinstance(text, str):
        what = "missing" if text_field not in record else f"a {type(text).__name__}"
        return doc.skip("invalid record", f"record {number}: field {text_field!r} is {what}, not a string")
    return doc


def read_jsonl(path: Path, *, text_field: str = "text", id_field: str = "id", lazy: bool = False
               ) -> Iterator[Document]:
    """Documents from a ``.jsonl`` or ``.jsonl.gz`` file; a line that is not a
    record is a skipped record (see :func:`jsonl_records`).

    ``lazy``: each document holds its line (``doc.file``, a
    :class:`~textclean.document.RecordLine`; its id ``<file name>:<line number>``
    until then) and :func:`read_file`, the first step of a pipeline, parses it — in
    the worker processes of a parallel run. The same documents come out of that step."""
    path = Path(path)
    if not lazy:
        yield from records_to_documents(jsonl_records(path), text_field=text_field, id_field=id_field,
                                        origin=path.name)
        return
    origin = path.name
    for number, raw in enumerate(_jsonl_lines(path), 1):
        if isinstance(raw, _Invalid):
            yield record_document(raw, number, text_field=text_field, id_field=id_field, origin=origin)
        else:
            yield Document(id=f"{origin}:{number}", number=number,
                           file=RecordLine(raw, number, origin, text_field, id_field))


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def jsonl_records(path: Path) -> Iterator[Any]:
    """Each line of a JSONL file (gzip-compressed or not: see :func:`_open_binary`) as a
    parsed record, or an ``_Invalid`` with the reason: an empty line, bytes that are
    not UTF-8, text that is not JSON, nesting too deep or a number too long to
    parse, a lone surrogate (``\\ud800``, which no UTF-8 output can hold). A file
    that ends early (a truncated or damaged ``.gz``) ends with one ``_Invalid`` that
    says so; the records before it are kept. Never raises for the content of the
    file. Both engines read JSONL here."""
    for number, raw in enumerate(_jsonl_lines(path), 1):
        yield raw if isinstance(raw, _Invalid) else _parse_line(raw, number)


def _jsonl_lines(path: Path) -> Iterator[bytes | _Invalid]:
    """Each line of a JSONL file as bytes; a file that ends early ends with an
    ``_Invalid`` that says so (see :func:`jsonl_records`)."""
    number = 0
    try:
        with _open_binary(Path(path)) as handle:
            for number, raw in enumerate(handle, 1):
                yield raw
    except (OSError, EOFError, zlib.error) as exc:
        yield _Invalid(number + 1, f"the file ends early or is damaged after line {number}: {exc}")


def _parse_line(raw: bytes, number: int) -> Any:
    if not raw.strip():
        return _Invalid(number, "empty line")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _Invalid(number, f"not UTF-8: byte {raw[exc.start]:#04x} at column {exc.start + 1}")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return _Invalid(number, f"not JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return _Invalid(number, "not a record: nested too deeply")
    except ValueError as exc:  # e.g. an integer of thousands of digits
        return _Invalid(number, f"not a record: {exc}")
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return _Invalid(number, "holds a lone surrogate escape (\\ud800-\\udfff), which UTF-8 cannot encode")
    return record


@dataclass(frozen=True)
class _Invalid:
    number: int
    reason: str


def record_of(doc: Document, *, text_field: str = "text") -> dict[str, Any]:
    """The output record of a document: its fields untouched, the text cleaned, and a
    ``textclean`` object (encoding where known, removed counts, skip reason, duplicate-of)."""
    record = doc.record
    out: dict[str, Any] = dict(record) if isinstance(record, dict) else {"id": shown(doc.id)}
    if not doc.skipped:
        out[text_field] = doc.text
    info: dict[str, Any] = {"chars_in": doc.chars_in, "chars_out": len(doc.text), "removed": len(doc.trace)}
    if doc.encoding:
        info["encoding"] = doc.encoding
    if doc.skipped:
        info["skipped"] = doc.skipped
        if doc.detail:
            info["detail"] = doc.detail
    copies = sorted({r.duplicate_of_document for r in doc.trace if r.duplicate_of_document})
    if copies:
        info["duplicate_of"] = copies
    out["textclean"] = info
    return out


def json_value(value: Any) -> Any:
    """What a JSONL output writes for a value JSON has no type for (a Parquet record's
    columns pass through: timestamps, decimals, binary): dates and times in ISO 8601,
    a duration in seconds, a decimal as its digits (a string, exact), bytes in base64,
    a set as a sorted list, a numpy scalar or array as its Python value; anything else
    as its ``str()``. Used as ``json.dumps(default=...)``: JSON's own types are never
    passed here."""
    import base64
    import datetime
    import decimal

    import numpy as np

    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return str(value)


@dataclass(frozen=True)
class WriteJsonl:
    """A step that writes every kept document as one JSON line to ``path``
    (``.gz`` compresses, the same bytes for the same records on every run and
    engine); written to a temporary file and put into place when the stream ends,
    so a failed run leaves no half file.

    With ``partial`` (a resumable run) the lines go, uncompressed, to that file
    instead, first cut back to ``resume_at`` bytes; each document's
    ``offset`` is the file's length after its line. The partial file is
    moved (or compressed) into place when the stream ends.
    """

    path: Path
    text_field: str = "text"
    partial: Path | None = None
    resume_at: int = 0
    threads: int = 1  # that compress a .gz output at the end (see write_gzip; the same bytes for any number)
    name: str = "write-jsonl"

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        return self.write_lines((doc, self.encode(doc)) for doc in documents)

    def encode(self, doc: Document) -> bytes | None:
        """``doc``'s line as this writer writes it (:func:`record_of` as JSON, UTF-8, a
        final newline), or None for a skipped document (not written). Made wherever
        the document was finished: a worker process sends the bytes."""
        if doc.skipped:
            return None
        line = json.dumps(record_of(doc, text_field=self.text_field), ensure_ascii=False, default=json_value)
        return (line + "\n").encode("utf-8")

    def write_lines(self, lines: Iterable[tuple[Document, bytes | None]]) -> Iterator[Document]:
        """What :meth:`run` does, for documents whose lines were made already
        (:meth:`encode`; None: not written): each line appended in the order given, each
        document yielded with its ``offset``; the file put into place at the end."""
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.partial is not None:
            yield from self._run_partial(lines, path, Path(self.partial))
            return
        fd, tmp = _temporary(path, ".partial")  # lines as a resumable run writes them, then placed the same way
        os.close(fd)
        try:
            yield from self._run_partial(lines, path, Path(tmp))
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def _run_partial(self, lines: Iterable[tuple[Document, bytes | None]], path: Path, partial: Path
                     ) -> Iterator[Document]:
        if self.resume_at > 0 and not partial.exists():
            raise OutputError(f"the interrupted run's output {partial} is missing, so it cannot be resumed; "
                              "delete its state folder and run again without --resume")
        fd = os.open(partial, os.O_RDWR | os.O_CREAT, 0o666)
        with os.fdopen(fd, "r+b") as handle:
            handle.truncate(self.resume_at)
            handle.seek(self.resume_at)
            for doc, line in lines:
                if line is not None:
                    handle.write(line)
                    handle.flush()
                yield doc.replace(offset=handle.tell())
            handle.flush()
            os.fsync(handle.fileno())
        # The partial file stays where it is (the run's state folder removes it when
        # the run is done): a run stopped anywhere in this last step redoes it on
        # --resume from the same bytes, instead of finding its work gone.
        if path.name.lower().endswith(".gz"):
            with atomic_output(path) as raw, open(partial, "rb") as source:
                write_gzip(source, raw, threads=self.threads)
        else:
            _place_copy(partial, path)


GZIP_PIECE = 1 << 22  # bytes of a .gz output deflated on their own (see write_gzip)
GZIP_LEVEL = 6  # zlib's and gzip(1)'s default: level 9 took 20 % longer for 0.5 % less


def write_gzip(source: BinaryIO, out: BinaryIO, *, threads: int = 1, piece: int = GZIP_PIECE,
               level: int = GZIP_LEVEL) -> None:
    """``source``'s bytes to ``out`` as one gzip member (no name, time 0), deflated in
    pieces of ``piece`` bytes, each on its own and ended by a full flush (the way pigz
    cuts its blocks), then an empty last block, so that ``threads`` threads deflate at
    once (zlib lets go of the GIL): the same bytes for any number of threads, and a file
    any gzip reader takes. A .gz output used to be deflated at the end of the run, at
    level 9, in the parent alone (~25 MB/s here: 0.3 s of a 1.7 s run over 10 MB)."""
    import struct

    def deflate(data: bytes) -> bytes:
        packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)

    # magic, deflate, no flags, time 0, no extra flags (XFL for level 6), OS unknown
    out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
    crc = size = 0
    pieces = iter(functools.partial(source.read, piece), b"")
    pool = None
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="textclean-gzip")
    try:
        while batch := list(itertools.islice(pieces, 2 * max(threads, 1))):  # ~2 pieces a thread in memory
            for chunk in batch:
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
            for block in pool.map(deflate, batch) if pool is not None else map(deflate, batch):
                out.write(block)
    finally:
        if pool is not None:
            pool.shutdown()
    out.write(b"\x03\x00")  # the last block: empty (final bit, fixed codes, end of block)
    out.write(struct.pack("<II", crc, size & 0xFFFFFFFF))


def _place_copy(source: Path, path: Path) -> None:
    """``source``'s bytes at ``path``, atomically, ``source`` left in place: a hard
    link where the file system has them (no copy), else a copy."""
    fd, tmp = _temporary(path)
    os.close(fd)
    try:
        os.unlink(tmp)
        os.link(source, tmp)
    except OSError:
        with atomic_output(path) as raw, open(source, "rb") as handle:
            shutil.copyfileobj(handle, raw, 1 << 20)
        return
    os.replace(tmp, path)


def count_records(path: Path) -> int:
    """The number of lines of a JSONL file (for progress), counted without parsing;
    a file that ends early counts the lines it has."""
    count = 0
    try:
        with _open_binary(Path(path)) as handle:
            for count, _ in enumerate(handle, 1):
                pass
    except (OSError, EOFError, zlib.error):
        count += 1  # the record that says the file ends early
    return count
