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

``KeyTable``: the corpus index's hash table of keys not yet sorted into tiers
(reference: ``textclean.index._DictKeys``). ``line_counts``: the line model's
per-line character classes (reference: ``textclean.line_features._class_counts``).
``pairwise_similar``: in-document near pairs (reference: ``textclean.dedup._pairwise``).
``band_keys``: LSH band keys (reference: ``textclean.signatures.Signer.bands``).
``sentence_pieces``: a paragraph's sentence pieces (reference: ``textclean.dedup._pieces``).
``has_repeated_run``: whether a line has a run to cut (reference: ``textclean.boilerplate.cut_repeated_runs``).
``dedup_walk``, ``NearIndex``: the walk of in-document dedup (reference: ``textclean.dedup._walk``, ``_LocalIndex``).
``title_similarity``: the line model's title-bigram share (reference: ``textclean.line_features._title_similarity``).
``verify_candidates``: the corpus index's check of band candidates (reference: ``textclean.index.DedupIndex.match_many``).
"""

cimport cython
from cpython.unicode cimport PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND, Py_UNICODE_ISSPACE
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, qsort

import numpy as np


cdef extern from "_kernels.h":
    void tc_minhash(const uint32_t *hashes, size_t count, const uint32_t *a, const uint32_t *b,
                    uint32_t *row, size_t perms) nogil
    size_t tc_char_shingles(const uint32_t *points, size_t length, size_t n, uint32_t *out) nogil
    void TC_PREFETCH(const void *p) nogil


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



DEF _AHEAD = 8  # keys ahead whose slots a batch operation prefetches


ctypedef struct _Slot:
    uint64_t key
    int32_t value
    int32_t used


@cython.final
cdef class KeyTable:
    """uint64 -> int32 where the first value stored for a key wins: open addressing
    with linear probing (the pure-Python reference is ``textclean.index._DictKeys``).
    Used for the keys not yet sorted into the index's tiers. A slot holds its key,
    value and used mark together (16 bytes): a lookup in a table the cache has
    forgotten costs one memory read, not three."""

    cdef _Slot *slots
    cdef Py_ssize_t capacity, count, mask
    cdef int shift

    def __cinit__(self):
        self.count = 0
        self._allocate(1024, 10)

    cdef int _allocate(self, Py_ssize_t capacity, int bits) except -1:
        """Empty slots for ``capacity`` (``2 ** bits``) keys."""
        self.capacity = capacity
        self.mask = capacity - 1
        self.shift = 64 - bits
        self.slots = <_Slot *> calloc(capacity, sizeof(_Slot))
        if self.slots == NULL:
            raise MemoryError()
        return 0

    def __dealloc__(self):
        free(self.slots)

    def __len__(self):
        return self.count

    def nbytes(self):
        return self.capacity * sizeof(_Slot)

    def __reduce__(self):
        keys, values = self.items()
        return _key_table, (keys, values)

    cdef inline Py_ssize_t _home(self, uint64_t key) nogil:
        """Where ``key``'s probe starts (Fibonacci hashing)."""
        return <Py_ssize_t> ((key * 0x9E3779B97F4A7C15ULL) >> self.shift)

    cdef inline Py_ssize_t _slot(self, uint64_t key) nogil:
        cdef Py_ssize_t slot = self._home(key)
        while self.slots[slot].used and self.slots[slot].key != key:
            slot = (slot + 1) & self.mask
        return slot

    cdef int _grow(self) except -1:
        cdef Py_ssize_t old_capacity = self.capacity, i, slot
        cdef _Slot *old = self.slots
        self._allocate(2 * old_capacity, 64 - self.shift + 1)
        for i in range(old_capacity):
            if old[i].used:
                slot = self._slot(old[i].key)
                self.slots[slot] = old[i]
        free(old)
        return 0

    cdef int _put(self, uint64_t key, int32_t value) except -1:
        """Store ``value`` for ``key`` unless it is stored already."""
        cdef Py_ssize_t slot
        if 2 * (self.count + 1) > self.capacity:
            self._grow()
        slot = self._slot(key)
        if not self.slots[slot].used:
            self.slots[slot].used = 1
            self.slots[slot].key = key
            self.slots[slot].value = value
            self.count += 1
        return 0

    def insert_values(self, const uint64_t[::1] keys, const int32_t[::1] values):
        """Store ``values[i]`` for ``keys[i]`` not stored yet, in order."""
        cdef Py_ssize_t i, count = keys.shape[0]
        for i in range(count):
            if i + _AHEAD < count:
                self._prefetch(keys[i + _AHEAD])
            self._put(keys[i], values[i])

    cdef inline void _prefetch(self, uint64_t key) nogil:
        TC_PREFETCH(&self.slots[self._home(key)])

    def get_into(self, const uint64_t[::1] keys, int64_t[::1] out):
        """``out[i]`` = the value stored for ``keys[i]`` where there is one (others untouched).
        The slots of the keys a few places ahead are fetched meanwhile (the table is
        usually cold: the pages were cleaned in between)."""
        cdef Py_ssize_t i, slot, count = keys.shape[0]
        with nogil:
            for i in range(min(count, _AHEAD)):
                self._prefetch(keys[i])
            for i in range(count):
                if i + _AHEAD < count:
                    self._prefetch(keys[i + _AHEAD])
                slot = self._slot(keys[i])
                if self.slots[slot].used:
                    out[i] = self.slots[slot].value

    def items(self):
        """(keys, values) as numpy arrays (uint64, int32), in no particular order."""
        cdef Py_ssize_t i, j = 0
        out_keys = np.empty(self.count, dtype=np.uint64)
        out_values = np.empty(self.count, dtype=np.int32)
        cdef uint64_t[::1] k = out_keys
        cdef int32_t[::1] v = out_values
        for i in range(self.capacity):
            if self.slots[i].used:
                k[j] = self.slots[i].key
                v[j] = self.slots[i].value
                j += 1
        return out_keys, out_values


