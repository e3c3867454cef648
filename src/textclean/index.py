"""The corpus duplicate index and its storage: every kept long paragraph's exact
key, LSH band keys and MinHash signature, and where it came from.

:class:`DedupIndex` answers "which earlier paragraph does this one repeat?" —
the exact 64-bit key first, then LSH band candidates in index order verified by
estimated Jaccard. :class:`_Table` is its key store (sorted numpy tiers, spilled
to memory-mapped files under a memory limit).
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .config import DedupConfig
from .errors import ConfigError
from .native import core

__all__ = ["DedupIndex", "IndexStore", "INDEX_OPTIONS"]


class _DictKeys:
    """uint64 -> int32 where the first value stored for a key wins, in a dict: the
    pure-Python reference of the compiled ``textclean._core.KeyTable``."""

    def __init__(self) -> None:
        self.values: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.values)

    def clear(self) -> None:
        self.values.clear()

    def nbytes(self) -> int:
        return len(self.values) * 100  # about what a dict entry of two ints costs

    def insert_values(self, keys: np.ndarray, values: np.ndarray) -> None:
        collections.deque(map(self.values.setdefault, keys.tolist(), values.tolist()), maxlen=0)

    def get_into(self, keys: np.ndarray, out: np.ndarray) -> None:
        found = np.fromiter(map(self.values.get, keys.tolist(), itertools.repeat(-1)), dtype=np.int64,
                            count=keys.size)
        hit = found >= 0
        out[hit] = found[hit]

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.fromiter(self.values.keys(), dtype=np.uint64, count=len(self.values)),
                np.fromiter(self.values.values(), dtype=np.int32, count=len(self.values)))

    def sorted_items(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`items` sorted by key (the keys are distinct)."""
        keys, values = self.items()
        order = np.argsort(keys, kind="stable")
        return keys[order], values[order]


def _new_keys() -> Any:
    """A table for keys not yet sorted into tiers: the compiled one when built."""
    compiled = core()
    return compiled.KeyTable() if compiled is not None else _DictKeys()


