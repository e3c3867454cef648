# Included by _core.pyx: the line model's features (textclean.line_features).


def line_shape(list lines, const uint16_t[::1] table, const uint8_t[::1] flags, int end_flag, int closer_flag,
               const int64_t[::1] columns, int64_t[:, ::1] counts, double[:, ::1] out):
    """The shape features of ``textclean.line_features.line_features`` that need no
    logarithm, in one pass over the lines: ``counts[row]`` += the counts of
    ``_class_counts`` (visible, Han, Latin, digits, CJK punctuation, symbols, tokens,
    separators, sentence marks, commas, function words; class bits of each BMP code
    point in ``table``, astral: Han in U+20000..U+3134F, else no class); then
    ``out[row, columns[k]]`` gets, for k in order: length_le4, length_le10,
    length_le20, length_ge50, length_ge120, han, latin, digit, punctuation, symbol,
    comma_density, function_density, sentence_end, colon_end, no_han,
    relative_position, chars_before (``flags``: each BMP code point's
    ``_char_flags``, whose ``end_flag`` and ``closer_flag`` bits end a sentence)."""
    cdef Py_ssize_t row, i, length, count = len(lines)
    cdef unicode line
    cdef Py_UCS4 c, last, second
    cdef uint16_t f
    cdef uint8_t last_flags, second_flags
    cdef bint space, previous
    cdef int bit, kind
    cdef const void *data
    cdef int64_t tally[11]  # this line's counts, in the columns of counts
    cdef double visible, total = 0.0, before = 0.0
    # class bit -> count column: Han, Latin, digit, punctuation, symbol, mark, comma, separator, function word
    cdef int slot[10]
    slot[:] = [-1, 1, 2, 3, 4, 5, 8, 9, 7, 10]
    if columns.shape[0] != 17 or counts.shape[0] < count or counts.shape[1] != 11 or out.shape[0] < count:
        raise ValueError("line_shape: 17 columns and a row of 11 counts and of features per line")
    for row in range(count):
        line = lines[row]
        length = len(line)
        kind = PyUnicode_KIND(line)
        data = PyUnicode_DATA(line)
        previous = True
        tally[:] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        for i in range(length):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000:
                f = table[c]
            elif 0x20000 <= c <= 0x3134F:
                f = 2
            else:
                f = 0
            space = f & 1
            if not space:
                tally[0] += 1
                if previous:
                    tally[6] += 1
            previous = space
            if f >> 1:
                for bit in range(1, 10):
                    if f & (1 << bit):
                        tally[slot[bit]] += 1
        for bit in range(11):
            counts[row, bit] += tally[bit]
        total += max(<double> counts[row, 0], 1.0)
    total = max(total, 1.0)
    for row in range(count):
        line = lines[row]
        length = len(line)
        visible = max(<double> counts[row, 0], 1.0)
        out[row, columns[0]] = visible <= 4
        out[row, columns[1]] = visible <= 10
        out[row, columns[2]] = visible <= 20
        out[row, columns[3]] = visible >= 50
        out[row, columns[4]] = visible >= 120
        for i in range(5):  # Han, Latin, digit, punctuation, symbol: shares of the visible characters
            out[row, columns[5 + i]] = (<double> counts[row, 1 + i]) / visible
        out[row, columns[10]] = (<double> counts[row, 9]) / visible
        out[row, columns[11]] = (<double> counts[row, 10]) / max(<double> counts[row, 1], 1.0)
        last = line[length - 1] if length > 0 else 0
        second = line[length - 2] if length > 1 else 0
        last_flags = flags[last] if last < 0x10000 else 0
        second_flags = flags[second] if second < 0x10000 else 0
        out[row, columns[12]] = (last_flags & end_flag) != 0 or ((last_flags & closer_flag) != 0
                                                                   and (second_flags & end_flag) != 0)
        out[row, columns[13]] = last == 0x3A or last == 0xFF1A  # : or ：
        out[row, columns[14]] = counts[row, 1] == 0
        out[row, columns[15]] = (<double> row) / (<double> max(count - 1, 1))
        out[row, columns[16]] = before / total
        before += visible


cdef Py_ssize_t _line_grams(unicode line, const uint8_t[::1] flags, int space, uint64_t *out):
    """The bigrams of ``line``'s consecutive non-space characters into ``out`` (room for
    ``len(line)``); returns how many."""
    cdef Py_ssize_t k, grams = 0
    cdef Py_UCS4 c, previous = 0
    cdef bint have = False
    cdef int kind = PyUnicode_KIND(line)
    cdef const void *data = PyUnicode_DATA(line)
    for k in range(len(line)):
        c = PyUnicode_READ(kind, data, k)
        if c < 0x10000 and flags[c] & space:
            continue
        if have:
            out[grams] = (<uint64_t> previous << 21) | <uint64_t> c
            grams += 1
        previous, have = c, True
    return grams


cdef inline Py_ssize_t _gram_slot(const uint64_t *keys, const uint8_t *used, Py_ssize_t mask, int shift,
                                   uint64_t key) noexcept nogil:
    """Where ``key`` is, or the free slot where it goes, in an open-addressing set."""
    cdef Py_ssize_t slot = <Py_ssize_t> ((key * 0x9E3779B97F4A7C15ULL) >> shift)
    while used[slot] and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


