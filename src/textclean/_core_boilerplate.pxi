# Included by _core.pyx: the boilerplate step: the junk-run test and the prefilter's literal tests (textclean.boilerplate, textclean.prefilter).


def has_repeated_run(unicode text, Py_ssize_t run):
    """Whether ``text`` holds ``run`` or more of one character in a row, a character
    that is not white space (``str.isspace``): exactly when
    ``textclean.boilerplate.cut_repeated_runs`` has something to cut."""
    cdef Py_ssize_t i, length = len(text), count = 0
    cdef Py_UCS4 c, previous = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef const void *data = PyUnicode_DATA(text)
    if length < run:
        return False
    for i in range(length):
        c = PyUnicode_READ(kind, data, i)
        if i and c == previous:
            count += 1
        else:
            count = 1
            previous = c
        if count >= run and not Py_UNICODE_ISSPACE(c):
            return True
    return False


DEF _ALTERNATIVES = 4  # characters a caseless literal's character may be matched by, at most
DEF _FEW = 4  # a set of this many literals or fewer is searched literal by literal (no 8 KB bitmap)
DEF _MANY = 64  # a set of more literals than this has the pair filter too (16 KB more)


cdef inline Py_ssize_t _pair(uint32_t first, uint32_t second) noexcept nogil:
    """Where two characters in a row fall among ``LiteralSet``'s 2 ** 16 pair bits."""
    return <Py_ssize_t> (((first * <uint32_t> 0x9E3779B1) ^ (second * <uint32_t> 0x85EBCA6B)) >> 16)


