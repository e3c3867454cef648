# Included by _core.pyx: fold keys and the traditional-character test (textclean.normalize).


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