def _key_table(keys, values):
    table = KeyTable()
    table.insert_values(np.ascontiguousarray(keys, dtype=np.uint64), np.ascontiguousarray(values, dtype=np.int32))
    return table



def line_counts(list lines, const uint16_t[::1] table, int64_t[:, ::1] out):
    """Per line, ``out[row]`` += the counts of ``textclean.line_features._class_counts``
    (visible, Han, Latin, digits, CJK punctuation, symbols, tokens, separators,
    sentence marks, commas, function words), from the class bits of each BMP code
    point in ``table`` (astral: Han in U+20000..U+3134F, else no class)."""
    cdef Py_ssize_t row, i, length
    cdef unicode line
    cdef Py_UCS4 c
    cdef uint16_t f
    cdef bint space, previous
    cdef int bit
    # class bit -> column: Han, Latin, digit, punctuation, symbol, mark, comma, separator, function word
    cdef int slot[10]
    slot[:] = [-1, 1, 2, 3, 4, 5, 8, 9, 7, 10]
    for row in range(len(lines)):
        line = lines[row]
        length = len(line)
        previous = True
        for i in range(length):
            c = line[i]
            if c < 0x10000:
                f = table[c]
            elif 0x20000 <= c <= 0x3134F:
                f = 2
            else:
                f = 0
            space = f & 1
            if not space:
                out[row, 0] += 1
                if previous:
                    out[row, 6] += 1
            previous = space
            for bit in range(1, 10):
                if f & (1 << bit):
                    out[row, slot[bit]] += 1


def pairwise_similar(const uint32_t[:, ::1] signatures, int need, uint8_t[:, ::1] out):
    """``out[i, j] = out[j, i] = 1`` where rows i and j of ``signatures`` share at
    least ``need`` values (position by position), the diagonal included. Returns
    the rows similar to an earlier row, in order."""
    cdef Py_ssize_t count = signatures.shape[0], perms = signatures.shape[1], i, j, p
    cdef int same
    cdef bint earlier
    cdef list suspects = []
    for i in range(count):
        earlier = False
        with nogil:
            for j in range(i + 1):
                same = 0
                for p in range(perms):
                    same += signatures[i, p] == signatures[j, p]
                if same >= need:
                    out[i, j] = 1
                    out[j, i] = 1
                    if j < i:
                        earlier = True
        if earlier:
            suspects.append(i)
    return suspects


