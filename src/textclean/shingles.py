"""Shingles of dedup keys, as stable 32-bit hashes ready for MinHash.

Two kinds, both over the *folded* key (:func:`textclean.normalize.fold`):

* ``char``: overlapping character n-grams (the default; see README for how n was
  chosen). Hashed with numpy in one pass per text: a 64-bit polynomial over the
  code points, folded to 32 bits. :func:`char_shingle_hash` is the same function
  for one n-gram, so a datasketch ``MinHash(hashfunc=char_shingle_hash)`` fed the
  n-gram strings gives bit-identical signatures (tested).
* ``word``: overlapping n-grams of jieba words. :class:`WordShingler` owns its
  own ``jieba.Tokenizer`` (never the global one), built lazily on first use.

Texts shorter than n give one shingle: the whole key.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import numpy as np

__all__ = ["char_shingle_hash", "WordShingler", "stable_hash64"]

_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, well spread
_OFFSET = np.uint64(0xCBF29CE484222325)


def stable_hash64(text: str) -> int:
    """A 64-bit hash that never changes between runs, machines or Python versions."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _fold32(h: np.ndarray) -> np.ndarray:
    return ((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def char_shingle_hash(shingle: str | bytes) -> int:
    """The 32-bit hash of one character n-gram, as :class:`~textclean.signatures.Signer`
    computes it in bulk (FNV-1a over code points, folded to 32 bits); the ``hashfunc``
    that makes datasketch's MinHash equal to textclean's signatures.

    >>> char_shingle_hash("abc") == char_shingle_hash(b"abc")
    True
    """
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8")
    h = int(_OFFSET)
    for ch in shingle:
        h = ((h ^ ord(ch)) * int(_MULTIPLIER)) & 0xFFFFFFFFFFFFFFFF
    return (h ^ (h >> 32)) & 0xFFFFFFFF


class WordShingler:
    """Word n-gram shingles from a private jieba tokenizer.

    >>> WordShingler(n=2).hashes("加强组织领导").size > 0
    True
    """

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _words(self, key: str) -> list[str]:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba  # imported here: only word shingles need it

                    # jieba's import sets its logger to DEBUG and prints its dictionary
                    # loading on stderr (in every worker, under -q too): those lines are
                    # not warnings, so its logger goes back to WARNING.
                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        return [word for word in self._tokenizer.cut(key, HMM=False) if word.strip()]

    def hashes(self, key: str) -> np.ndarray:
        words = self._words(key)
        if not words:
            return np.zeros(0, dtype=np.uint32)
        n = min(self.n, len(words))
        grams = {"\u0001".join(words[i : i + n]) for i in range(len(words) - n + 1)}
        return np.array(sorted(char_shingle_hash(g) for g in grams), dtype=np.uint32)

    def __getstate__(self) -> dict[str, Any]:  # the tokenizer is rebuilt in each worker
        return {"n": self.n}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["n"])  # type: ignore[misc]