class _Table:
    """uint64 -> int mapping where the first value stored for a key wins.

    New keys go to a hash table (``KeyTable`` in C, or a dict); every ``flush_at``
    they are sorted into numpy tiers that merge as they grow (like an LSM tree, two
    tiers in one pass): about 12 bytes per key instead of a Python dict's ~100 or the
    C table's 32–64, and with the compiled core 2 more for the tier's filter (most
    keys looked up are in no tier: the filter says so in one memory read; see
    ``tier_bloom``). Tiers are never merged past ``merge_cap`` bytes (so a merge
    never needs more than that much RAM), and :meth:`spill` moves them to
    memory-mapped files.

    ``flush_at`` by default: 65,536 keys; with the C table and no memory cap,
    1,048,576 (at most 64 MB of table): a lookup in the hash table is one memory
    read, so runs of up to ~30k indexed paragraphs look up without tiers (the corpus
    pass is the parent's serial work). 256k, replaying the table's use (330 keys a
    page, as ``benchmarks/index_growth.py``): 2.5x slower at 1k–3k pages, 30 % faster
    at 10k, the same at 100k.
    """

    def __init__(self, flush_at: int | None = None, merge_cap: float = float("inf")) -> None:
        self.pending: Any = _new_keys()
        if flush_at is None:
            flush_at = 1 << 20 if merge_cap == float("inf") and not isinstance(self.pending, _DictKeys) else 65_536
        self.flush_at = flush_at
        self.merge_cap = merge_cap
        # oldest first: keys, values, and the keys' filter (compiled core; else an empty array)
        self.tiers: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self.pending) + sum(keys.size for keys, _, _ in self.tiers)

    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes + f.nbytes for k, v, f in self.tiers) + self.pending.nbytes()

    def ram_bytes(self) -> int:
        """Bytes held in RAM (memory-mapped tiers excluded)."""
        return sum(k.nbytes + v.nbytes + f.nbytes for k, v, f in self.tiers
                   if not isinstance(k, np.memmap)) + self.pending.nbytes()

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The stored value for each key, or -1."""
        out = np.full(keys.size, -1, dtype=np.int64)
        if not self.tiers:  # every key is in the table (until the first flush): one pass over it
            if len(self.pending):
                self.pending.get_into(np.ascontiguousarray(keys, dtype=np.uint64), out)
            return out
        compiled = core()
        if compiled is not None:  # each key searched from where its value puts it (tested equal to the below)
            wanted = np.ascontiguousarray(keys, dtype=np.uint64)
            for tier_keys, tier_values, bloom in self.tiers:  # oldest first: the first tier holding a key answers
                compiled.tier_lookup(tier_keys, np.ascontiguousarray(tier_values, dtype=np.int32), wanted, out,
                                     bloom)
        else:
            # the keys in order: neighbouring searches share the paths into each tier (cache)
            order = np.argsort(keys)
            ordered = keys[order]
            found = np.full(keys.size, -1, dtype=np.int64)
            for tier_keys, tier_values, _ in self.tiers:
                pos = np.searchsorted(tier_keys, ordered)
                pos[pos >= tier_keys.size] = 0
                hit = (tier_keys[pos] == ordered) & (found < 0)
                found[hit] = tier_values[pos[hit]]
            out[order] = found
        if len(self.pending):
            missing = np.flatnonzero(out < 0)
            if missing.size:
                found = np.full(missing.size, -1, dtype=np.int64)
                self.pending.get_into(np.ascontiguousarray(keys[missing], dtype=np.uint64), found)
                out[missing] = found
        return out

    def insert_values(self, keys: np.ndarray, values: np.ndarray) -> None:
        """``insert(keys[i], values[i])`` for each i, in order."""
        self.pending.insert_values(np.ascontiguousarray(keys, dtype=np.uint64),
                                   np.ascontiguousarray(values, dtype=np.int32))
        self.flushed()

    def flushed(self) -> None:
        """Sort the table's keys into a tier when it holds ``flush_at`` of them (after
        every insert, also one made straight into :attr:`pending`)."""
        if len(self.pending) >= self.flush_at:
            self.flush(refill=True)

    def flush(self, *, refill: bool = False) -> None:
        """Sort the table's keys into a tier (merging tiers of like size). ``refill``: the
        table was full and fills to ``flush_at`` again — emptied, its slots kept (a new one
        grew back through every doubling, rehashing into fresh memory); else (a spill, a
        measure) a new, small one."""
        if not len(self.pending):
            return
        self.tiers.append(_tier(*self.pending.sorted_items()))
        if refill:
            self.pending.clear()
        else:
            self.pending = _new_keys()
        while len(self.tiers) > 1 and self.tiers[-1][0].size * 2 >= self.tiers[-2][0].size:
            newer_keys, newer_values, _ = self.tiers[-1]
            older_keys, older_values, _ = self.tiers[-2]
            if (older_keys.size + newer_keys.size) * 14 > self.merge_cap:  # key, value and filter bytes
                break
            del self.tiers[-2:]
            self.tiers.append(_tier(*_merged(older_keys, older_values, newer_keys, newer_values)))

    def spill(self, folder: Path, name: str) -> None:
        """Move every in-RAM tier to a memory-mapped file in ``folder``."""
        for i, (keys, values, bloom) in enumerate(self.tiers):
            if isinstance(keys, np.memmap):
                continue
            self.tiers[i] = (_to_disk(keys, folder, f"{name}-keys"), _to_disk(values, folder, f"{name}-values"),
                             _to_disk(bloom, folder, f"{name}-filter") if bloom.size else bloom)


def _tier(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sorted tier with its filter: the compiled ``tier_bloom`` (most keys looked up are
    in no tier; the filter answers for them in one memory read), or none without the core."""
    compiled = core()
    bloom = compiled.tier_bloom(keys) if compiled is not None else np.zeros(0, dtype=np.uint64)
    return keys, values, bloom


