# Included by _core.pyx: the corpus index: the key table and the check of band candidates (textclean.index).


DEF _AHEAD = 8  # keys ahead whose slots a batch operation prefetches
DEF _SPLIT_FROM = 4096  # keys past which sorted_items deals them into buckets first
DEF _BUCKET_BITS = 11
DEF _BUCKETS = 2048  # 2 ** _BUCKET_BITS
DEF _BUCKET_SHIFT = 53  # 64 - _BUCKET_BITS
DEF _INSERTION_MAX = 32  # a bucket this small is sorted by insertion


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
        self.slots = <_Slot *> tc_table_alloc(capacity * sizeof(_Slot))
        if self.slots == NULL:
            raise MemoryError()
        return 0

    def __dealloc__(self):
        free(self.slots)

    def __len__(self):
        return self.count

    def clear(self):
        """Empty the table, keeping its slots: the index sorts its keys into a tier when
        the table holds ``flush_at`` of them and fills it again to the same size (a new
        table grew there again, doubling from 1,024 slots, its rehashes and fresh pages
        each flush)."""
        with nogil:
            memset(self.slots, 0, self.capacity * sizeof(_Slot))
        self.count = 0

    def nbytes(self):
        return self.capacity * sizeof(_Slot)

    def __reduce__(self):
        keys, values = self.items()
        return _key_table, (keys, values)

    cdef inline Py_ssize_t _home(self, uint64_t key) noexcept nogil:
        """Where ``key``'s probe starts (Fibonacci hashing)."""
        return <Py_ssize_t> ((key * 0x9E3779B97F4A7C15ULL) >> self.shift)

    cdef inline Py_ssize_t _slot(self, uint64_t key) noexcept nogil:
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

    cdef inline void _prefetch(self, uint64_t key) noexcept nogil:
        TC_PREFETCH(&self.slots[self._home(key)])

    def get_into(self, const uint64_t[::1] keys, int64_t[::1] out):
        """``out[i]`` = the value stored for ``keys[i]`` where there is one (others untouched)."""
        with nogil:
            self._fill(keys, out, False)

    cdef void _fill(self, const uint64_t[::1] keys, int64_t[::1] out, bint missing_only) noexcept nogil:
        """:meth:`get_into`; ``missing_only``: only the keys whose ``out[i]`` is still -1 (those
        no tier held) are looked up. The slots of the keys a few places ahead are fetched
        meanwhile (the table is usually cold: the pages were cleaned in between)."""
        cdef Py_ssize_t i, slot, count = keys.shape[0]
        for i in range(min(count, _AHEAD)):
            self._prefetch(keys[i])
        for i in range(count):
            if i + _AHEAD < count:
                self._prefetch(keys[i + _AHEAD])
            if missing_only and out[i] >= 0:
                continue
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

    def sorted_items(self):
        """:meth:`items` sorted by key: what a flush makes a tier of. Past ``_SPLIT_FROM``
        keys a radix sort that starts from the top: the keys dealt into 2,048 buckets by
        their top 11 bits (one pass), then each bucket, small enough for the cache,
        sorted on its own (:func:`_sort_bucket`: dealt again by the next 8 bits, the
        parts sorted by insertion). Byte passes from the lowest over the whole table each
        went through memory: for the 1M keys of a flush, ~60 -> ~35 ms here (10 of them
        reading the slots). Keys bunched together fall back to the byte passes for
        their part (:func:`_radix_sort`); fewer keys than ``_SPLIT_FROM``: those alone."""
        cdef Py_ssize_t n = self.count, i, j = 0, b, start, size
        cdef Py_ssize_t (*counts)[256]
        cdef Py_ssize_t *buckets = NULL
        cdef uint64_t *keys_a
        cdef uint64_t *keys_b
        cdef int32_t *values_a
        cdef int32_t *values_b
        first_keys, second_keys = np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.uint64)
        first_values, second_values = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
        cdef uint64_t[::1] k1 = first_keys, k2 = second_keys
        cdef int32_t[::1] v1 = first_values, v2 = second_values
        if n == 0:
            return first_keys, first_values
        counts = <Py_ssize_t (*)[256]> malloc(8 * 256 * sizeof(Py_ssize_t))
        if n >= _SPLIT_FROM:
            buckets = <Py_ssize_t *> calloc(_BUCKETS + 1, sizeof(Py_ssize_t))
        if counts == NULL or (n >= _SPLIT_FROM and buckets == NULL):
            free(counts)
            free(buckets)
            raise MemoryError()
        keys_a, keys_b, values_a, values_b = &k1[0], &k2[0], &v1[0], &v2[0]
        with nogil:
            for i in range(self.capacity):
                if self.slots[i].used:
                    keys_a[j] = self.slots[i].key
                    values_a[j] = self.slots[i].value
                    j += 1
            if n < _SPLIT_FROM:
                if _radix_sort(keys_a, values_a, keys_b, values_b, n, counts):
                    keys_a, keys_b = keys_b, keys_a  # the sorted keys are in the second arrays
            else:
                for i in range(n):  # each bucket's size, then where it starts (buckets[b]) and ends (buckets[b + 1])
                    buckets[(keys_a[i] >> _BUCKET_SHIFT) + 1] += 1
                for b in range(_BUCKETS):
                    buckets[b + 1] += buckets[b]
                for i in range(n):  # dealt into the second arrays, in order within each bucket
                    b = keys_a[i] >> _BUCKET_SHIFT
                    keys_b[buckets[b]] = keys_a[i]
                    values_b[buckets[b]] = values_a[i]
                    buckets[b] += 1
                start = 0
                for b in range(_BUCKETS):  # (buckets[b] is now where bucket b ends)
                    size = buckets[b] - start
                    if size > 1:
                        _sort_bucket(keys_b + start, values_b + start, keys_a + start, values_a + start, size,
                                     counts)
                    start = buckets[b]
                keys_a, keys_b = keys_b, keys_a
        free(counts)
        free(buckets)
        if keys_a == &k1[0]:
            return first_keys, first_values
        return second_keys, second_values


