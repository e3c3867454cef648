"""MinHash signatures of dedup keys, computed in bulk with numpy.

:class:`Signer` folds text into keys (:func:`textclean.normalize.fold`), shingles
them (character n-grams, or jieba word n-grams) and gives datasketch ``affine32``
MinHash values and LSH band keys: :meth:`Signer.minhash` returns a
``datasketch.LeanMinHash`` equal to ``MinHash(num_perm, seed, scheme="affine32",
hashfunc=char_shingle_hash)`` fed the same shingles (tested).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .config import DedupConfig
from .native import core
from .normalize import SimplifiedKeys, fold, fold_many, simplified_view
from .shingles import _MULTIPLIER as _SHINGLE_MULTIPLIER
from .shingles import _OFFSET as _SHINGLE_OFFSET
from .shingles import WordShingler, _fold32, char_shingle_hash

__all__ = ["Signer", "band_keys", "min_of_rows", "similarity"]

_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_BAND_OFFSET = np.uint64(0xCBF29CE484222325)


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
        compiled = core()
        if compiled is not None:  # the same values, in C (tested equal to the lines below)
            compiled.char_signatures(keys if isinstance(keys, list) else list(keys), n, self.a, self.b, out)
            return out
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
        return band_keys(signatures, self.config.bands)

    def minhash(self, key: str) -> Any:
        """The signature of ``key`` as a ``datasketch.LeanMinHash``."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.config.seed, hashvalues=self.signatures([key])[0], scheme="affine32")

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """The LSH band keys of ``signatures`` (rows) in ``bands`` bands of equal width: one
    uint64 per band per signature, bands kept apart (:meth:`Signer.bands`)."""
    count = signatures.shape[0]
    compiled = core()
    if compiled is not None:  # the same keys, in C (tested equal to the lines below)
        out = np.empty((count, bands), dtype=np.uint64)
        compiled.band_keys(np.ascontiguousarray(signatures, dtype=np.uint32), bands,
                           int(_BAND_OFFSET), int(_BAND_MULTIPLIER), out)
        return out
    rows = signatures.shape[1] // bands
    grouped = signatures.reshape(count, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = np.full((count, bands), _BAND_OFFSET, dtype=np.uint64)
        for j in range(rows):
            keys = (keys ^ grouped[:, :, j]) * _BAND_MULTIPLIER
        keys ^= np.arange(bands, dtype=np.uint64) * _BAND_MULTIPLIER
    return keys


def min_of_rows(signatures: np.ndarray, rows: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """One signature per group of rows: the element-wise minimum of ``signatures[rows[k]]``
    for ``k`` from ``firsts[i]`` up to the next group's first (the MinHash of the union
    of the groups' shingles). ``firsts`` increase strictly. In C where the core is built
    (numpy's ``reduceat`` takes ~15 us a call on a page's few dozen rows)."""
    compiled = core()
    if compiled is None:
        if not len(firsts):
            return np.zeros((0, signatures.shape[1]), dtype=np.uint32)
        return np.minimum.reduceat(signatures[rows], firsts, axis=0)
    out = np.empty((len(firsts), signatures.shape[1]), dtype=np.uint32)
    compiled.min_of_rows(np.ascontiguousarray(signatures, dtype=np.uint32), np.asarray(rows, dtype=np.int64),
                         np.asarray(firsts, dtype=np.int64), out)
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal values)."""
    return float(np.count_nonzero(a == b)) / a.size
