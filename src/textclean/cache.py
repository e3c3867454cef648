"""Tables textclean builds the same way on every run, kept on disk between runs.

Some start-up work gives the same result every time for the same textclean, Python,
Unicode data and ``regex``: the fold tables of the compiled core (read off
``unicodedata`` one character at a time, ~40 ms) and the prefilter's reading of the
rule pack's patterns (~25 ms). A run stores them in a cache folder and later runs
read them back in a millisecond or two: about a fifth of the start-up of a run, which
is most of the time of cleaning a few pages and ~5 % of a 10 MB run on two cores.

The folder is ``TEXTCLEAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/textclean``, else
``~/.cache/textclean``; ``TEXTCLEAN_CACHE_DIR=""`` keeps nothing on disk. Each file is
named by a digest of everything its content depends on (textclean's and Python's
versions, the parts the caller names, and the source of the module that builds it),
so anything that could change it makes another file. A file is only ever arrays of
numbers (their types, shapes and bytes: no pickles) or JSON, and whatever cannot be
read back as the caller expects is built again: the cache can only cost the time of building. Nothing
needs it: a folder that cannot be made or written is left alone, silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["digest", "folder", "load_arrays", "load_json", "store_arrays", "store_json"]

ENV = "TEXTCLEAN_CACHE_DIR"


def folder() -> Path | None:
    """Where cached tables live (see the module), or None when caching is off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "textclean"
    try:
        return Path.home() / ".cache" / "textclean"
    except RuntimeError:  # no home folder to be found
        return None


def digest(*parts: str, sources: Iterable[str] = ()) -> str:
    """A name for what is built from ``parts`` by the code in the files ``sources``
    (their bytes count, so a changed module builds anew), by this textclean on this
    Python."""
    from . import __version__

    hashed = hashlib.sha256()
    for part in (__version__, sys.version, *parts):
        hashed.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for source in sources:
        try:
            hashed.update(Path(source).read_bytes())
        except OSError:
            hashed.update(b"?" + source.encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()[:24]


def _path(name: str, key: str, suffix: str) -> Path | None:
    root = folder()
    return None if root is None else root / f"{name}-{key}{suffix}"


def _read(name: str, key: str, suffix: str) -> bytes | None:
    path = _path(name, key, suffix)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(name: str, key: str, suffix: str, data: bytes) -> None:
    """``data`` into its file through a temporary one and a rename (a reader never sees
    half a file; two runs storing the same file at once store the same bytes)."""
    path = _path(name, key, suffix)
    if path is None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass


_MAGIC = b"textclean arrays 1\n"  # then a JSON line naming each array's type and shape, then their bytes
_PLAIN_KINDS = "biuf"  # booleans, integers, floats: arrays of anything else are not stored


def load_arrays(name: str, key: str) -> dict[str, Any] | None:
    """The arrays :func:`store_arrays` stored under ``name`` and ``key`` (read-only views
    of the file's bytes), or None (none stored, or a file that is not such arrays)."""
    data = _read(name, key, ".arrays")
    if data is None or not data.startswith(_MAGIC):
        return None
    import numpy as np

    try:
        header_end = data.index(b"\n", len(_MAGIC))
        parts = json.loads(data[len(_MAGIC) : header_end].decode("utf-8"))
        out, at = {}, header_end + 1
        for part, type_name, shape in parts:
            dtype = np.dtype(type_name)
            if dtype.kind not in _PLAIN_KINDS or not all(isinstance(n, int) and n >= 0 for n in shape):
                return None
            count = int(np.prod(shape, dtype=np.int64))
            out[part] = np.frombuffer(data, dtype=dtype, count=count, offset=at).reshape(shape)
            at += count * dtype.itemsize
        return out if at == len(data) else None
    except (ValueError, TypeError, UnicodeDecodeError):  # damaged: built again
        return None


def store_arrays(name: str, key: str, arrays: dict[str, Any]) -> None:
    """Keep ``arrays`` (numpy arrays of booleans or numbers) under ``name`` and ``key``."""
    if folder() is None:
        return
    import numpy as np

    plain = {part: np.ascontiguousarray(array) for part, array in arrays.items()}
    if any(array.dtype.kind not in _PLAIN_KINDS for array in plain.values()):
        raise ValueError("only arrays of booleans or numbers are cached")
    header = json.dumps([[part, array.dtype.str, list(array.shape)] for part, array in plain.items()])
    _write(name, key, ".arrays", b"".join([_MAGIC, header.encode("utf-8"), b"\n",
                                          *(array.tobytes() for array in plain.values())]))


def load_json(name: str, key: str) -> Any:
    """The value :func:`store_json` stored under ``name`` and ``key``, or None."""
    data = _read(name, key, ".json")
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def store_json(name: str, key: str, value: Any) -> None:
    """Keep ``value`` (JSON-ready) under ``name`` and ``key``."""
    if folder() is None:
        return
    _write(name, key, ".json", json.dumps(value, separators=(",", ":")).encode("utf-8"))