def title_similarity(list lines, const uint8_t[::1] flags, int space, Py_ssize_t scan, double[::1] out):
    """``out[i]``, for each line i > 0 of at most ``scan`` characters: the share of its
    bigrams of consecutive non-space characters (space: ``flags[c] & space``, BMP
    only) that the first line has too; 0 where it has none. Other rows are left as they are.
    The first line's bigrams go in a hash set (a headline's page often opens with a
    long paragraph: sorting its bigrams was most of the cost), only when a later line is short."""
    cdef Py_ssize_t count = len(lines), i, j, grams, size, shared, capacity = 16, slot
    cdef int bits = 4
    cdef unicode line
    cdef uint64_t *title = NULL
    cdef uint64_t *mine = NULL
    cdef uint64_t *keys = NULL
    cdef uint8_t *used = NULL
    if count < 2:
        return
    for i in range(1, count):
        line = lines[i]  # (a typed assignment: anything but str raises TypeError)
        if len(line) <= scan:
            break
    else:
        return  # no short line: nothing to compare
    line = lines[0]
    title = <uint64_t *> calloc(max(len(line), 1), sizeof(uint64_t))
    mine = <uint64_t *> calloc(max(scan, 1), sizeof(uint64_t))
    try:
        if title == NULL or mine == NULL:
            raise MemoryError()
        grams = _line_grams(line, flags, space, title)
        while capacity < 2 * grams:
            capacity *= 2
            bits += 1
        keys = <uint64_t *> calloc(capacity, sizeof(uint64_t))
        used = <uint8_t *> calloc(capacity, sizeof(uint8_t))
        if keys == NULL or used == NULL:
            raise MemoryError()
        for j in range(grams):
            slot = _gram_slot(keys, used, capacity - 1, 64 - bits, title[j])
            used[slot] = 1
            keys[slot] = title[j]
        for i in range(1, count):
            line = lines[i]
            if len(line) > scan:
                continue
            size = _line_grams(line, flags, space, mine)
            shared = 0
            for j in range(size):
                shared += used[_gram_slot(keys, used, capacity - 1, 64 - bits, mine[j])]
            out[i] = (<double> shared) / (<double> size) if size > 0 else 0.0
    finally:
        free(title)
        free(mine)
        free(keys)
        free(used)


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


def stripped_lengths(list lines, Py_ssize_t stop):
    """The characters of each of the first ``stop`` lines that are not white space:
    ``len("".join(line.split()))`` (``str.isspace``), in one call (reference: the title
    check's own join, ``textclean.title._repeated_title``)."""
    cdef Py_ssize_t count = min(max(stop, 0), len(lines)), i, k, length, n
    cdef int kind
    cdef const void *data
    out = [0] * count
    for i in range(count):
        line = lines[i]
        if type(line) is not str:
            raise TypeError(f"stripped_lengths needs str lines, got {type(line).__name__}")
        kind, data, length, n = PyUnicode_KIND(line), PyUnicode_DATA(line), len(<unicode> line), 0
        for k in range(length):
            if not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
                n += 1
        out[i] = n
    return out


def shared_bigrams(unicode title, list lines, Py_ssize_t limit):
    """For each line, how many distinct character bigrams of its first ``limit``
    characters are bigrams of the first ``limit`` of ``title`` (reference: the sets of
    ``textclean.title._bigrams``, intersected; lines of two characters or more). The
    title's bigrams go in a small table once (512 slots: ``limit`` past 257 characters
    of a title is refused), each line is read where it lies."""
    cdef Py_ssize_t count = len(lines), i, k, length, slot, shared, size = 512, title_length
    cdef int kind = PyUnicode_KIND(title)
    cdef const void *data = PyUnicode_DATA(title)
    cdef uint64_t gram, keys[512]
    cdef Py_ssize_t stamp[512]
    cdef bint used[512]
    title_length = min(len(title), limit)
    if title_length > 257:
        raise ValueError("shared_bigrams reads at most 257 characters of the title")
    memset(used, 0, sizeof(used))
    for k in range(title_length - 1):
        gram = (<uint64_t> PyUnicode_READ(kind, data, k) << 32) | PyUnicode_READ(kind, data, k + 1)
        slot = <Py_ssize_t> ((gram * 0x9E3779B97F4A7C15ULL) >> 55)
        while used[slot] and keys[slot] != gram:
            slot = (slot + 1) & (size - 1)
        used[slot], keys[slot], stamp[slot] = True, gram, -1
    out = [0] * count
    for i in range(count):
        line = lines[i]
        if type(line) is not str:
            raise TypeError(f"shared_bigrams needs str lines, got {type(line).__name__}")
        kind, data, length, shared = PyUnicode_KIND(line), PyUnicode_DATA(line), min(len(<unicode> line), limit), 0
        for k in range(length - 1):
            gram = (<uint64_t> PyUnicode_READ(kind, data, k) << 32) | PyUnicode_READ(kind, data, k + 1)
            slot = <Py_ssize_t> ((gram * 0x9E3779B97F4A7C15ULL) >> 55)
            while used[slot] and keys[slot] != gram:
                slot = (slot + 1) & (size - 1)
            if used[slot] and stamp[slot] != i:
                stamp[slot] = i
                shared += 1
        out[i] = shared
    return out