cdef class LiteralSet:
    """Whether a line holds one of ``literals`` as a substring: the compiled
    ``search`` of :func:`textclean.prefilter._alternation_of`. A position is tried
    only when its character starts a literal (a bitmap of the BMP; astral first
    characters are looked up), then the literals starting with it are compared.
    A set of at most 4 literals (a mined line's, most rules' own) is searched
    literal by literal instead, without the bitmap: a site's rules live for the
    whole run, and 8 KB each added up.

    ``caseless``: literals matched ignoring case, each given as its characters'
    alternatives (the characters ``regex`` matches each one with under ``(?i)``,
    at most 4, all in the BMP; see ``textclean.prefilter._caseless``)."""

    cdef uint64_t *bitmap  # NULL for a set of _FEW or fewer
    # for a set of more than _MANY (the pack's: its first characters start ~10 % of a page's):
    # the first two characters of each literal of two or more, hashed into 2 ** 16 bits (most
    # positions whose character starts a literal are ruled out by the next one), and whether
    # a literal is that one character alone (then it is found); NULL for smaller sets (a
    # site's mined rules, which live for the whole run: 16 KB each would add up)
    cdef uint64_t *pairs
    cdef uint64_t *singles
    cdef list few  # those literals, searched one by one
    cdef bint astral
    cdef Py_UCS4 *chars
    cdef Py_ssize_t *starts
    cdef Py_ssize_t *order
    cdef uint32_t *firsts
    cdef Py_ssize_t count, shortest
    # the caseless literals: _ALTERNATIVES code points per character (unused ones 0xFFFFFFFF)
    cdef uint64_t *caseless_bitmap  # NULL without caseless literals
    cdef uint32_t *caseless_chars
    cdef Py_ssize_t *caseless_starts
    cdef Py_ssize_t caseless_count

    def __cinit__(self, literals, caseless=()):
        cdef list ordered = sorted(set(literals), key=lambda literal: (literal[:1], len(literal), literal))
        cdef list folded = [[tuple(options) for options in chars] for chars in caseless]
        cdef Py_ssize_t total = 0, i, k, j, at = 0
        cdef unicode literal
        cdef uint32_t c
        self.count = len(ordered)
        self.caseless_count = len(folded)
        if self.count + self.caseless_count == 0 or any(len(literal) == 0 for literal in ordered) \
                or any(len(chars) == 0 for chars in folded):
            raise ValueError("LiteralSet takes non-empty literals")
        if any(not 1 <= len(options) <= _ALTERNATIVES or any(not 0 <= ord(ch) < 0x10000 for ch in options)
               for chars in folded for options in chars):
            raise ValueError(f"a caseless literal's character takes 1 to {_ALTERNATIVES} BMP alternatives")
        self.few = ordered if self.count <= _FEW else None
        for literal in ordered:
            total += len(literal)
        self.chars = <Py_UCS4 *> calloc(max(total, 1), sizeof(Py_UCS4))
        self.starts = <Py_ssize_t *> calloc(self.count + 1, sizeof(Py_ssize_t))
        self.firsts = <uint32_t *> calloc(max(self.count, 1), sizeof(uint32_t))
        if self.few is None:
            self.bitmap = <uint64_t *> calloc(1024, sizeof(uint64_t))
        if self.count > _MANY:
            self.pairs = <uint64_t *> calloc(1024, sizeof(uint64_t))
            self.singles = <uint64_t *> calloc(1024, sizeof(uint64_t))
        if self.caseless_count:
            self.caseless_bitmap = <uint64_t *> calloc(1024, sizeof(uint64_t))
        if self.chars == NULL or self.starts == NULL or self.firsts == NULL or \
                (self.few is None and self.bitmap == NULL) or \
                (self.count > _MANY and (self.pairs == NULL or self.singles == NULL)) or \
                (self.caseless_count and self.caseless_bitmap == NULL):
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
            if c >= 0x10000:
                self.astral = True
            elif self.bitmap != NULL:
                self.bitmap[c >> 6] |= (<uint64_t> 1) << (c & 63)
                if self.pairs == NULL:
                    pass
                elif len(literal) == 1:
                    self.singles[c >> 6] |= (<uint64_t> 1) << (c & 63)
                else:
                    k = _pair(c, <uint32_t> literal[1])
                    self.pairs[k >> 6] |= (<uint64_t> 1) << (k & 63)
            if len(literal) < self.shortest:
                self.shortest = len(literal)
        self.starts[self.count] = at
        total = sum(len(chars) for chars in folded)
        self.caseless_chars = <uint32_t *> malloc(max(total, 1) * _ALTERNATIVES * sizeof(uint32_t))
        self.caseless_starts = <Py_ssize_t *> calloc(self.caseless_count + 1, sizeof(Py_ssize_t))
        if self.caseless_chars == NULL or self.caseless_starts == NULL:
            raise MemoryError()
        at = 0
        for i in range(self.caseless_count):
            self.caseless_starts[i] = at
            for k in range(len(folded[i])):
                options = folded[i][k]
                for j in range(_ALTERNATIVES):
                    self.caseless_chars[(at + k) * _ALTERNATIVES + j] = ord(options[j]) if j < len(options) \
                        else 0xFFFFFFFF
                if k == 0:
                    for option in options:
                        c = ord(option)
                        self.caseless_bitmap[c >> 6] |= (<uint64_t> 1) << (c & 63)
            at += len(folded[i])
        self.caseless_starts[self.caseless_count] = at

    def __dealloc__(self):
        free(self.bitmap)
        free(self.pairs)
        free(self.singles)
        free(self.chars)
        free(self.starts)
        free(self.firsts)
        free(self.caseless_chars)
        free(self.caseless_starts)
        free(self.caseless_bitmap)

    def search(self, unicode line):
        """True when a literal occurs in ``line``, else None (as ``re``'s search is tested)."""
        if (self.count and self._exact(line)) or (self.caseless_count and self._caseless(line)):
            return True
        return None

    cdef bint _exact(self, unicode line):
        cdef Py_ssize_t n = len(line), i, lo, hi, mid, j, k, size
        cdef uint32_t c
        cdef bint same
        cdef unicode literal
        cdef int kind = PyUnicode_KIND(line)
        cdef const void *data = PyUnicode_DATA(line)
        if self.few is not None:
            for literal in self.few:
                if literal in line:
                    return True
            return False
        for i in range(n - self.shortest + 1):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000:
                if not (self.bitmap[c >> 6] >> (c & 63)) & 1:
                    continue
                if self.pairs == NULL:
                    pass
                elif (self.singles[c >> 6] >> (c & 63)) & 1:
                    return True
                elif i + 1 >= n:
                    continue  # (only a one-character literal fits here)
                else:
                    mid = _pair(c, PyUnicode_READ(kind, data, i + 1))
                    if not (self.pairs[mid >> 6] >> (mid & 63)) & 1:
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
                    if PyUnicode_READ(kind, data, i + k) != <uint32_t> self.chars[self.starts[j] + k]:
                        same = False
                        break
                if same:
                    return True
                j += 1
        return False

    cdef bint _caseless(self, unicode line):
        cdef Py_ssize_t n = len(line), i, j, k, size, at
        cdef uint32_t c
        cdef const uint32_t *options
        cdef bint same
        cdef int kind = PyUnicode_KIND(line)
        cdef const void *data = PyUnicode_DATA(line)
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c >= 0x10000 or not (self.caseless_bitmap[c >> 6] >> (c & 63)) & 1:
                continue
            for j in range(self.caseless_count):
                at = self.caseless_starts[j]
                size = self.caseless_starts[j + 1] - at
                if i + size > n:
                    continue
                same = True
                for k in range(size):
                    c = PyUnicode_READ(kind, data, i + k)
                    options = &self.caseless_chars[(at + k) * _ALTERNATIVES]
                    if c != options[0] and c != options[1] and c != options[2] and c != options[3]:
                        same = False
                        break
                if same:
                    return True
        return False


cdef class CharSet:
    """Whether a line holds only characters of a set: the test of
    ``textclean.prefilter._alphabet_test`` (a bitmap of the BMP; characters outside
    it are not checked and pass)."""

    cdef uint64_t bitmap[1024]

    def __cinit__(self, chars):
        cdef uint32_t c
        for char in chars:
            c = ord(char)
            if c < 0x10000:
                self.bitmap[c >> 6] |= (<uint64_t> 1) << (c & 63)

    def search(self, unicode line):
        """True when every BMP character of ``line`` is in the set, else None."""
        cdef Py_ssize_t i, n = len(line)
        cdef uint32_t c
        cdef int kind = PyUnicode_KIND(line)
        cdef const void *data = PyUnicode_DATA(line)
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000 and not (self.bitmap[c >> 6] >> (c & 63)) & 1:
                return None
        return True
