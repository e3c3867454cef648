"""Repeated and near-repeated paragraphs, sentences and documents.

Two phases, so the heavy part runs anywhere and the decisions stay in order:

1. :func:`dedup_document` (pure, per document, parallel-safe): exact repeats of
   paragraphs and sentences inside the document (the goldens' convention), then
   near repeats inside the document (MinHash over folded keys), then the
   signatures the corpus phase needs, attached as ``doc.meta["dedup"]``.
2. :class:`CorpusDedup` (stateful, one per run, fed documents in sorted order):
   each long paragraph is looked up in a :class:`DedupIndex` of every earlier
   document's kept paragraphs — exact 64-bit key hash first, then LSH bands of
   the MinHash signature verified by estimated Jaccard. A document that is
   mostly copies is dropped whole; otherwise its copies are removed and its new
   paragraphs indexed. Headings left without their section go too.

The first copy in input order is always the one kept, so results depend only on
the order of the documents (sorted paths), never on timing or worker count.

Signatures are datasketch ``affine32`` MinHash values computed in bulk with
numpy: :meth:`Signer.minhash` returns a ``datasketch.LeanMinHash`` equal to
``MinHash(num_perm, seed, scheme="affine32", hashfunc=char_shingle_hash)`` fed
the same shingles (tested).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import regex

from .config import DedupConfig
from .document import Document, Line, Removal
from .errors import ConfigError
from .normalize import SimplifiedKeys, fold, fold_many, simplified_view
from .shingles import _MULTIPLIER as _SHINGLE_MULTIPLIER
from .shingles import _OFFSET as _SHINGLE_OFFSET
from .shingles import WordShingler, _fold32, char_shingle_hash, stable_hash64

__all__ = [
    "split_sentences", "dedup_document", "paragraph_signature", "Signer", "DedupIndex", "CorpusDedup",
    "drop_orphan_headings", "similarity", "IndexChange",
]

# A sentence ends at a run of end marks and the closing quotes after it. Only the
# ends are searched for: a pattern that also spans the text before them
# ("[^。…]*[。…]+") is retried from every position of a line with no end mark,
# which is quadratic (a 100k-character keyword line took two minutes).
_SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’」』]*")
_HEADING = regex.compile(r"^[^。！？!?；;]{1,40}$")
_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_BAND_OFFSET = np.uint64(0xCBF29CE484222325)


def split_sentences(text: str) -> list[str]:
    """Split into sentences; the pieces concatenate back to ``text`` exactly.

    A trailing piece without an end mark is returned as the last piece.

    >>> split_sentences("他说：“好。”我们走吧！还有")
    ['他说：“好。”', '我们走吧！', '还有']
    """
    return [piece for piece, _ in _pieces(text)]


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Sentences flagged True, and a trailing piece without an end mark flagged False."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        pieces.append((text[start:end], True))
        start = end
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


# ---------------------------------------------------------------- signatures

def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch's affine32 scheme applies it."""
    h = h.astype(np.uint32, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine32 permutation parameters of ``datasketch.MinHash(num_perm, seed,
    scheme="affine32")``: odd multipliers ``a`` and offsets ``b`` drawn from numpy's
    frozen ``RandomState(seed)`` stream (equality with datasketch is tested).

    Drawn here rather than read off a ``MinHash``: importing datasketch pulls in
    scipy, about a second per worker process.
    """
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


class Signer:
    """Computes MinHash signatures and LSH band keys for dedup keys (picklable).

    >>> signer = Signer(DedupConfig(num_perm=64, bands=16))
    >>> sigs = signer.signatures(["意识形态工作是党的一项极端重要的工作", "意识形态工作是党的一项极其重要的工作"])
    >>> sigs.shape, 0.4 < similarity(sigs[0], sigs[1]) < 1.0
    ((2, 64), True)
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.rows = config.num_perm // config.bands
        self.a, self.b = _permutations(config.num_perm, config.seed)
        self.words = WordShingler(config.ngram) if config.shingle == "word" else None
        self.simplified: Any = None
        if config.to_simplified:
            self.simplified = simplified_view if config.simplified_converter == "table" else SimplifiedKeys()

    def key(self, text: str) -> str:
        """The dedup key of ``text`` under this config (see :func:`textclean.normalize.fold`)."""
        return fold(text, to_simplified=self.simplified)

    def keys(self, texts: list[str]) -> list[str]:
        """``[self.key(t) for t in texts]``, folded in one batch."""
        return fold_many(texts, to_simplified=self.simplified)

    def signatures(self, keys: list[str]) -> np.ndarray:
        """One row of ``num_perm`` uint32 values per key, computed for all keys at once.

        Repeated shingles are not removed first: a minimum does not change when a
        value occurs twice, and skipping the sort is most of the speed.
        """
        out = np.empty((len(keys), self.config.num_perm), dtype=np.uint32)
        if not keys:
            return out
        if self.words is not None:
            segments, hashes = self._word_shingles(keys)
            self._minimum(out, np.arange(len(keys)), np.searchsorted(segments, np.arange(len(keys))), hashes)
            return out
        n = self.config.ngram
        lengths = np.fromiter((len(key) for key in keys), dtype=np.int64, count=len(keys))
        windows = np.maximum(lengths - n + 1, 0)
        long_rows = np.flatnonzero(windows > 0)
        if long_rows.size:
            hashes = self._windows(keys, lengths, windows, n)
            starts = np.concatenate(([0], np.cumsum(windows[long_rows])[:-1]))
            self._minimum(out, long_rows, starts, hashes)
        for row in np.flatnonzero(windows == 0).tolist():  # shorter than n: one shingle, the whole key
            h = _fmix32(np.array([char_shingle_hash(keys[row])], dtype=np.uint32))
            with np.errstate(over="ignore"):
                out[row] = self.a * h[0] + self.b
        return out

    def _windows(self, keys: list[str], lengths: np.ndarray, windows: np.ndarray, n: int) -> np.ndarray:
        """The n-gram hashes of every key with at least n characters, key after key."""
        points = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        span = points.size - n + 1
        with np.errstate(over="ignore"):
            rolling = np.full(span, _SHINGLE_OFFSET, dtype=np.uint64)
            for j in range(n):
                rolling = (rolling ^ points[j : j + span]) * _SHINGLE_MULTIPLIER
        # Keep the windows that lie inside one key: drop the n-1 that straddle each boundary.
        valid = np.ones(span, dtype=bool)
        ends = np.cumsum(lengths)
        for shift in range(1, n):
            cut = ends - shift
            valid[cut[(cut >= 0) & (cut < span)]] = False
        return _fold32(rolling[valid])

    def _minimum(self, out: np.ndarray, rows: np.ndarray, starts: np.ndarray, hashes: np.ndarray) -> None:
        """out[rows[i]] = the MinHash of hashes[starts[i]:starts[i+1]] (segments in order)."""
        hashes = _fmix32(hashes)
        step = max(1, 4_000_000 // self.config.num_perm)  # bound the (permutations x shingles) temporary
        first = 0
        count = rows.size
        while first < count:
            last = first
            while last < count and (last == first or starts[last] - starts[first] < step):
                last += 1
            lo = starts[first]
            hi = starts[last] if last < count else hashes.size
            with np.errstate(over="ignore"):
                permuted = np.multiply.outer(self.a, hashes[lo:hi])  # permutations x shingles: rows contiguous
                permuted += self.b[:, None]
            out[rows[first:last]] = np.minimum.reduceat(permuted, starts[first:last] - lo, axis=1).T
            first = last

    def _word_shingles(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(key index, hash) of every key's word n-grams, key after key (at least one per key)."""
        assert self.words is not None
        sets = [self.words.hashes(key) for key in keys]
        sets = [s if s.size else np.array([char_shingle_hash("")], dtype=np.uint32) for s in sets]
        return np.repeat(np.arange(len(keys)), [s.size for s in sets]), np.concatenate(sets)

    def bands(self, signatures: np.ndarray) -> np.ndarray:
        """LSH band keys: one uint64 per band per signature, bands kept apart."""
        count = signatures.shape[0]
        grouped = signatures.reshape(count, self.config.bands, self.rows).astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = np.full((count, self.config.bands), _BAND_OFFSET, dtype=np.uint64)
            for j in range(self.rows):
                keys = (keys ^ grouped[:, :, j]) * _BAND_MULTIPLIER
            keys ^= np.arange(self.config.bands, dtype=np.uint64) * _BAND_MULTIPLIER
        return keys

    def minhash(self, key: str) -> Any:
        """The signature of ``key`` as a ``datasketch.LeanMinHash``."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.config.seed, hashvalues=self.signatures([key])[0], scheme="affine32")

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal values)."""
    return float(np.count_nonzero(a == b)) / a.size


# ---------------------------------------------------------------- the index

class _Table:
    """uint64 -> int mapping where the first value stored for a key wins.

    New keys go to a dict; every 65,536 they are sorted into numpy tiers that
    merge as they grow (like an LSM tree): about 12 bytes per key instead of a
    Python dict's ~100. Tiers are never merged past ``merge_cap`` bytes (so a
    merge never needs more than that much RAM), and :meth:`spill` moves them to
    memory-mapped files.
    """

    def __init__(self, flush_at: int = 65_536, merge_cap: float = float("inf")) -> None:
        self.flush_at = flush_at
        self.merge_cap = merge_cap
        self.pending: dict[int, int] = {}
        self.tiers: list[tuple[np.ndarray, np.ndarray]] = []  # oldest first

    def __len__(self) -> int:
        return len(self.pending) + sum(keys.size for keys, _ in self.tiers)

    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self.tiers) + len(self.pending) * 100

    def ram_bytes(self) -> int:
        """Bytes held in RAM (memory-mapped tiers excluded)."""
        return sum(k.nbytes + v.nbytes for k, v in self.tiers if not isinstance(k, np.memmap)) + len(self.pending) * 100

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The stored value for each key, or -1."""
        out = np.full(keys.size, -1, dtype=np.int64)
        for tier_keys, tier_values in self.tiers:
            pos = np.searchsorted(tier_keys, keys)
            pos[pos >= tier_keys.size] = 0
            hit = (tier_keys[pos] == keys) & (out < 0)
            out[hit] = tier_values[pos[hit]]
        if self.pending:
            missing = np.flatnonzero(out < 0)
            if missing.size:
                found = map(self.pending.get, keys[missing].tolist(), itertools.repeat(-1))
                out[missing] = np.fromiter(found, dtype=np.int64, count=missing.size)
        return out

    def insert(self, keys: np.ndarray, value: int) -> None:
        collections.deque(map(self.pending.setdefault, keys.tolist(), itertools.repeat(value)), maxlen=0)
        if len(self.pending) >= self.flush_at:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        keys = np.fromiter(self.pending.keys(), dtype=np.uint64, count=len(self.pending))
        values = np.fromiter(self.pending.values(), dtype=np.int32, count=len(self.pending))
        order = np.argsort(keys, kind="stable")
        self.tiers.append((keys[order], values[order]))
        self.pending = {}
        while len(self.tiers) > 1 and self.tiers[-1][0].size * 2 >= self.tiers[-2][0].size:
            newer_keys, newer_values = self.tiers[-1]
            older_keys, older_values = self.tiers[-2]
            if (older_keys.size + newer_keys.size) * 12 > self.merge_cap:
                break
            del self.tiers[-2:]
            keys = np.concatenate([older_keys, newer_keys])
            values = np.concatenate([older_values, newer_values])
            keys, first = np.unique(keys, return_index=True)  # the older entry of a key wins
            self.tiers.append((keys, values[first]))

    def spill(self, folder: Path, name: str) -> None:
        """Move every in-RAM tier to a memory-mapped file in ``folder``."""
        for i, (keys, values) in enumerate(self.tiers):
            if isinstance(keys, np.memmap):
                continue
            self.tiers[i] = (_to_disk(keys, folder, f"{name}-keys"), _to_disk(values, folder, f"{name}-values"))


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
    12 bytes per band key and 12 for the exact key, 8 for where it came from
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
        self._signatures: list[np.ndarray] = []
        self._current: list[np.ndarray] = []
        self._where: list[np.ndarray] = []
        self._where_current: list[tuple[int, int]] = []
        self.documents: list[str] = []
        self.count = 0
        self.spills = 0

    def add_document(self, doc_id: str) -> int:
        self.documents.append(doc_id)
        return len(self.documents) - 1

    def _signature(self, entry: int) -> np.ndarray:
        chunk, row = divmod(entry, self._BLOCK)
        if chunk < len(self._signatures):
            return self._signatures[chunk][row]
        return self._current[row]

    def where(self, entry: int) -> tuple[str, int]:
        """(document id, input line) of an indexed paragraph."""
        chunk, row = divmod(entry, self._BLOCK)
        if chunk < len(self._where):
            document, line = self._where[chunk][row]
        else:
            document, line = self._where_current[row]
        return self.documents[int(document)], int(line)

    def match(self, exact: int, signature: np.ndarray, bands: np.ndarray) -> tuple[int, float] | None:
        """The earliest indexed paragraph this one repeats, with the similarity."""
        return self.match_many(np.array([exact], dtype=np.uint64), signature[None, :], bands[None, :])[0]

    def match_many(
        self, exact: np.ndarray, signatures: np.ndarray, bands: np.ndarray
    ) -> list[tuple[int, float] | None]:
        """:meth:`match` for a batch (one table lookup for all of a document's paragraphs)."""
        count = exact.size
        if not count:
            return []
        exact_hits = self.exact.lookup(exact.astype(np.uint64))
        band_hits = self.band_table.lookup(bands.reshape(-1)).reshape(count, -1)
        out: list[tuple[int, float] | None] = []
        for i in range(count):
            if exact_hits[i] >= 0:
                out.append((int(exact_hits[i]), 1.0))
                continue
            found = None
            for candidate in np.unique(band_hits[i][band_hits[i] >= 0]).tolist():  # entry order: earliest first
                score = similarity(signatures[i], self._signature(candidate))
                if score >= self.config.threshold:
                    found = (candidate, score)
                    break
            out.append(found)
        return out

    def add(self, exact: int, signature: np.ndarray, bands: np.ndarray, document: int, line: int) -> int:
        entry = self.count
        self.exact.insert(np.array([exact], dtype=np.uint64), entry)
        self.band_table.insert(bands, entry)
        self._current.append(signature.copy())
        self._where_current.append((document, line))
        self.count += 1
        if len(self._current) == self._BLOCK:
            self._signatures.append(np.stack(self._current))
            self._where.append(np.array(self._where_current, dtype=np.int32))
            self._current, self._where_current = [], []
            if self.memory_limit is not None and self.ram_bytes() > self.memory_limit:
                self.spill()
        return entry

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
        current = len(self._current) * (4 * self.config.num_perm + 8)
        return signatures + where + current + self.exact.ram_bytes() + self.band_table.ram_bytes()

    def nbytes(self) -> int:
        signatures = sum(s.nbytes for s in self._signatures) + len(self._current) * 4 * self.config.num_perm
        where = sum(w.nbytes for w in self._where) + len(self._where_current) * 8
        return signatures + where + self.exact.nbytes() + self.band_table.nbytes()

    def bytes_per_entry(self) -> float:
        self.exact.flush()
        self.band_table.flush()
        return self.nbytes() / max(self.count, 1)


# ---------------------------------------------------------------- one document

@dataclass
class _Pending:
    """What the corpus phase needs of a document: its long paragraphs' signatures."""

    lines: list[int]
    exact: list[int]
    signatures: np.ndarray
    bands: np.ndarray
    before: list[Line]  # the paragraphs as dedup received them (for orphaned headings)


class _LocalIndex:
    """Near-duplicate lookup inside one document.

    Only ``eligible`` rows (long enough to match near) can match or be matched,
    so only they are compared: all pairs up front in one numpy operation (blocks
    of rows, bounded memory). The walk in reading order then costs a set lookup
    for a row with no similar earlier row (most rows) and a matrix row for the
    others. Very long documents fall back to comparing each new signature with
    the kept ones.
    """

    _PAIRWISE_LIMIT = 1500

    def __init__(self, signatures: np.ndarray, threshold: float, eligible: np.ndarray) -> None:
        self.threshold = threshold
        self.need = int(np.ceil(threshold * signatures.shape[1]))
        self.rows = np.flatnonzero(eligible)  # compact index -> row
        self.compact = np.full(len(signatures), -1, dtype=np.int64)
        self.compact[self.rows] = np.arange(self.rows.size)
        self.signatures = signatures[self.rows]  # a copy: reduce() may change it
        count = self.rows.size
        self.kept = np.zeros(count, dtype=bool)
        self.lines = np.zeros(count, dtype=np.int64)
        self.similar: np.ndarray | None = None
        self.suspects: set[int] = set()  # compact rows that have a similar earlier row
        if 0 < count <= self._PAIRWISE_LIMIT:
            self.similar = np.zeros((count, count), dtype=bool)
            for first in range(0, count, 128):
                block = self.signatures[first : first + 128]
                last = first + block.shape[0]
                equal = (block[:, None, :] == self.signatures[None, :last, :]).view(np.uint8).sum(axis=2, dtype=np.int32)
                self.similar[first:last, :last] = equal >= self.need
            self.suspects = set(np.flatnonzero(np.tril(self.similar, -1).any(axis=1)).tolist())
        elif count:
            self.suspects = set(range(count))

    def match_or_add(self, row: int, line: int) -> tuple[int, float] | None:
        """The earliest kept row ``row`` repeats (its line, similarity), or keep it."""
        c = int(self.compact[row])
        if c in self.suspects:
            if self.similar is not None:
                hits = np.flatnonzero(self.similar[c, :c] & self.kept[:c])
            else:
                kept = np.flatnonzero(self.kept[:c])
                equal = np.count_nonzero(self.signatures[kept] == self.signatures[c], axis=1)
                hits = kept[equal >= self.need]
            if hits.size:
                first = int(hits[0])
                return int(self.lines[first]), similarity(self.signatures[c], self.signatures[first])
        self.kept[c] = True
        self.lines[c] = line
        return None

    def reduce(self, row: int, signature: np.ndarray, line: int, long_enough: bool) -> tuple[int, float] | None:
        """Row ``row`` lost some sentences: check what is left against the earlier kept
        rows and, if it stays, compare later rows with what is left (as a second
        pass would). A remainder too short to match near is no longer a target."""
        c = int(self.compact[row])
        self.kept[c] = False
        if not long_enough:
            return None
        self.signatures[c] = signature
        if self.similar is not None:
            column = np.count_nonzero(self.signatures == signature, axis=1) >= self.need
            self.similar[c, :] = column
            self.similar[:, c] = column
            self.suspects.add(c)
            self.suspects.update((np.flatnonzero(column[c + 1 :]) + c + 1).tolist())
        return self.match_or_add(row, line)


FULLER = 1.2  # a later near copy this many times longer is the one kept


def _yield_to_fuller(index: _LocalIndex, candidates: list[Line], ratio: float) -> dict[int, tuple[int, float]]:
    """``{i: (j, similarity)}``: paragraph ``i`` has a later near copy ``j`` at least
    ``ratio`` times as long (the fullest such copy), so ``i`` goes and ``j`` stays.
    Only within the pairwise matrix (documents of up to 1,500 long paragraphs)."""
    if index.similar is None:
        return {}
    out: dict[int, tuple[int, float]] = {}
    similar = np.triu(index.similar, 1)  # (earlier, later) pairs
    for ci, cj in zip(*np.nonzero(similar)):
        i, j = int(index.rows[ci]), int(index.rows[cj])
        if len(candidates[j].text) >= ratio * len(candidates[i].text):
            best = out.get(i)
            if best is None or len(candidates[j].text) > len(candidates[best[0]].text):
                out[i] = (j, similarity(index.signatures[cj], index.signatures[ci]))
    # a copy that itself yields cannot be the one kept: follow to the end of the chain
    for i in list(out):
        j, score = out[i]
        seen = {i}
        while j in out and j not in seen:
            seen.add(j)
            j = out[j][0]
        out[i] = (j, score)
    return {i: target for i, target in out.items() if target[0] not in out}


def dedup_document(doc: Document, config: DedupConfig | None = None, signer: Signer | None = None) -> Document:
    """Drop repeated and near-repeated paragraphs and sentences of one document.

    Exact repeats first (any length), then near repeats of long paragraphs and
    sentences (when ``config.near``). The first copy is kept — except that a
    paragraph yields to a later near copy at least ``FULLER`` (1.2) times as long
    (a lead or summary line the article then gives in full). Every removal names
    the input line of the copy it repeats and the estimated similarity.

    Every sentence piece is signed once, in one batch per document; a
    paragraph's signature is the element-wise minimum of its pieces' (the
    MinHash of the union of their shingles).

    >>> text = "标题\\n第一句很长很长很长。第二句也很长很长。\\n标题\\n第二句也很长很长。新的一句话很长很长。"
    >>> dedup_document(Document.from_text(text)).text
    '标题\\n第一句很长很长很长。第二句也很长很长。\\n新的一句话很长很长。'
    """
    if doc.skipped:
        return doc
    config = config or DedupConfig()
    if config.near and signer is None:
        signer = Signer(config)
    before = doc.lines()
    removals: list[Removal] = []

    def removed(rule: str, kind: str, line: int, text: str, of: int, score: float) -> None:
        removals.append(Removal(step="dedup", rule=rule, kind=kind, line=line, text=text,
                                duplicate_of=of, similarity=round(score, 3)))

    # Exact paragraph repeats: no signature needed.
    seen_paragraphs: dict[str, int] = {}
    candidates: list[Line] = []
    for line in before:
        first = seen_paragraphs.get(line.text)
        if config.dedup_paragraphs and first is not None:
            removed("duplicate-paragraph", "line", line.number, line.text, first, 1.0)
            continue
        seen_paragraphs.setdefault(line.text, line.number)
        candidates.append(line)

    # One batch of signatures for every sentence piece of the remaining paragraphs.
    pieces = [_pieces(line.text) for line in candidates]
    if signer is not None:
        flat = iter(signer.keys([piece for paragraph in pieces for piece, _ in paragraph]))
        keys = [[next(flat) for _ in paragraph] for paragraph in pieces]
    else:
        keys = [["" for _ in paragraph] for paragraph in pieces]
    signatures = paragraph_signatures = None
    if signer is not None:
        signatures = signer.signatures([key for paragraph in keys for key in paragraph if key])
        counts = np.array([sum(1 for key in paragraph if key) for paragraph in keys])
        firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        paragraph_signatures = np.zeros((len(keys), config.num_perm), dtype=np.uint32)
        signed = counts > 0
        if signed.any():
            paragraph_signatures[signed] = np.minimum.reduceat(signatures, firsts[signed], axis=0)
    near_paragraphs = near_sentences = None
    if signatures is not None and paragraph_signatures is not None:
        # Only these rows are ever looked up or kept (see the walk below).
        long_paragraphs = np.array([sum(map(len, paragraph)) >= config.min_near_chars for paragraph in keys], dtype=bool)
        long_sentences = np.array([
            is_sentence and len(key) >= config.min_near_sentence_chars
            for paragraph, paragraph_keys in zip(pieces, keys)
            for (_, is_sentence), key in zip(paragraph, paragraph_keys) if key
        ], dtype=bool)
        near_paragraphs = _LocalIndex(paragraph_signatures, config.threshold, long_paragraphs)
        near_sentences = _LocalIndex(signatures, config.sentence_threshold, long_sentences)
    # A short copy that a later, clearly fuller paragraph repeats (a lead or summary
    # line the article then gives in full) yields to it: the copy with more in it stays.
    yields = _yield_to_fuller(near_paragraphs, candidates, FULLER) if near_paragraphs is not None else {}
    seen_sentences: dict[str, int] = {}
    kept: list[Line] = []
    kept_rows: list[list[int]] = []
    kept_keys: list[str] = []
    kept_texts: dict[str, int] = {}  # what is left of each earlier paragraph
    row = 0
    for number, (line, paragraph, paragraph_keys) in enumerate(zip(candidates, pieces, keys)):
        if config.dedup_paragraphs and line.text in kept_texts:  # equals what is left of an earlier one
            removed("duplicate-paragraph", "line", line.number, line.text, kept_texts[line.text], 1.0)
            row += sum(1 for key in paragraph_keys if key)
            continue
        rows = []
        for key in paragraph_keys:
            rows.append(row if key else -1)
            row += 1 if key else 0
        long_enough = sum(len(key) for key in paragraph_keys) >= config.min_near_chars
        if number in yields:
            fuller, score = yields[number]
            removed("near-duplicate-paragraph", "line", line.number, line.text, candidates[fuller].number, score)
            continue
        if near_paragraphs is not None and paragraph_signatures is not None and long_enough:
            hit = near_paragraphs.match_or_add(number, line.number)
            if hit is not None:
                removed("near-duplicate-paragraph", "line", line.number, line.text, *hit)
                continue
        parts: list[str] = []
        part_rows: list[int] = []
        part_keys: list[str] = []
        for (piece, is_sentence), key, r in zip(paragraph, paragraph_keys, rows):
            stripped = piece.strip()
            if config.dedup_sentences and is_sentence and len(stripped) >= config.min_sentence_chars:
                earlier = seen_sentences.get(stripped)
                if earlier is not None:
                    removed("duplicate-sentence", "sentence", line.number, stripped, earlier, 1.0)
                    continue
                seen_sentences[stripped] = line.number
            if (config.dedup_sentences and is_sentence and near_sentences is not None and signatures is not None
                    and len(key) >= config.min_near_sentence_chars):
                hit = near_sentences.match_or_add(r, line.number)
                if hit is not None:
                    removed("near-duplicate-sentence", "sentence", line.number, stripped, *hit)
                    continue
            parts.append(piece)
            part_keys.append(key)
            if r >= 0:
                part_rows.append(r)
        text = "".join(parts).strip()
        if len(parts) < len(paragraph) and text:
            # Part of the paragraph went: what is left may repeat an earlier paragraph.
            if config.dedup_paragraphs and text in kept_texts:
                removed("duplicate-paragraph", "line", line.number, text, kept_texts[text], 1.0)
                continue
            if (near_paragraphs is not None and paragraph_signatures is not None and signatures is not None
                    and long_enough and part_rows):
                left_enough = sum(len(key) for key in part_keys) >= config.min_near_chars
                hit = near_paragraphs.reduce(number, signatures[part_rows].min(axis=0), line.number, left_enough)
                if hit is not None:
                    removed("near-duplicate-paragraph", "line", line.number, text, *hit)
                    continue
        kept_texts.setdefault(text, line.number)
        kept.append(Line(line.number, text))  # with_lines drops it if nothing is left
        kept_rows.append(part_rows)
        kept_keys.append("".join(part_keys))  # the paragraph's key, without folding it again
    # Headings orphaned by this document's own repeats go now, so the steps that
    # settle the document see it; the corpus phase drops those its copies orphan.
    result = drop_orphan_headings(doc.with_lines(kept, removals), before)
    if signer is None or signatures is None or not config.cross_document:
        return result
    # What the corpus phase needs: the kept long paragraphs, signed.
    lines, exact, signed = [], [], []
    for line, part_rows, key in zip(kept, kept_rows, kept_keys):
        if not line.text or not part_rows:
            continue
        if len(key) >= config.min_near_chars:
            lines.append(line.number)
            exact.append(stable_hash64(key))
            signed.append(signatures[part_rows].min(axis=0))
    stacked = np.stack(signed) if signed else np.zeros((0, config.num_perm), dtype=np.uint32)
    pending = _Pending(lines=lines, exact=exact, signatures=stacked, bands=signer.bands(stacked), before=before)
    return keep_pending(dataclasses.replace(result, meta={**result.meta, "dedup": pending}))


def paragraph_signature(signer: Signer, text: str) -> np.ndarray:
    """The signature dedup gives a paragraph: the minimum over its sentence pieces' signatures."""
    keys = [key for key in (signer.key(piece) for piece, _ in _pieces(text)) if key]
    return signer.signatures(keys or [""]).min(axis=0)


def keep_pending(doc: Document) -> Document:
    """The document with its corpus-phase paragraphs (``meta["dedup"]``) cut down
    to the lines it still holds, after a later step removed some."""
    pending: _Pending | None = doc.meta.get("dedup") if doc.meta else None
    if pending is None or doc.skipped:
        return doc
    present = {line.number for line in doc.lines()}
    rows = [i for i, number in enumerate(pending.lines) if number in present]
    # A line a later step removed is no duplicate: it leaves the sections that
    # orphaned headings are judged by (see drop_orphan_headings).
    copies = {r.line for r in doc.trace if r.step == "dedup"}
    before = [line for line in pending.before if line.number in present or line.number in copies]
    if len(rows) == len(pending.lines) and len(before) == len(pending.before):
        return doc
    kept = _Pending(lines=[pending.lines[i] for i in rows], exact=[pending.exact[i] for i in rows],
                    signatures=pending.signatures[rows], bands=pending.bands[rows], before=before)
    return dataclasses.replace(doc, meta={**doc.meta, "dedup": kept})


def drop_orphan_headings(doc: Document, before: list[Line]) -> Document:
    """Drop a short heading whose whole section was removed as a duplicate.

    A heading is a kept line of at most 40 characters with no sentence end; its
    section runs to the next kept heading, leaving out repeats of the heading
    itself. It goes when its section holds body text and every line of the
    section was removed as a (near-)duplicate.
    """
    if doc.skipped:
        return doc
    kept = {line.number for line in doc.lines()}
    duplicated = {r.line for r in doc.trace if r.step == "dedup" and r.kind == "line"}
    # a line emptied by sentence removal is a duplicate too
    duplicated |= {line.number for line in before if line.number not in kept and line.number not in duplicated}
    orphans: list[Removal] = []
    # A heading that other lines went as copies of is the copy kept: never an orphan
    # (so a repeat of the heading is never part of its section either).
    originals = {r.duplicate_of for r in doc.trace if r.duplicate_of is not None and not r.duplicate_of_document}
    first_copy: dict[int, Removal] = {}
    for r in doc.trace:
        if r.duplicate_of is not None:
            first_copy.setdefault(r.line, r)
    heading = [_HEADING.match(line.text) is not None for line in before]
    # Each kept heading's section runs to the next kept heading, so sections never overlap: linear.
    # From the end, so an orphaned heading is already gone when the one above it is judged.
    count = len(before)
    for i in range(count - 1, -1, -1):
        line = before[i]
        if not heading[i] or line.number not in kept or line.number in originals:
            continue
        stop = i + 1
        while stop < count and not (heading[stop] and before[stop].number in kept):
            stop += 1
        section = range(i + 1, stop)
        if any(not heading[j] for j in section) and all(before[j].number in duplicated for j in section):
            first_dup = first_copy.get(before[i + 1].number)
            orphans.append(Removal(step="dedup", rule="orphan-heading", kind="line", line=line.number,
                                   text=line.text, duplicate_of=first_dup.duplicate_of if first_dup else None,
                                   duplicate_of_document=first_dup.duplicate_of_document if first_dup else None))
            # gone with its section: a heading above now reaches past it (one pass
            # from the end finds the chain a second run would find)
            kept.discard(line.number)
            duplicated.add(line.number)
    orphans.reverse()
    if not orphans:
        return doc
    gone = {r.line for r in orphans}
    return doc.with_lines([line for line in doc.lines() if line.number not in gone], orphans)


# ---------------------------------------------------------------- the corpus

def apply_copies(
    doc: Document, pending: _Pending, hits: list[tuple[str, int, float] | None], config: DedupConfig
) -> Document:
    """The corpus verdict on one document, given what each long paragraph copies.

    ``hits[i]`` is ``(document id, input line, similarity)`` of the earlier
    paragraph that ``pending.lines[i]`` repeats, or None. A document whose copied
    share reaches ``config.document_share`` is skipped as ``"duplicate"`` of the
    document it copies most; otherwise the copies are removed (and the headings
    they orphan). Pure: shared by the local and the Ray engine.
    """
    texts = {line.number: line.text for line in doc.lines()}
    total = sum(len(text) for text in texts.values())
    copied: Counter[str] = Counter()
    copied_chars = 0
    for line, hit in zip(pending.lines, hits):
        if hit is not None:
            copied[hit[0]] += len(texts[line])
            copied_chars += len(texts[line])
    if total and copied_chars >= config.document_share * total:
        original = copied.most_common(1)[0][0]
        return doc.skip("duplicate", f"duplicate of {original} ({copied_chars} of {total} characters are copies)")
    removals: list[Removal] = []
    copies: set[int] = set()
    for line, hit in zip(pending.lines, hits):
        if hit is None:
            continue
        other_doc, other_line, score = hit
        copies.add(line)
        removals.append(Removal(
            step="dedup", rule="duplicate-paragraph" if score >= 1.0 else "near-duplicate-paragraph",
            kind="line", line=line, text=texts[line], duplicate_of=other_line,
            duplicate_of_document=other_doc, similarity=round(score, 3),
        ))
    if removals:
        doc = doc.with_lines([line for line in doc.lines() if line.number not in copies], removals)
    return drop_orphan_headings(doc, pending.before)


class CorpusDedup:
    """The corpus phase: feed documents in order; each comes back deduplicated
    against all earlier ones (a pipeline step: ``run(documents)``).
    """

    name = "corpus-dedup"

    def __init__(
        self,
        config: DedupConfig | None = None,
        *,
        record_changes: bool = False,
        memory_limit: int | None = None,
        spill_dir: Path | None = None,
    ) -> None:
        self.config = config or DedupConfig()
        self.index = DedupIndex(self.config, memory_limit=memory_limit, spill_dir=spill_dir)
        self.duplicate_documents = 0
        self.record_changes = record_changes  # put an IndexChange in meta["index_change"]

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            yield self.process(doc)

    def process(self, doc: Document) -> Document:
        pending: _Pending | None = doc.meta.get("dedup") if doc.meta else None
        if pending is None:
            return doc
        doc = dataclasses.replace(doc, meta={k: v for k, v in doc.meta.items() if k != "dedup"})
        if doc.skipped:
            return doc
        index = self.index
        # Phase 1: look every long paragraph up, adding nothing yet.
        matches = index.match_many(np.array(pending.exact, dtype=np.uint64), pending.signatures, pending.bands)
        hits = [(*index.where(found[0]), found[1]) if found is not None else None for found in matches]
        doc = apply_copies(doc, pending, hits, self.config)
        if doc.skipped:  # a repost: nothing of it is indexed
            self.duplicate_documents += 1
            return doc
        # Phase 2: index what is not a copy.
        number = index.add_document(doc.id)
        added: list[int] = []
        for i, (line, hit) in enumerate(zip(pending.lines, hits)):
            if hit is None:
                index.add(pending.exact[i], pending.signatures[i], pending.bands[i], number, line)
                added.append(i)
        if self.record_changes:
            change = IndexChange(
                document=doc.id,
                lines=[pending.lines[i] for i in added],
                exact=[pending.exact[i] for i in added],
                signatures=pending.signatures[added],
                bands=pending.bands[added],
            )
            doc = dataclasses.replace(doc, meta={**doc.meta, "index_change": change})
        return doc

    def restore(self, change: IndexChange) -> None:
        """Replay one document's :class:`IndexChange` (how a resumed run rebuilds the index
        without redoing the documents it already wrote)."""
        number = self.index.add_document(change.document)
        for i, line in enumerate(change.lines):
            self.index.add(change.exact[i], change.signatures[i], change.bands[i], number, line)


@dataclass(frozen=True)
class IndexChange:
    """What one document added to the corpus index: enough to replay it exactly."""

    document: str
    lines: list[int]
    exact: list[int]
    signatures: np.ndarray
    bands: np.ndarray
