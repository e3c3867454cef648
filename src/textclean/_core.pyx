# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled core: hot loops of textclean in C (``_kernels.h``), each with a
pure-Python reference it is tested equal to (``TEXTCLEAN_PURE=1`` forces the reference).

``fold_keys``: :func:`textclean.normalize.fold` (NFKC, case folding, punctuation,
symbols and white space dropped) by a per-character table of the BMP, for texts
whose characters NFKC treats one by one (others are left to ``fold`` itself).

``char_signatures``: character n-gram shingles of each key (FNV-1a over code
points, folded to 32 bits), MurmurHash3's finalizer, and the affine32 MinHash
``min((a * h + b) mod 2**32)`` per permutation — the same values as
:meth:`textclean.signatures.Signer.signatures` computes with numpy.
"""

from libc.stdint cimport uint8_t, uint32_t
from cpython.unicode cimport PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND

import numpy as np


cdef extern from "_kernels.h":
    void tc_minhash(const uint32_t *hashes, size_t count, const uint32_t *a, const uint32_t *b,
                    uint32_t *row, size_t perms) nogil
    size_t tc_char_shingles(const uint32_t *points, size_t length, size_t n, uint32_t *out) nogil


def char_signatures(list keys, int n, const uint32_t[::1] a, const uint32_t[::1] b, uint32_t[:, ::1] out):
    """Fill ``out[i]`` with the MinHash of the character ``n``-grams of ``keys[i]``
    (a key shorter than ``n`` is one shingle: the whole key)."""
    cdef Py_ssize_t perms = a.shape[0]
    cdef Py_ssize_t row, length, i, count
    cdef unicode key
    cdef Py_ssize_t capacity = 256
    cdef uint32_t[::1] points = np.empty(capacity, dtype=np.uint32)
    cdef uint32_t[::1] hashes = np.empty(capacity, dtype=np.uint32)
    for row in range(len(keys)):
        key = keys[row]
        length = len(key)
        if length + 1 > capacity:
            capacity = max(length + 1, 2 * capacity)
            points = np.empty(capacity, dtype=np.uint32)
            hashes = np.empty(capacity, dtype=np.uint32)
        for i in range(length):
            points[i] = key[i]
        with nogil:
            count = tc_char_shingles(&points[0], length, n, &hashes[0])
            tc_minhash(&hashes[0], count, &a[0], &b[0], &out[row, 0], perms)


def fold_keys(list texts, const uint8_t[::1] kind, const uint32_t[::1] start, const uint8_t[::1] size,
              const uint32_t[::1] chars):
    """Each text folded by the table (``kind``: 0 keep, 1 drop, 2 replace by
    ``chars[start:start + size]``, 3 depends on context), or None for a text
    holding a character of kind 3 or outside the BMP (the caller folds it)."""
    cdef list out = []
    cdef unicode text
    cdef Py_ssize_t i, j, m, length
    cdef Py_ssize_t capacity = 1024
    cdef Py_UCS4 c
    cdef uint8_t k
    cdef bint whole
    cdef uint32_t[::1] buffer = np.empty(capacity, dtype=np.uint32)
    for text in texts:
        length = len(text)
        if 18 * length + 1 > capacity:  # NFKC makes at most 18 characters of one (U+FDFA)
            capacity = max(18 * length + 1, 2 * capacity)
            buffer = np.empty(capacity, dtype=np.uint32)
        j = 0
        whole = True
        for i in range(length):
            c = text[i]
            if c > 0xFFFF:
                whole = False
                break
            k = kind[c]
            if k == 0:
                buffer[j] = c
                j += 1
            elif k == 2:
                for m in range(size[c]):
                    buffer[j] = chars[start[c] + m]
                    j += 1
            elif k == 3:
                whole = False
                break
        if whole:
            out.append(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, &buffer[0], j))
        else:
            out.append(None)
    return out