cdef int _radix_sort(uint64_t *keys, int32_t *values, uint64_t *keys_to, int32_t *values_to, Py_ssize_t n,
                     Py_ssize_t (*counts)[256]) noexcept nogil:
    """Sort ``n`` distinct keys and their values, a byte a pass from the lowest (each
    pass stable), between ``keys``/``values`` and the ``_to`` arrays; a byte every key
    shares is skipped. Returns 1 when the sorted keys ended in the ``_to`` arrays, else
    0. ``counts``: room for 8 x 256 counts."""
    cdef Py_ssize_t i, d, b, total
    cdef uint64_t *keys_from = keys
    cdef int32_t *values_from = values
    cdef uint64_t *swap_keys
    cdef int32_t *swap_values
    cdef int shift
    memset(counts, 0, 8 * 256 * sizeof(Py_ssize_t))
    for i in range(n):
        for d in range(8):
            counts[d][(keys[i] >> (8 * d)) & 0xFF] += 1
    for d in range(8):
        shift = 8 * d
        if counts[d][(keys_from[0] >> shift) & 0xFF] == n:
            continue  # every key has this byte: the order stays
        total = 0
        for b in range(256):  # where each byte's keys start
            total, counts[d][b] = total + counts[d][b], total
        for i in range(n):
            b = (keys_from[i] >> shift) & 0xFF
            keys_to[counts[d][b]] = keys_from[i]
            values_to[counts[d][b]] = values_from[i]
            counts[d][b] += 1
        swap_keys, swap_values = keys_from, values_from
        keys_from, values_from = keys_to, values_to
        keys_to, values_to = swap_keys, swap_values
    return keys_from != keys