def _merged(older_keys: np.ndarray, older_values: np.ndarray, newer_keys: np.ndarray,
            newer_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two tiers as one, sorted, each key once with the older tier's value: a linear
    merge in the compiled core (tested equal to the lines below), else numpy sorting
    the concatenation."""
    compiled = core()
    if compiled is not None:
        return compiled.merge_tiers(older_keys, np.ascontiguousarray(older_values, dtype=np.int32), newer_keys,
                                    np.ascontiguousarray(newer_values, dtype=np.int32))  # type: ignore[no-any-return]
    keys = np.concatenate([older_keys, newer_keys])
    values = np.concatenate([older_values, newer_values])
    keys, first = np.unique(keys, return_index=True)  # the older entry of a key wins
    return keys, values[first]


def _to_disk(array: np.ndarray, folder: Path, name: str) -> np.ndarray:
    """``array`` written to a new file in ``folder`` and mapped back read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{secrets.token_hex(8)}.bin"
    with open(path, "wb") as handle:
        handle.write(np.ascontiguousarray(array).tobytes())
    if array.size == 0:
        return array
    return np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)


class DedupIndex:
    """Every kept long paragraph of the run so far: exact hashes, LSH bands, signatures.

    Memory per indexed paragraph: ``4 * num_perm`` bytes of signature, about
    14 bytes per band key and 14 for the exact key (12 in a tier, 2 in its filter), 8 for where it came from
    (:meth:`bytes_per_entry` measures it), plus the document ids.

    With ``memory_limit`` (bytes) the parts in RAM are kept under that budget:
    when they pass it, finished signature blocks and table tiers move to
    memory-mapped files in ``spill_dir`` (the OS pages them in on lookup).
    """

    _BLOCK = 4096

    def __init__(self, config: DedupConfig, *, memory_limit: int | None = None, spill_dir: Path | None = None) -> None:
        if memory_limit is not None and spill_dir is None:
            raise ConfigError("a memory_limit needs a spill_dir to put the rest of the index in")
        self.config = config
        self.memory_limit = memory_limit
        self.spill_dir = Path(spill_dir) if spill_dir is not None else None
        cap = memory_limit / 4 if memory_limit is not None else float("inf")
        self.exact = _Table(merge_cap=cap)
        self.band_table = _Table(merge_cap=cap)
        self._signatures: list[np.ndarray] = []  # finished blocks of _BLOCK rows (in RAM or mapped)
        self._where: list[np.ndarray] = []
        self._current = np.zeros((self._BLOCK, config.num_perm), dtype=np.uint32)  # the block being filled
        self._where_current = np.zeros((self._BLOCK, 2), dtype=np.int32)
        self._filled = 0
        self.documents: list[str] = []
        self.count = 0
        self.spills = 0

    def add_document(self, doc_id: str) -> int:
        self.documents.append(doc_id)
        return len(self.documents) - 1

    def _gather(self, entries: np.ndarray) -> np.ndarray:
        """The signatures of ``entries`` (a block at a time: one fancy index per block touched)."""
        out = np.empty((entries.size, self.config.num_perm), dtype=np.uint32)
        chunks, rows = np.divmod(entries, self._BLOCK)
        for chunk in np.unique(chunks).tolist():
            at = chunks == chunk
            block = self._signatures[chunk] if chunk < len(self._signatures) else self._current
            out[at] = block[rows[at]]
        return out

    def where(self, entry: int) -> tuple[str, int]:
        """(document id, input line) of an indexed paragraph."""
        chunk, row = divmod(entry, self._BLOCK)
        block = self._where[chunk] if chunk < len(self._where) else self._where_current
        document, line = block[row]
        return self.documents[int(document)], int(line)

    def match_many(
        self, exact: np.ndarray, signatures: np.ndarray, bands: np.ndarray
    ) -> list[tuple[int, float] | None]:
        """For each paragraph, the earliest indexed paragraph it repeats with the
        similarity, or None. An exact key hit is a copy (similarity 1.0); otherwise
        the paragraphs sharing a band, in entry order (earliest first), are verified by
        estimated Jaccard and the first at ``threshold`` or more wins. One table lookup
        and one comparison for all of a document's paragraphs."""
        count = exact.size
        if not count:
            return []
        compiled = core()
        if compiled is not None and self._native(compiled):  # all of it in one call (tested equal to the below)
            return compiled.match_paragraphs(  # type: ignore[no-any-return]
                self.exact.pending, self.exact.tiers, self.band_table.pending, self.band_table.tiers,
                np.ascontiguousarray(exact, dtype=np.uint64), np.ascontiguousarray(bands, dtype=np.uint64).reshape(-1),
                np.ascontiguousarray(signatures, dtype=np.uint32), self._signatures, self._current, self._BLOCK,
                self.config.threshold)
        exact_hits = self.exact.lookup(exact.astype(np.uint64))
        band_hits = self.band_table.lookup(bands.reshape(-1)).reshape(count, -1)
        found = np.full(count, -1, dtype=np.int64)
        same = np.zeros(count, dtype=np.int64)
        self._verify(band_hits, exact_hits, signatures, found, same)
        out: list[tuple[int, float] | None] = []
        width = signatures.shape[1]
        for hit, candidate, agree in zip(exact_hits.tolist(), found.tolist(), same.tolist()):
            if hit >= 0:
                out.append((hit, 1.0))
            elif candidate >= 0:
                out.append((candidate, float(agree) / width))
            else:
                out.append(None)
        return out

    def _verify(self, band_hits: np.ndarray, exact_hits: np.ndarray, signatures: np.ndarray, found: np.ndarray,
                same: np.ndarray) -> None:
        """The band candidates checked (the reference of the compiled ``match_paragraphs``' check):
        for each paragraph without an exact hit, its candidates in entry order, each
        once; the first at ``threshold`` or more goes to ``found`` (its agreeing
        positions to ``same``). Every pair in one comparison."""
        band_hits = np.sort(band_hits, axis=1)
        wanted = band_hits >= 0
        wanted[:, 1:] &= band_hits[:, 1:] != band_hits[:, :-1]
        wanted[exact_hits >= 0] = False
        paragraphs, columns = np.nonzero(wanted)
        if paragraphs.size:
            candidates = band_hits[paragraphs, columns]
            equal = np.count_nonzero(self._gather(candidates) == signatures[paragraphs], axis=1)
            good = np.flatnonzero(equal / signatures.shape[1] >= self.config.threshold)  # signatures.similarity
            first_rows, first = np.unique(paragraphs[good], return_index=True)  # the earliest good one each
            found[first_rows] = candidates[good[first]]
            same[first_rows] = equal[good[first]]

    def _native(self, compiled: Any) -> bool:
        """Whether both tables keep their new keys in the compiled ``KeyTable`` (the fused
        calls of :meth:`match_many` and :meth:`add_many` work on it)."""
        return isinstance(self.exact.pending, compiled.KeyTable) and isinstance(self.band_table.pending,
                                                                                 compiled.KeyTable)

    def add(self, exact: int, signature: np.ndarray, bands: np.ndarray, document: int, line: int) -> int:
        return self.add_many([exact], signature[None, :], bands[None, :], document, [line])

    def add_many(self, exact: Sequence[int], signatures: np.ndarray, bands: np.ndarray,
                 document: int | Sequence[int], lines: Sequence[int]) -> int:
        """Index paragraphs in order, as :meth:`add` one by one (``document``: the
        document number of all of them, or of each); returns the entry of the first."""
        first = self.count
        if not lines:
            return first
        compiled = core()
        if compiled is not None and self._native(compiled):  # both tables in one call (tested equal to the below)
            compiled.insert_paragraphs(self.exact.pending, self.band_table.pending,
                                       np.ascontiguousarray(exact, dtype=np.uint64),
                                       np.ascontiguousarray(bands, dtype=np.uint64).reshape(-1), first)
            self.exact.flushed()
            self.band_table.flushed()
        else:
            entries = np.arange(first, first + len(lines), dtype=np.int32)
            self.exact.insert_values(np.array(exact, dtype=np.uint64), entries)
            self.band_table.insert_values(np.ascontiguousarray(bands, dtype=np.uint64).reshape(-1),
                                          np.repeat(entries, bands.shape[1]))
        where = np.empty((len(lines), 2), dtype=np.int32)
        where[:, 0] = document if isinstance(document, int) else np.asarray(document)
        where[:, 1] = np.asarray(lines)
        done = 0
        while done < len(lines):  # fill the current block, finish it when full
            take = min(len(lines) - done, self._BLOCK - self._filled)
            self._current[self._filled : self._filled + take] = signatures[done : done + take]
            self._where_current[self._filled : self._filled + take] = where[done : done + take]
            self._filled += take
            self.count += take
            done += take
            if self._filled == self._BLOCK:
                self._signatures.append(self._current)
                self._where.append(self._where_current)
                self._current = np.zeros((self._BLOCK, self.config.num_perm), dtype=np.uint32)
                self._where_current = np.zeros((self._BLOCK, 2), dtype=np.int32)
                self._filled = 0
                if self.memory_limit is not None and self.ram_bytes() > self.memory_limit:
                    self.spill()
        return first

    def spill(self) -> None:
        """Move the finished blocks and table tiers to memory-mapped files."""
        if self.spill_dir is None:
            raise ConfigError("this index has no spill_dir")
        self.exact.flush()
        self.band_table.flush()
        self.exact.spill(self.spill_dir, "exact")
        self.band_table.spill(self.spill_dir, "bands")
        for blocks, name in ((self._signatures, "signatures"), (self._where, "where")):
            for i, block in enumerate(blocks):
                if not isinstance(block, np.memmap):
                    blocks[i] = _to_disk(block, self.spill_dir, name)
        self.spills += 1

    def ram_bytes(self) -> int:
        """Bytes of the index held in RAM (spilled, memory-mapped parts excluded)."""
        signatures = sum(s.nbytes for s in self._signatures if not isinstance(s, np.memmap))
        where = sum(w.nbytes for w in self._where if not isinstance(w, np.memmap))
        current = self._filled * (4 * self.config.num_perm + 8)
        return signatures + where + current + self.exact.ram_bytes() + self.band_table.ram_bytes()

    def nbytes(self) -> int:
        signatures = sum(s.nbytes for s in self._signatures) + self._filled * 4 * self.config.num_perm
        where = sum(w.nbytes for w in self._where) + self._filled * 8
        return signatures + where + self.exact.nbytes() + self.band_table.nbytes()

    def bytes_per_entry(self) -> float:
        self.exact.flush()
        self.band_table.flush()
        return self.nbytes() / max(self.count, 1)


