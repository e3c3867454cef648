# Included by _core.pyx: the boilerplate step: the junk-run test and the prefilter's literal tests (textclean.boilerplate, textclean.prefilter).


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