cdef void _insertion_sort(uint64_t *keys, int32_t *values, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, k
    cdef uint64_t key
    cdef int32_t value
    for i in range(1, n):
        key, value = keys[i], values[i]
        k = i
        while k > 0 and keys[k - 1] > key:
            keys[k], values[k] = keys[k - 1], values[k - 1]
            k -= 1
        keys[k], values[k] = key, value


cdef void _sort_bucket(uint64_t *keys, int32_t *values, uint64_t *keys_spare, int32_t *values_spare,
                       Py_ssize_t n, Py_ssize_t (*counts)[256]) noexcept nogil:
    """Sort one bucket of :meth:`KeyTable.sorted_items` in place (``_spare``: as much
    room, its contents not kept; its keys share their top ``_BUCKET_BITS`` bits): a few
    keys by insertion; more dealt by their next 8 bits into the spare arrays, each part
    sorted there (by insertion, or :func:`_radix_sort` when large: keys bunched
    together), and copied back."""
    cdef Py_ssize_t i, b, start, size
    cdef Py_ssize_t *ends = counts[0]
    cdef int shift = _BUCKET_SHIFT - 8
    if n <= _INSERTION_MAX:
        _insertion_sort(keys, values, n)
        return
    memset(ends, 0, 256 * sizeof(Py_ssize_t))
    for i in range(n):
        ends[(keys[i] >> shift) & 0xFF] += 1
    start = 0
    for b in range(256):  # where each part starts
        start, ends[b] = start + ends[b], start
    for i in range(n):
        b = (keys[i] >> shift) & 0xFF
        keys_spare[ends[b]] = keys[i]
        values_spare[ends[b]] = values[i]
        ends[b] += 1  # (then where part b ends)
    start = 0
    for b in range(256):
        size = ends[b] - start
        if size > _INSERTION_MAX:  # bunched keys: sorted byte by byte (counts reused: copy the ends out first)
            break
        if size > 1:
            _insertion_sort(keys_spare + start, values_spare + start, size)
        start = ends[b]
    else:
        memcpy(keys, keys_spare, n * sizeof(uint64_t))
        memcpy(values, values_spare, n * sizeof(int32_t))
        return
    # a large part: the rest of the bucket sorted whole (its keys in the spare arrays, the parts in order)
    memcpy(keys, keys_spare, n * sizeof(uint64_t))
    memcpy(values, values_spare, n * sizeof(int32_t))
    if _radix_sort(keys + start, values + start, keys_spare, values_spare, n - start, counts):
        memcpy(keys + start, keys_spare, (n - start) * sizeof(uint64_t))
        memcpy(values + start, values_spare, (n - start) * sizeof(int32_t))


def _key_table(keys, values):
    table = KeyTable()
    table.insert_values(np.ascontiguousarray(keys, dtype=np.uint64), np.ascontiguousarray(values, dtype=np.int32))
    return table


cdef int _verify(const int64_t[:, ::1] band_hits, const int64_t[::1] exact_hits, const uint32_t[:, ::1] signatures,
                 list blocks, object current, Py_ssize_t block_rows, double threshold, int64_t[::1] found,
                 int64_t[::1] same) except -1:
    """The corpus index's check of its band candidates (reference:
    ``textclean.index.DedupIndex._verify``): for each paragraph ``r`` without an exact
    hit, its band candidates ``band_hits[r]`` (entries; -1 for none) in entry order,
    each once; the first whose signature (row ``c % block_rows`` of block
    ``c // block_rows``: the index's finished ``blocks``, then its ``current`` one)
    agrees with ``signatures[r]`` in at least ``threshold`` of the positions goes to
    ``found[r]``, the agreeing count to ``same[r]``. Only the blocks a candidate lies in
    are read (the index grows a block every 4,096 paragraphs; a page's candidates lie in
    a few of them: taking hold of every block on each call cost O(index) a page)."""
    cdef Py_ssize_t count = band_hits.shape[0], width = band_hits.shape[1], perms = signatures.shape[1]
    cdef Py_ssize_t nblocks = len(blocks) + (current is not None), r, j, k, n, i
    cdef int64_t c, t, held = -1
    cdef int equal
    cdef const uint32_t *row
    cdef const uint32_t *mine
    cdef const uint32_t *start = NULL
    cdef const uint32_t[:, ::1] view
    cdef int64_t *candidates = <int64_t *> calloc(max(width, 1), sizeof(int64_t))
    if candidates == NULL:
        raise MemoryError()
    try:
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
                if t != held:  # the candidate's block (the buffer stays acquired while ``view`` holds it)
                    if t >= nblocks:
                        raise IndexError(f"entry {c} is not in the index's signature blocks")
                    view = blocks[t] if t < len(blocks) else current
                    if view.shape[1] != perms:
                        raise ValueError("a signature block has another number of permutations")
                    if view.shape[0] <= c % block_rows:
                        raise IndexError(f"entry {c} is not in the index's signature blocks")
                    start, held = &view[0, 0], t
                row = start + (c % block_rows) * perms
                equal = 0
                for k in range(perms):
                    equal += row[k] == mine[k]
                if (<double> equal) / (<double> perms) >= threshold:
                    found[r] = c
                    same[r] = equal
                    break
    finally:
        free(candidates)
    return 0


cdef int _table_lookup(KeyTable table, list tiers, const uint64_t[::1] keys, int64_t[::1] out) except -1:
    """``textclean.index._Table.lookup`` (``out`` holding -1 for every key): the tiers
    oldest first, then the keys no tier holds in the table."""
    for tier in tiers:
        _tier_lookup(tier[0], tier[1], keys, out, tier[2])
    if table.count:
        with nogil:
            table._fill(keys, out, True)
    return 0


def match_paragraphs(KeyTable exact_table, list exact_tiers, KeyTable band_table, list band_tiers,
                     const uint64_t[::1] exact, const uint64_t[::1] band_keys, const uint32_t[:, ::1] signatures,
                     list blocks, object current, Py_ssize_t block_rows, double threshold):
    """``textclean.index.DedupIndex.match_many`` in one call (its reference: the lookups of
    each ``_Table`` and ``DedupIndex._verify``): for each of the ``count`` paragraphs
    (``band_keys``: their band keys, row after row), ``(entry, similarity)`` of the
    earliest indexed paragraph it repeats, or None. The tables are each ``_Table``'s
    ``pending`` and ``tiers``; the signature blocks the index's finished ``blocks`` and
    its ``current`` one."""
    cdef Py_ssize_t count = exact.shape[0], perms = signatures.shape[1], r
    if count == 0:
        return []
    if band_keys.shape[0] % count:
        raise ValueError("band_keys must hold the same number of keys for every paragraph")
    exact_array = np.full(count, -1, dtype=np.int64)
    band_array = np.full(band_keys.shape[0], -1, dtype=np.int64)
    found_array = np.full(count, -1, dtype=np.int64)
    same_array = np.zeros(count, dtype=np.int64)
    cdef int64_t[::1] exact_hits = exact_array, band_hits = band_array, found = found_array, same = same_array
    _table_lookup(exact_table, exact_tiers, exact, exact_hits)
    _table_lookup(band_table, band_tiers, band_keys, band_hits)
    _verify(band_array.reshape(count, -1), exact_hits, signatures, blocks, current, block_rows, threshold,
            found, same)
    out = []
    for r in range(count):
        if exact_hits[r] >= 0:
            out.append((exact_hits[r], 1.0))
        elif found[r] >= 0:
            out.append((found[r], (<double> same[r]) / (<double> perms)))
        else:
            out.append(None)
    return out


def insert_paragraphs(KeyTable exact_table, KeyTable band_table, const uint64_t[::1] exact,
                      const uint64_t[::1] band_keys, int32_t first):
    """``textclean.index.DedupIndex.add_many``'s table inserts in one call: paragraph
    ``i``'s exact key and band keys (``band_keys``: row after row) stored for entry
    ``first + i`` where not stored yet, in order (its reference: ``_Table.insert_values``
    of each table)."""
    cdef Py_ssize_t count = exact.shape[0], total = band_keys.shape[0], width, i
    if count == 0:
        return
    if total % count:
        raise ValueError("band_keys must hold the same number of keys for every paragraph")
    width = total // count
    for i in range(count):
        if i + _AHEAD < count:
            exact_table._prefetch(exact[i + _AHEAD])
        exact_table._put(exact[i], first + <int32_t> i)
    for i in range(total):
        if i + _AHEAD < total:
            band_table._prefetch(band_keys[i + _AHEAD])
        band_table._put(band_keys[i], first + <int32_t> (i // width))


DEF _GROUP = 16  # keys whose searches in a tier advance together (see tier_lookup)


DEF _BLOOM_BITS = 16  # bits of a tier's filter per key: ~2 % of the keys it does not hold pass it


cdef inline Py_ssize_t _bloom_word(uint64_t key, uint64_t words) noexcept nogil:
    # the key's top bits say its word: sorted keys fill the filter from start to end
    return <Py_ssize_t> (((key >> 32) * words) >> 32)


cdef inline uint64_t _bloom_bits(uint64_t key) noexcept nogil:
    return ((<uint64_t> 1) << (key & 63)) | ((<uint64_t> 1) << ((key >> 6) & 63))


def tier_bloom(const uint64_t[::1] tier_keys):
    """The filter of a sorted tier for :func:`tier_lookup`: ``_BLOOM_BITS`` bits a key in
    64-bit words, two bits of one word set for each key (its word from the key's top
    bits, the bits from its low ones). A key whose two bits are not both set is not in
    the tier; one whose bits are is searched. Built in one pass in key order."""
    cdef Py_ssize_t n = tier_keys.shape[0], i
    cdef uint64_t words = max(1, (n * _BLOOM_BITS + 63) // 64)
    bloom_array = np.zeros(words, dtype=np.uint64)
    cdef uint64_t[::1] bloom = bloom_array
    with nogil:
        for i in range(n):
            bloom[_bloom_word(tier_keys[i], words)] |= _bloom_bits(tier_keys[i])
    return bloom_array


def tier_lookup(const uint64_t[::1] tier_keys, const int32_t[::1] tier_values, const uint64_t[::1] keys,
                int64_t[::1] found, const uint64_t[::1] bloom):
    """:func:`_tier_lookup`."""
    _tier_lookup(tier_keys, tier_values, keys, found, bloom)


cdef int _tier_lookup(const uint64_t[::1] tier_keys, const int32_t[::1] tier_values, const uint64_t[::1] keys,
                      int64_t[::1] found, const uint64_t[::1] bloom) except -1:
    """For each ``keys[i]`` with ``found[i] < 0`` that the sorted, distinct ``tier_keys``
    hold: ``found[i]`` = its value (reference: the numpy path of
    ``textclean.index._Table.lookup``, a binary search of each key). ``bloom``: the
    tier's :func:`tier_bloom` (or empty): most keys are in no tier (a new paragraph's),
    and the filter turns ~98 % of their searches (a few dependent memory reads each)
    into one read, all of a batch's fetched ahead.

    The keys are hashes, spread evenly: each search step probes where the key's value
    puts it between the ends still in play (interpolation: ~3 steps in a million keys
    where a binary search takes ~20), and a step that leaves more than half of the
    range is followed by a halving one (no worse than twice a binary search on keys
    that are not spread). A tier is mostly out of the cache when the corpus pass
    looks a page up (the page was cleaned in between), so every step is a memory
    read: the searches of ``_GROUP`` keys advance together, each round fetching all
    their next probes at once, not one read after another."""
    cdef Py_ssize_t n = tier_keys.shape[0], count = keys.shape[0], start, i, j, m, before
    cdef uint64_t first, last, key, value
    cdef Py_ssize_t at[_GROUP]
    cdef Py_ssize_t lo[_GROUP]
    cdef Py_ssize_t hi[_GROUP]
    cdef Py_ssize_t probe[_GROUP]
    cdef uint64_t low[_GROUP]
    cdef uint64_t high[_GROUP]
    cdef bint halve[_GROUP]
    cdef uint64_t words = bloom.shape[0], bits
    cdef uint8_t *maybe = NULL
    if n == 0 or count == 0:
        return 0
    first, last = tier_keys[0], tier_keys[n - 1]
    if words:
        maybe = <uint8_t *> malloc(count)
        if maybe == NULL:
            raise MemoryError()
    try:
        with nogil:
            if words:  # the filter first, its words fetched _AHEAD keys ahead
                for i in range(min(<Py_ssize_t> _AHEAD, count)):
                    TC_PREFETCH(&bloom[_bloom_word(keys[i], words)])
                for i in range(count):
                    if i + _AHEAD < count:
                        TC_PREFETCH(&bloom[_bloom_word(keys[i + _AHEAD], words)])
                    bits = _bloom_bits(keys[i])
                    maybe[i] = (bloom[_bloom_word(keys[i], words)] & bits) == bits
            for start in range(0, count, _GROUP):
                m = 0  # the searches in play: low[j] < keys[at[j]] < high[j], at positions lo[j] < . < hi[j]
                for i in range(start, min(start + _GROUP, count)):
                    key = keys[i]
                    if found[i] >= 0 or key < first or key > last or (words and not maybe[i]):
                        continue
                    if key == first or key == last:
                        found[i] = tier_values[0 if key == first else n - 1]
                        continue
                    at[m], lo[m], hi[m], low[m], high[m], halve[m] = i, 0, n - 1, first, last, False
                    m += 1
                while m:
                    j = 0
                    while j < m:  # this round's probes, fetched together
                        if hi[j] - lo[j] < 2:  # nothing left between the ends: not held
                            m -= 1
                            at[j], lo[j], hi[j], low[j], high[j], halve[j] = at[m], lo[m], hi[m], low[m], high[m], halve[m]
                            continue
                        if halve[j]:
                            probe[j] = lo[j] + (hi[j] - lo[j]) // 2
                        else:
                            probe[j] = lo[j] + <Py_ssize_t> ((<double> (keys[at[j]] - low[j]))
                                                             / (<double> (high[j] - low[j])) * (<double> (hi[j] - lo[j])))
                            if probe[j] <= lo[j]:
                                probe[j] = lo[j] + 1
                            elif probe[j] >= hi[j]:
                                probe[j] = hi[j] - 1
                        TC_PREFETCH(&tier_keys[probe[j]])
                        j += 1
                    j = 0
                    while j < m:  # then read them
                        key, value, before = keys[at[j]], tier_keys[probe[j]], hi[j] - lo[j]
                        if value == key:
                            found[at[j]] = tier_values[probe[j]]
                            m -= 1
                            at[j], lo[j], hi[j], low[j], high[j], halve[j] = at[m], lo[m], hi[m], low[m], high[m], halve[m]
                            probe[j] = probe[m]
                            continue
                        if value < key:
                            lo[j], low[j] = probe[j], value
                        else:
                            hi[j], high[j] = probe[j], value
                        halve[j] = not halve[j] and 2 * (hi[j] - lo[j]) > before
                        j += 1
    finally:
        free(maybe)
    return 0


def merge_tiers(const uint64_t[::1] older_keys, const int32_t[::1] older_values,
                const uint64_t[::1] newer_keys, const int32_t[::1] newer_values):
    """Two sorted tiers of distinct keys as one: ``(keys, values)``, sorted and distinct,
    the older tier's value kept for a key both hold (reference: ``np.unique`` of the
    concatenation in ``textclean.index._Table.flush``). One pass over both, where
    sorting the concatenation took ~4 s for 32M keys."""
    cdef Py_ssize_t n = older_keys.shape[0], m = newer_keys.shape[0], i = 0, j = 0, k = 0
    keys_array = np.empty(n + m, dtype=np.uint64)
    values_array = np.empty(n + m, dtype=np.int32)
    cdef uint64_t[::1] keys = keys_array
    cdef int32_t[::1] values = values_array
    with nogil:
        while i < n and j < m:
            if older_keys[i] <= newer_keys[j]:
                if older_keys[i] == newer_keys[j]:
                    j += 1  # the newer copy of the key goes
                keys[k] = older_keys[i]
                values[k] = older_values[i]
                i += 1
            else:
                keys[k] = newer_keys[j]
                values[k] = newer_values[j]
                j += 1
            k += 1
        while i < n:
            keys[k] = older_keys[i]
            values[k] = older_values[i]
            i += 1
            k += 1
        while j < m:
            keys[k] = newer_keys[j]
            values[k] = newer_values[j]
            j += 1
            k += 1
    if k < n + m:  # keys both held: the arrays cut to what was written (copies: the rest is freed)
        return keys_array[:k].copy(), values_array[:k].copy()
    return keys_array, values_array