# ---------------------------------------------------------------- kept between runs

INDEX_OPTIONS = ("shingle", "ngram", "num_perm", "bands", "threshold", "min_near_chars", "document_share",
                 "to_simplified", "simplified_converter", "seed")
_FORMAT = 1


class IndexStore:
    """An index folder that keeps the corpus index between runs (``--index DIR``).

    ``options.json`` records the options that shape keys, signatures and matches
    (:data:`INDEX_OPTIONS`); a run with other values is refused, naming them. Each
    run that added to the index appends one segment (``seg-000001``, …: the ids of
    the documents it indexed, and per kept paragraph its exact key, band keys,
    signature and place), written under a temporary name and renamed when the run
    ends, so an interrupted run leaves the folder as it was. Loading replays the
    segments in order, so everything in the folder is earlier in keep order than
    the run that loads it.
    """

    def __init__(self, folder: Path, config: DedupConfig) -> None:
        from .outdir import LOCK_NAME, OutputLock

        self.folder = Path(folder)
        self.config = config
        if self.folder.exists() and not self.folder.is_dir():
            raise ConfigError(f"the index {self.folder} is not a folder; give --index a folder (new or from a run)")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot make the index folder {self.folder}: {exc.strerror or exc}") from exc
        self._lock = OutputLock(self.folder / LOCK_NAME, self.folder)
        self._lock.__enter__()  # released by commit() or abandon(): one run appends at a time
        try:
            self._check_options()
        except BaseException:
            self._lock.__exit__()
            raise
        self._open: dict[str, Any] | None = None
        self._segment: Path | None = None
        self._documents = 0
        self._count = 0

    def _options(self) -> dict[str, Any]:
        return {"format": _FORMAT, **{name: getattr(self.config, name) for name in INDEX_OPTIONS}}

    def _check_options(self) -> None:
        path = self.folder / "options.json"
        options = self._options()
        if not path.exists():
            if any(not p.name.startswith(".") for p in self.folder.iterdir()):
                raise ConfigError(f"{self.folder} is not a textclean index (no options.json); "
                                  "give --index a new folder or one an earlier run wrote")
            from .io import write_atomic

            write_atomic(path, json.dumps(options, indent=1, sort_keys=True).encode("utf-8"))
            return
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the index options {path}: {exc}") from exc
        differ = [f"{name} {saved.get(name)!r} then, {value!r} now" for name, value in options.items()
                  if saved.get(name) != value]
        if differ:
            raise ConfigError(f"the index {self.folder} was built with other options ({'; '.join(differ)}); "
                              "run with the same options, or give --index another folder")

    def segments(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("seg-*") if p.is_dir())

    def spill_dir(self) -> Path:
        return self.folder / f".spill-{os.getpid()}"

    def load_into(self, index: DedupIndex) -> None:
        """Add every segment's paragraphs to ``index``, in the order they were kept."""
        for segment in self.segments():
            try:
                meta = json.loads((segment / "meta.json").read_text(encoding="utf-8"))
                count, bands, num_perm = int(meta["count"]), self.config.bands, self.config.num_perm
                with open(segment / "documents.jsonl", encoding="utf-8") as handle:
                    documents = [json.loads(line) for line in handle]
                exact = _mapped(segment / "exact.u64", np.uint64, (count,))
                band_keys = _mapped(segment / "bands.u64", np.uint64, (count, bands))
                signatures = _mapped(segment / "signatures.u32", np.uint32, (count, num_perm))
                where = _mapped(segment / "where.i32", np.int32, (count, 2))
            except (OSError, ValueError, KeyError) as exc:
                raise ConfigError(f"the index segment {segment} is damaged ({exc}); delete it "
                                  "(the run that wrote it is then forgotten) or use another --index") from exc
            first = len(index.documents)
            for doc_id in documents:
                index.add_document(doc_id)
            index.add_many(exact, signatures, band_keys, (first + where[:, 0]).tolist(), where[:, 1].tolist())

    def begin(self) -> None:
        """Start this run's segment (under a temporary name; leftovers of a killed run go)."""
        for stale in self.folder.glob(".seg-*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)
        number = len(self.segments()) + 1
        self._segment = self.folder / f".seg-{number:06d}.tmp"
        self._segment.mkdir()
        self._open = {name: open(self._segment / name, "wb") for name in  # noqa: SIM115 - closed in _close
                      ("exact.u64", "bands.u64", "signatures.u32", "where.i32", "documents.jsonl")}

    def append(self, change: Any) -> None:
        """Record what one document added (an :class:`~textclean.corpus_dedup.IndexChange`)."""
        if self._open is None or not change.lines:
            return
        files = self._open
        files["documents.jsonl"].write((json.dumps(change.document, ensure_ascii=False) + "\n").encode("utf-8"))
        files["exact.u64"].write(np.asarray(change.exact, dtype=np.uint64).tobytes())
        files["bands.u64"].write(np.ascontiguousarray(change.bands, dtype=np.uint64).tobytes())
        files["signatures.u32"].write(np.ascontiguousarray(change.signatures, dtype=np.uint32).tobytes())
        where = np.array([[self._documents, line] for line in change.lines], dtype=np.int32)
        files["where.i32"].write(where.tobytes())
        self._documents += 1
        self._count += len(change.lines)

    def _close(self) -> None:
        if self._open is not None:
            for handle in self._open.values():
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
            self._open = None

    def commit(self) -> None:
        """Make this run's segment part of the index (a run that added nothing adds no segment)."""
        try:
            self._close()
            if self._segment is not None:
                if self._count:
                    meta = {"count": self._count, "documents": self._documents}
                    (self._segment / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
                    os.replace(self._segment, self._segment.with_name(self._segment.name[1:-4]))
                else:
                    shutil.rmtree(self._segment, ignore_errors=True)
                self._segment = None
        finally:
            self._release()

    def abandon(self) -> None:
        """Forget this run's additions: the folder stays as the last finished run left it."""
        try:
            if self._open is not None:
                for handle in self._open.values():
                    handle.close()
                self._open = None
            if self._segment is not None:
                shutil.rmtree(self._segment, ignore_errors=True)
                self._segment = None
        finally:
            self._release()

    def _release(self) -> None:
        shutil.rmtree(self.spill_dir(), ignore_errors=True)
        self._lock.__exit__()


def _mapped(path: Path, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    expected = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if path.stat().st_size != expected:
        raise ValueError(f"{path.name} holds {path.stat().st_size} bytes, {expected} expected")
    if expected == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=shape)
