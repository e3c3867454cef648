# Included by _core.pyx: the line model's features (textclean.line_features).


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
