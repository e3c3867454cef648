# Included by _core.pyx: MinHash signatures and LSH band keys (textclean.signatures).


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


def min_of_rows(const uint32_t[:, ::1] signatures, const int64_t[::1] rows, const int64_t[::1] firsts,
                uint32_t[:, ::1] out):
    """``out[i]`` = the element-wise minimum of ``signatures[rows[k]]`` for ``k`` from
    ``firsts[i]`` up to ``firsts[i + 1]`` (the last: to the end of ``rows``), as
    ``np.minimum.reduceat(signatures[rows], firsts, axis=0)`` gives for strictly
    increasing ``firsts`` — the only kind this accepts (ValueError otherwise)."""
    cdef Py_ssize_t count = firsts.shape[0], total = rows.shape[0], width = signatures.shape[1]
    cdef Py_ssize_t i, k, j, stop, limit = signatures.shape[0]
    cdef const uint32_t *row
    cdef uint32_t *target
    if out.shape[0] != count or out.shape[1] != width:
        raise ValueError("out must have one row per segment, as wide as the signatures")
    for i in range(count):
        stop = firsts[i + 1] if i + 1 < count else total
        if firsts[i] < 0 or firsts[i] >= stop or stop > total:
            raise ValueError("firsts must increase strictly, each within the rows")
    for k in range(total):
        if rows[k] < 0 or rows[k] >= limit:
            raise IndexError("a row is outside the signatures")
    with nogil:
        for i in range(count):
            stop = firsts[i + 1] if i + 1 < count else total
            target = &out[i, 0]
            row = &signatures[rows[firsts[i]], 0]
            for j in range(width):
                target[j] = row[j]
            for k in range(firsts[i] + 1, stop):
                tc_min_into(target, &signatures[rows[k], 0], width)