def band_keys(const uint32_t[:, ::1] signatures, Py_ssize_t bands, uint64_t offset, uint64_t multiplier,
              uint64_t[:, ::1] out):
    """``textclean.signatures.Signer.bands``: per signature and band, xor-multiply over
    the band's values from ``offset`` (wrapping 64-bit), then the band number times
    ``multiplier`` xored in."""
    cdef Py_ssize_t count = signatures.shape[0], rows = signatures.shape[1] // bands, i, k, j
    cdef uint64_t key
    with nogil:
        for i in range(count):
            for k in range(bands):
                key = offset
                for j in range(rows):
                    key = (key ^ <uint64_t> signatures[i, k * rows + j]) * multiplier
                out[i, k] = key ^ (<uint64_t> k * multiplier)


cdef inline bint _sentence_end(Py_UCS4 c) nogil:
    return c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0xFF1B or c == 0x21 or c == 0x3F or c == 0x3B  # 。！？；!?;


cdef inline bint _closing_quote(Py_UCS4 c) nogil:
    return c == 0x201D or c == 0x2019 or c == 0x300D or c == 0x300F  # ”’」』


def sentence_pieces(unicode text):
    """``textclean.dedup._pieces``: the sentences of ``text`` flagged True — each ends at
    a run of 。！？；!?; and the closing quotes ”’」』 right after it — and a trailing piece
    without an end mark flagged False; the pieces concatenate back to ``text``."""
    cdef list out = []
    cdef Py_ssize_t i = 0, start = 0, length = len(text)
    while i < length:
        if _sentence_end(text[i]):
            while i < length and _sentence_end(text[i]):
                i += 1
            while i < length and _closing_quote(text[i]):
                i += 1
            out.append((text[start:i], True))
            start = i
        else:
            i += 1
    if start < length:
        out.append((text[start:], False))
    return out


def has_repeated_run(unicode text, Py_ssize_t run):
    """Whether ``text`` holds ``run`` or more of one character in a row, a character
    that is not white space (``str.isspace``): exactly when
    ``textclean.boilerplate.cut_repeated_runs`` has something to cut."""
    cdef Py_ssize_t i, length = len(text), count = 0
    cdef Py_UCS4 c, previous = 0
    if length < run:
        return False
    for i in range(length):
        c = text[i]
        if i and c == previous:
            count += 1
        else:
            count = 1
            previous = c
        if count >= run and not Py_UNICODE_ISSPACE(c):
            return True
    return False


def verify_candidates(const int64_t[:, ::1] band_hits, const int64_t[::1] exact_hits,
                      const uint32_t[:, ::1] signatures, list blocks, Py_ssize_t block_rows, double threshold,
                      int64_t[::1] found, int64_t[::1] same):
    """The corpus index's check of its band candidates (reference: the numpy path of
    ``textclean.index.DedupIndex.match_many``): for each paragraph ``r`` without an
    exact hit, its band candidates ``band_hits[r]`` (entries; -1 for none) in entry
    order, each once; the first whose signature (row ``c % block_rows`` of
    ``blocks[c // block_rows]``) agrees with ``signatures[r]`` in at least
    ``threshold`` of the positions goes to ``found[r]``, the agreeing count to ``same[r]``."""
    cdef Py_ssize_t count = band_hits.shape[0], width = band_hits.shape[1], perms = signatures.shape[1]
    cdef Py_ssize_t nblocks = len(blocks), r, j, k, n, i
    cdef int64_t c, t
    cdef int equal
    cdef const uint32_t *row
    cdef const uint32_t *mine
    cdef const uint32_t[:, ::1] view
    cdef const uint32_t **starts = <const uint32_t **> calloc(max(nblocks, 1), sizeof(uint32_t *))
    cdef int64_t *candidates = <int64_t *> calloc(max(width, 1), sizeof(int64_t))
    keep = []  # the blocks' buffers stay acquired while the pointers are used
    try:
        if starts == NULL or candidates == NULL:
            raise MemoryError()
        for i in range(nblocks):
            view = blocks[i]
            if view.shape[1] != perms:
                raise ValueError("a signature block has another number of permutations")
            keep.append(view)
            starts[i] = &view[0, 0] if view.shape[0] else NULL
        for r in range(count):
            if exact_hits[r] >= 0:
                continue
            n = 0
            for j in range(width):  # insertion sort of the row's candidates, duplicates dropped
                c = band_hits[r, j]
                if c < 0:
                    continue
                k = n
                while k > 0 and candidates[k - 1] > c:
                    k -= 1
                if k > 0 and candidates[k - 1] == c:
                    continue
                for i in range(n, k, -1):
                    candidates[i] = candidates[i - 1]
                candidates[k] = c
                n += 1
            mine = &signatures[r, 0]
            for j in range(n):
                c = candidates[j]
                t = c // block_rows
                if t >= nblocks or starts[t] == NULL:
                    raise IndexError(f"entry {c} is not in the index's signature blocks")
                row = starts[t] + (c % block_rows) * perms
                equal = 0
                for k in range(perms):
                    equal += row[k] == mine[k]
                if (<double> equal) / (<double> perms) >= threshold:
                    found[r] = c
                    same[r] = equal
                    break
    finally:
        free(starts)
        free(candidates)


