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
    cdef int text_kind
    cdef const void *data
    cdef uint32_t[::1] buffer = np.empty(capacity, dtype=np.uint32)
    for text in texts:
        length = len(text)
        if 18 * length + 1 > capacity:  # NFKC makes at most 18 characters of one (U+FDFA)
            capacity = max(18 * length + 1, 2 * capacity)
            buffer = np.empty(capacity, dtype=np.uint32)
        j = 0
        whole = True
        text_kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        for i in range(length):
            c = PyUnicode_READ(text_kind, data, i)
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
    cdef int text_kind = PyUnicode_KIND(text)
    cdef const void *data = PyUnicode_DATA(text)
    for i in range(n):
        c = PyUnicode_READ(text_kind, data, i)
        if bitmap[c >> 3] & (1 << (c & 7)):
            return True
    return False


def simplify(unicode text, const uint8_t[::1] bitmap, const uint32_t[::1] keys, const uint32_t[::1] values):
    """``text`` with each character that has its bit set in ``bitmap`` replaced by
    ``values[k]`` where ``keys[k]`` is that character (``keys`` sorted; every character
    with its bit set is one of them): ``textclean.normalize.simplified_view``'s
    ``str.translate``. ``text`` itself when nothing changes."""
    cdef Py_ssize_t i, first = -1, n = len(text), lo, hi, mid, count = keys.shape[0]
    cdef uint32_t c
    cdef Py_UCS4 *out
    for i in range(n):
        c = <uint32_t> text[i]
        if bitmap[c >> 3] & (1 << (c & 7)):
            first = i
            break
    if first < 0:
        return text
    out = <Py_UCS4 *> malloc(n * sizeof(Py_UCS4))
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = <uint32_t> text[i]
            if i >= first and bitmap[c >> 3] & (1 << (c & 7)):
                lo, hi = 0, count
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if keys[mid] < c:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < count and keys[lo] == c:
                    c = values[lo]
            out[i] = c
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n)
    finally:
        free(out)
