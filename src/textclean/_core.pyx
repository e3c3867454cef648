# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled core: hot loops of textclean in C (``_kernels.h``), each with a
pure-Python reference it is tested equal to (``TEXTCLEAN_PURE=1`` forces the reference).

``char_signatures``: character n-gram shingles of each key (FNV-1a over code
points, folded to 32 bits), MurmurHash3's finalizer, and the affine32 MinHash
``min((a * h + b) mod 2**32)`` per permutation — the same values as
:meth:`textclean.signatures.Signer.signatures` computes with numpy.
"""

from libc.stdint cimport uint32_t

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
