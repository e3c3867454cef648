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
