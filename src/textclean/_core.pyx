# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled core: hot loops of textclean in C (``_kernels.h``), each with a
pure-Python reference it is tested equal to (``TEXTCLEAN_PURE=1`` forces the reference).
One extension, its kernels in one include file per concept, in pipeline order:

``_core_normalize.pxi`` — ``fold_keys``: :func:`textclean.normalize.fold` (NFKC, case
folding, punctuation, symbols and white space dropped) by a per-character table of the
BMP, for texts whose characters NFKC treats one by one (others are left to ``fold``);
``has_any``: ``textclean.normalize.has_traditional``; ``simplify``: ``normalize.simplified_view``.

``_core_signatures.pxi`` — ``char_signatures``: character n-gram shingles of each key
(FNV-1a over code points, folded to 32 bits), MurmurHash3's finalizer, and the affine32
MinHash ``min((a * h + b) mod 2**32)`` per permutation, the values
:meth:`textclean.signatures.Signer.signatures` computes with numpy; ``band_keys``:
``Signer.bands``; ``min_of_rows``: ``textclean.signatures.min_of_rows`` (the minimum over
groups of a signature matrix's rows).

``_core_boilerplate.pxi`` — ``has_repeated_run`` (ref ``textclean.boilerplate.cut_repeated_runs``);
``LiteralSet``: the prefilter's literal tests (ref ``textclean.prefilter._alternation_of``).

``_core_dedup.pxi`` — ``pairwise_similar`` (ref ``textclean.dedup._pairwise``),
``sentence_pieces`` (ref ``dedup._pieces``), ``NearIndex``, ``near_index`` and ``dedup_walk`` (ref
``dedup._LocalIndex`` and ``dedup._walk``), ``sign_paragraphs`` (ref ``dedup._sign_reference``:
pieces, keys and signatures of a page's paragraphs in one pass).

``_core_line_model.pxi`` — ``line_shape`` (ref ``textclean.line_features._shape_reference``),
``title_similarity`` (ref ``line_features._title_similarity``), ``context_columns`` (ref
``line_features.context_features``' numpy path).

``_core_index.pxi`` — ``KeyTable``: the corpus index's hash table of keys not yet sorted
into tiers (ref ``textclean.index._DictKeys``); ``tier_lookup`` (ref ``index._Table.lookup``'s
numpy search); ``match_paragraphs``: ``DedupIndex.match_many`` in one call, its lookups and
its check of band candidates (ref ``DedupIndex._verify``); ``insert_paragraphs``: ``add_many``'s
table inserts in one call (ref: those methods' pure-Python path).
"""

cimport cython
from cpython.unicode cimport PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND, Py_UNICODE_ISSPACE
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy, memset

import numpy as np


cdef extern from "Python.h":
    # a str's characters read where they lie (its kind and buffer looked up once per string,
    # not per character as indexing does)
    int PyUnicode_KIND(object text)
    const void *PyUnicode_DATA(object text)
    uint32_t PyUnicode_READ(int kind, const void *data, Py_ssize_t index) nogil


cdef extern from "_kernels.h":
    void tc_minhash(const uint32_t *hashes, size_t count, const uint32_t *a, const uint32_t *b,
                    uint32_t *row, size_t perms) nogil
    size_t tc_char_shingles(const uint32_t *points, size_t length, size_t n, uint32_t *out) nogil
    void TC_PREFETCH(const void *p) nogil
    void *tc_table_alloc(size_t bytes) nogil
    void tc_min_into(uint32_t *target, const uint32_t *row, size_t width) nogil


include "_core_normalize.pxi"
include "_core_signatures.pxi"
include "_core_boilerplate.pxi"
include "_core_dedup.pxi"
include "_core_line_model.pxi"
include "_core_index.pxi"