cdef int _compare_u64(const void *x, const void *y) noexcept nogil:
    cdef uint64_t a = (<const uint64_t *> x)[0], b = (<const uint64_t *> y)[0]
    return (a > b) - (a < b)


cdef inline bint _sorted_has(const uint64_t *values, Py_ssize_t count, uint64_t key) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = count, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < count and values[lo] == key


cdef Py_ssize_t _line_grams(unicode line, const uint8_t[::1] flags, int space, uint64_t *out):
    """The bigrams of ``line``'s consecutive non-space characters into ``out`` (room for
    ``len(line)``); returns how many."""
    cdef Py_ssize_t k, grams = 0
    cdef Py_UCS4 c, previous = 0
    cdef bint have = False
    for k in range(len(line)):
        c = line[k]
        if c < 0x10000 and flags[c] & space:
            continue
        if have:
            out[grams] = (<uint64_t> previous << 21) | <uint64_t> c
            grams += 1
        previous, have = c, True
    return grams


def title_similarity(list lines, const uint8_t[::1] flags, int space, Py_ssize_t scan, double[::1] out):
    """``out[i]``, for each line i > 0 of at most ``scan`` characters: the share of its
    bigrams of consecutive non-space characters (space: ``flags[c] & space``, BMP
    only) that the first line has too; 0 where it has none. Other rows are left as they are."""
    cdef Py_ssize_t count = len(lines), i, j, grams, size, shared
    cdef unicode line
    cdef uint64_t *title = NULL
    cdef uint64_t *mine = NULL
    if count < 2:
        return
    line = lines[0]
    title = <uint64_t *> calloc(max(len(line), 1), sizeof(uint64_t))
    mine = <uint64_t *> calloc(max(scan, 1), sizeof(uint64_t))
    try:
        if title == NULL or mine == NULL:
            raise MemoryError()
        grams = _line_grams(line, flags, space, title)
        qsort(title, grams, sizeof(uint64_t), _compare_u64)
        for i in range(1, count):
            line = lines[i]
            if len(line) > scan:
                continue
            size = _line_grams(line, flags, space, mine)
            shared = 0
            for j in range(size):
                shared += _sorted_has(title, grams, mine[j])
            out[i] = (<double> shared) / (<double> size) if size > 0 else 0.0
    finally:
        free(title)
        free(mine)


cdef class NearIndex:
    """``textclean.dedup._LocalIndex`` for :func:`dedup_walk`: near copies among the
    eligible rows of one document (``compact``: row -> compact row, or -1), by the
    pairwise matrix ``similar`` (None: compare each row with the kept ones)."""

    cdef int64_t[::1] compact
    cdef uint8_t[::1] suspect
    cdef uint8_t[:, ::1] similar
    cdef bint pairwise
    cdef uint8_t[::1] kept
    cdef int64_t[::1] lines
    cdef uint32_t[:, ::1] sigs
    cdef Py_ssize_t need, count, perms

    def __init__(self, int64_t[::1] compact, uint8_t[::1] suspect, similar, uint32_t[:, ::1] signatures,
                 Py_ssize_t need):
        self.compact = compact
        self.suspect = suspect
        self.count = signatures.shape[0]
        self.perms = signatures.shape[1]
        self.pairwise = similar is not None
        if self.pairwise:
            self.similar = similar
        self.kept = np.zeros(self.count, dtype=np.uint8)
        self.lines = np.zeros(self.count, dtype=np.int64)
        self.sigs = signatures
        self.need = need

    cdef inline Py_ssize_t _equal(self, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
        cdef Py_ssize_t p, same = 0
        for p in range(self.perms):
            same += self.sigs[a, p] == self.sigs[b, p]
        return same

    cdef object match_or_add(self, Py_ssize_t row, int64_t line):
        """The earliest kept row ``row`` repeats (its line, similarity), or keep it."""
        cdef Py_ssize_t c = self.compact[row], j, first = -1
        if self.suspect[c]:
            if self.pairwise:
                for j in range(c):
                    if self.similar[c, j] and self.kept[j]:
                        first = j
                        break
            else:
                for j in range(c):
                    if self.kept[j] and self._equal(j, c) >= self.need:
                        first = j
                        break
            if first >= 0:
                return (int(self.lines[first]), (<double> self._equal(c, first)) / (<double> self.perms))
        self.kept[c] = 1
        self.lines[c] = line
        return None

    cdef object reduce(self, Py_ssize_t row, const uint32_t[:, ::1] signatures, list rows, int64_t line,
                       bint long_enough):
        """Row ``row`` is now the rows ``rows`` of ``signatures`` (a paragraph that lost
        sentences): its signature is their minimum; check it again, as ``_LocalIndex.reduce``."""
        cdef Py_ssize_t c = self.compact[row], i, p, r
        cdef bint flag
        self.kept[c] = 0
        if not long_enough:
            return None
        r = rows[0]
        for p in range(self.perms):
            self.sigs[c, p] = signatures[r, p]
        for i in range(1, len(rows)):
            r = rows[i]
            for p in range(self.perms):
                if signatures[r, p] < self.sigs[c, p]:
                    self.sigs[c, p] = signatures[r, p]
        if self.pairwise:
            for i in range(self.count):
                flag = self._equal(i, c) >= self.need
                self.similar[c, i] = flag
                self.similar[i, c] = flag
            self.suspect[c] = 1
            for i in range(c + 1, self.count):
                if self.similar[c, i]:
                    self.suspect[i] = 1
        return self.match_or_add(row, line)


def dedup_walk(list texts, list numbers, list pieces, list keys, list long_keys, dict yields,
               NearIndex near_paragraphs, NearIndex near_sentences, signatures, bint dedup_paragraphs,
               bint by_sentence, Py_ssize_t min_sentence, Py_ssize_t min_near_sentence, Py_ssize_t min_near_chars):
    """``textclean.dedup._walk``, the same walk and the same results (indexes: ``NearIndex``)."""
    cdef dict seen_sentences = {}, kept_texts = {}
    cdef list kept_numbers = [], kept = [], kept_rows = [], kept_keys = [], dropped = []
    cdef list paragraph, paragraph_keys, rows, parts, part_rows, part_keys
    cdef Py_ssize_t row = 0, number, count = len(texts), k, length, r, left
    cdef bint have_signatures = signatures is not None
    cdef bint near_by_sentence = by_sentence and near_sentences is not None and have_signatures
    cdef bint long_enough, is_sentence
    cdef unicode line_text, piece, key, stripped, text
    cdef object line_number, hit, earlier, fuller
    cdef tuple pair
    cdef const uint32_t[:, ::1] sigs
    if have_signatures:
        sigs = signatures
    for number in range(count):
        line_text = texts[number]
        line_number = numbers[number]
        paragraph = pieces[number]
        paragraph_keys = keys[number]
        if dedup_paragraphs:
            earlier = kept_texts.get(line_text)
            if earlier is not None:  # equals what is left of an earlier one
                dropped.append(("duplicate-paragraph", "line", line_number, line_text, earlier, 1.0))
                for key in paragraph_keys:
                    if len(key):
                        row += 1
                continue
        rows = []
        for key in paragraph_keys:
            if len(key):
                rows.append(row)
                row += 1
            else:
                rows.append(-1)
        long_enough = long_keys[number]
        if yields:
            fuller = yields.get(number)
            if fuller is not None:
                dropped.append(("near-duplicate-paragraph", "line", line_number, line_text, numbers[fuller[0]],
                                fuller[1]))
                continue
        if near_paragraphs is not None and long_enough:
            hit = near_paragraphs.match_or_add(number, line_number)
            if hit is not None:
                dropped.append(("near-duplicate-paragraph", "line", line_number, line_text, hit[0], hit[1]))
                continue
        parts = []
        part_rows = []
        part_keys = []
        length = len(paragraph)
        for k in range(length):
            pair = paragraph[k]
            piece = pair[0]
            is_sentence = pair[1]
            key = paragraph_keys[k]
            r = rows[k]
            stripped = piece.strip()
            if by_sentence and is_sentence and len(stripped) >= min_sentence:
                earlier = seen_sentences.get(stripped)
                if earlier is not None:
                    dropped.append(("duplicate-sentence", "sentence", line_number, stripped, earlier, 1.0))
                    continue
                seen_sentences[stripped] = line_number
            if near_by_sentence and is_sentence and len(key) >= min_near_sentence:
                hit = near_sentences.match_or_add(r, line_number)
                if hit is not None:
                    dropped.append(("near-duplicate-sentence", "sentence", line_number, stripped, hit[0], hit[1]))
                    continue
            parts.append(piece)
            part_keys.append(key)
            if r >= 0:
                part_rows.append(r)
        text = "".join(parts).strip()
        if len(parts) < length and len(text):
            # Part of the paragraph went: what is left may repeat an earlier paragraph.
            if dedup_paragraphs:
                earlier = kept_texts.get(text)
                if earlier is not None:
                    dropped.append(("duplicate-paragraph", "line", line_number, text, earlier, 1.0))
                    continue
            if near_paragraphs is not None and have_signatures and long_enough and part_rows:
                left = 0
                for key in part_keys:
                    left += len(key)
                hit = near_paragraphs.reduce(number, sigs, part_rows, line_number, left >= min_near_chars)
                if hit is not None:
                    dropped.append(("near-duplicate-paragraph", "line", line_number, text, hit[0], hit[1]))
                    continue
        if text not in kept_texts:
            kept_texts[text] = line_number
        kept_numbers.append(line_number)
        kept.append(text)
        kept_rows.append(part_rows)
        kept_keys.append("".join(part_keys))
    return kept_numbers, kept, kept_rows, kept_keys, dropped


cdef class LiteralSet:
    """Whether a line holds one of ``literals`` as a substring: the compiled
    ``search`` of :func:`textclean.prefilter._alternation_of` for literals matched
    as written (an ``re`` alternation there). A position is tried only when its
    character starts a literal (a bitmap of the BMP; astral first characters are
    looked up), then the literals starting with it are compared."""

    cdef uint64_t bitmap[1024]
    cdef bint astral
    cdef Py_UCS4 *chars
    cdef Py_ssize_t *starts
    cdef Py_ssize_t *order
    cdef uint32_t *firsts
    cdef Py_ssize_t count, shortest

    def __cinit__(self, literals):
        cdef list ordered = sorted(set(literals), key=lambda literal: (literal[:1], len(literal), literal))
        cdef Py_ssize_t total = 0, i, k, at = 0
        cdef unicode literal
        cdef uint32_t c
        self.count = len(ordered)
        if self.count == 0 or any(len(literal) == 0 for literal in ordered):
            raise ValueError("LiteralSet takes non-empty literals")
        for literal in ordered:
            total += len(literal)
        self.chars = <Py_UCS4 *> calloc(total, sizeof(Py_UCS4))
        self.starts = <Py_ssize_t *> calloc(self.count + 1, sizeof(Py_ssize_t))
        self.firsts = <uint32_t *> calloc(self.count, sizeof(uint32_t))
        if self.chars == NULL or self.starts == NULL or self.firsts == NULL:
            raise MemoryError()
        self.shortest = total
        for i in range(self.count):
            literal = ordered[i]
            self.starts[i] = at
            for k in range(len(literal)):
                self.chars[at + k] = literal[k]
            at += len(literal)
            c = <uint32_t> literal[0]
            self.firsts[i] = c
            if c < 0x10000:
                self.bitmap[c >> 6] |= (<uint64_t> 1) << (c & 63)
            else:
                self.astral = True
            if len(literal) < self.shortest:
                self.shortest = len(literal)
        self.starts[self.count] = at

    def __dealloc__(self):
        free(self.chars)
        free(self.starts)
        free(self.firsts)

    def search(self, unicode line):
        """True when a literal occurs in ``line``, else None (as ``re``'s search is tested)."""
        cdef Py_ssize_t n = len(line), i, lo, hi, mid, j, k, size
        cdef uint32_t c
        cdef bint same
        for i in range(n - self.shortest + 1):
            c = <uint32_t> line[i]
            if c < 0x10000:
                if not (self.bitmap[c >> 6] >> (c & 63)) & 1:
                    continue
            elif not self.astral:
                continue
            lo, hi = 0, self.count  # the first literal starting with c
            while lo < hi:
                mid = (lo + hi) >> 1
                if self.firsts[mid] < c:
                    lo = mid + 1
                else:
                    hi = mid
            j = lo
            while j < self.count and self.firsts[j] == c:
                size = self.starts[j + 1] - self.starts[j]
                if i + size > n:
                    break  # literals starting with c come shortest first
                same = True
                for k in range(1, size):
                    if <uint32_t> line[i + k] != <uint32_t> self.chars[self.starts[j] + k]:
                        same = False
                        break
                if same:
                    return True
                j += 1
        return None


def context_columns(const double[::1] scores, const double[::1] content, const double[::1] length,
                    const double[::1] log_length, Py_ssize_t start, Py_ssize_t stop, double[:, ::1] out,
                    double[:, ::1] raw):
    """``textclean.line_features.context_features`` without its logarithms: ``out`` gets
    the columns score, previous … next10 (window means of ``scores`` from one running
    sum), max_previous3, max_next3, at_start, at_end, in_main_block (``[start, stop)``),
    short_between_content, log_previous_length and log_next_length; ``raw`` gets what
    the rest take the logarithm of: the distance to the main block, to the nearest
    good line above and below (at most 50), and the run of short lines each line is in."""
    cdef Py_ssize_t count = scores.shape[0], i, k, lo, hi, n, last, size, run_start
    cdef double *total = <double *> calloc(count + 1, sizeof(double))
    cdef double best, value
    cdef bint later, has
    cdef Py_ssize_t sizes[6]
    sizes[:] = [1, 1, 3, 3, 10, 10]
    if total == NULL:
        raise MemoryError()
    with nogil:
        for i in range(count):
            total[i + 1] = total[i] + scores[i]
        for i in range(count):
            out[i, 0] = scores[i]
            for k in range(6):
                later = k & 1
                size = sizes[k]
                if later:
                    lo = i + 1
                    hi = min(i + 1 + size, count)
                else:
                    lo = max(i - size, 0)
                    hi = i
                n = hi - lo
                out[i, 1 + k] = (total[hi] - total[lo]) / (<double> n) if n > 0 else 0.5
            for k in range(2):  # max_previous3, max_next3: 1 - the largest content share of the 3 lines there
                has = False
                best = 0.0
                for n in range(1, 4):
                    lo = i + n if k else i - n
                    if 0 <= lo < count:
                        value = content[lo]
                        if not has or value > best:
                            best = value
                        has = True
                out[i, 7 + k] = 1.0 - (best if has else 0.5)
            out[i, 9] = 1.0 if i <= 1 else 0.0
            out[i, 10] = 1.0 if i == count - 1 else 0.0
            out[i, 11] = 1.0 if start <= i < stop else 0.0
            raw[0, i] = <double> (start - i if i < start else (i - stop + 1 if i >= stop else 0))
            out[i, 16] = 1.0 if (length[i] <= 40 and (content[i - 1] if i > 0 else 0.0) > 0.5
                                 and (content[i + 1] if i + 1 < count else 0.0) > 0.5) else 0.0
            out[i, 18] = log_length[i - 1] if i > 0 else 0.0
            out[i, 19] = log_length[i + 1] if i + 1 < count else 0.0
        last = -50  # the nearest good line above (strictly), then below
        for i in range(count):
            raw[1, i] = <double> min(i - last, 50)
            if content[i] > 0.7 and length[i] >= 30:
                last = i
        last = count + 50
        for i in range(count - 1, -1, -1):
            raw[2, i] = <double> min(last - i, 50)
            if content[i] > 0.7 and length[i] >= 30:
                last = i
        i = 0
        while i < count:  # runs of short lines
            if length[i] < 20:
                run_start = i
                while i < count and length[i] < 20:
                    i += 1
                for k in range(run_start, i):
                    raw[3, k] = <double> (i - run_start)
            else:
                raw[3, i] = 0.0
                i += 1
    free(total)


def has_any(unicode text, const uint8_t[::1] bitmap):
    """Whether a character of ``text`` has its bit set in ``bitmap`` (bit ``c & 7`` of
    byte ``c >> 3`` for code point c; every code point has one): the reference is
    ``textclean.normalize.has_traditional``'s numpy gather."""
    cdef Py_ssize_t i, n = len(text)
    cdef uint32_t c
    for i in range(n):
        c = <uint32_t> text[i]
        if bitmap[c >> 3] & (1 << (c & 7)):
            return True
    return False
