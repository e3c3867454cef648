# Included by _core.pyx: in-document dedup: near pairs, sentence pieces, the walk (textclean.dedup).


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


def near_index(const uint32_t[:, ::1] signatures, const uint8_t[::1] eligible, Py_ssize_t need, Py_ssize_t limit):
    """``textclean.dedup._LocalIndex(signatures, threshold, eligible)`` made in one call
    (``need``: the agreeing positions its threshold asks for): its ``NearIndex``, its
    ``rows`` (the eligible rows, int64), its ``signatures`` (theirs, a copy the walk may
    change), its pairwise matrix ``similar`` (bool; None without rows or past ``limit``
    of them) and whether a row has a similar earlier row (its ``suspects`` are not empty)."""
    cdef Py_ssize_t n = signatures.shape[0], perms = signatures.shape[1], i, k = 0, count = 0, p
    if eligible.shape[0] != n:
        raise ValueError("near_index: one eligible flag per signature row")
    for i in range(n):
        count += eligible[i] != 0
    rows_array = np.empty(count, dtype=np.int64)
    compact_array = np.full(n, -1, dtype=np.int64)
    own = np.empty((count, perms), dtype=np.uint32)
    suspect_array = np.zeros(count, dtype=np.uint8)
    cdef int64_t[::1] rows = rows_array, compact = compact_array
    cdef uint32_t[:, ::1] mine = own
    cdef uint8_t[::1] suspect = suspect_array
    for i in range(n):
        if eligible[i]:
            rows[k] = i
            compact[i] = k
            for p in range(perms):
                mine[k, p] = signatures[i, p]
            k += 1
    similar = None
    cdef bint any_suspect = False
    if 0 < count <= limit:
        similar = np.zeros((count, count), dtype=bool)
        for k in pairwise_similar(own, need, similar.view(np.uint8)):
            suspect[k] = 1
            any_suspect = True
    elif count:
        suspect[:] = 1
        any_suspect = True
    index = NearIndex(compact_array, suspect_array, None if similar is None else similar.view(np.uint8), own, need)
    return index, rows_array, own, similar, any_suspect


cdef inline bint _sentence_end(Py_UCS4 c) noexcept nogil:
    return c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0xFF1B or c == 0x21 or c == 0x3F or c == 0x3B  # 。！？；!?;


cdef inline bint _closing_quote(Py_UCS4 c) noexcept nogil:
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
            tc_min_into(&self.sigs[c, 0], &signatures[r, 0], self.perms)
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


cdef int _reserve(void **buffer, Py_ssize_t *capacity, Py_ssize_t needed, size_t item) except -1:
    """Room for ``needed`` items of ``item`` bytes in ``buffer[0]`` (grown by realloc, at least doubling)."""
    cdef Py_ssize_t grown_capacity
    cdef void *grown
    if needed <= capacity[0]:
        return 0
    grown_capacity = max(needed, 2 * capacity[0])
    grown = realloc(buffer[0], grown_capacity * item)
    if grown == NULL:
        raise MemoryError()
    buffer[0] = grown
    capacity[0] = grown_capacity
    return 0


def sign_paragraphs(list texts, const uint8_t[::1] kind, const uint32_t[::1] start, const uint8_t[::1] size,
                    const uint32_t[::1] chars, bint simplify, const uint8_t[::1] bitmap,
                    const uint32_t[::1] simple_keys, const uint32_t[::1] simple_values, int n,
                    const uint32_t[::1] a, const uint32_t[::1] b, Py_ssize_t min_near_chars,
                    Py_ssize_t min_near_sentence):
    """``textclean.dedup._sign_reference`` in one pass: each text's sentence pieces (as
    ``sentence_pieces``), each piece's key (``fold_keys``, then, with ``simplify``, each
    character whose bit is set in ``bitmap`` replaced as ``simplify`` does), the
    signature of every non-empty key (``char_signatures``), each paragraph's signature
    (the minimum over its keys' rows; zeros without any), whether each paragraph's keys
    reach ``min_near_chars`` characters, and whether each signed key is a sentence of
    at least ``min_near_sentence`` characters. None when a piece holds a character the
    table does not fold alone (kind 3, outside the BMP): the caller takes the reference."""
    cdef list pieces = [], keys = [], long_keys = [], paragraph, paragraph_keys
    cdef unicode text, key
    cdef Py_ssize_t count = len(texts), perms = a.shape[0], t, i, begin, length, j, m, lo, hi, mid, total
    cdef Py_ssize_t used = 0, capacity = 4096, signed = 0, ends_capacity = 256, longest = 0, r, first, p
    cdef Py_ssize_t simple_count = simple_keys.shape[0], q
    cdef Py_UCS4 c
    cdef uint32_t v
    cdef uint8_t k
    cdef bint is_sentence
    cdef int text_kind
    cdef const void *data
    cdef uint32_t *points = <uint32_t *> malloc(capacity * sizeof(uint32_t))
    cdef Py_ssize_t *ends = <Py_ssize_t *> malloc(ends_capacity * sizeof(Py_ssize_t))  # end of each signed key
    cdef uint8_t *sentence = <uint8_t *> malloc(ends_capacity)  # ... whether it is a long sentence
    cdef Py_ssize_t *firsts = <Py_ssize_t *> malloc((count + 1) * sizeof(Py_ssize_t))  # each text's first row
    cdef uint32_t *hashes = NULL
    cdef uint32_t[:, ::1] signatures, paragraph_signatures
    cdef uint32_t *target
    cdef const uint32_t *row
    cdef Py_ssize_t sentence_capacity = ends_capacity
    try:
        if points == NULL or ends == NULL or sentence == NULL or firsts == NULL:
            raise MemoryError()
        for t in range(count):
            text = texts[t]
            length = len(text)
            text_kind = PyUnicode_KIND(text)
            data = PyUnicode_DATA(text)
            paragraph = []
            paragraph_keys = []
            firsts[t] = signed
            total = 0
            i = 0
            begin = 0
            while begin < length:
                # the next piece: up to a run of sentence ends and the closing quotes after it, or the end
                i = begin
                while i < length and not _sentence_end(PyUnicode_READ(text_kind, data, i)):
                    i += 1
                is_sentence = i < length
                while i < length and _sentence_end(PyUnicode_READ(text_kind, data, i)):
                    i += 1
                while is_sentence and i < length and _closing_quote(PyUnicode_READ(text_kind, data, i)):
                    i += 1
                paragraph.append((text[begin:i], is_sentence))
                _reserve(<void **> &points, &capacity, used + 18 * (i - begin) + 1, sizeof(uint32_t))  # NFKC: at most 18 of one
                j = used
                for m in range(begin, i):
                    c = PyUnicode_READ(text_kind, data, m)
                    if c > 0xFFFF:
                        return None
                    k = kind[c]
                    if k == 0:
                        points[j] = c
                        j += 1
                    elif k == 2:
                        for q in range(size[c]):
                            points[j] = chars[start[c] + q]
                            j += 1
                    elif k == 3:
                        return None
                if simplify:
                    for m in range(used, j):
                        v = points[m]
                        if bitmap[v >> 3] & (1 << (v & 7)):
                            lo, hi = 0, simple_count
                            while lo < hi:
                                mid = (lo + hi) >> 1
                                if simple_keys[mid] < v:
                                    lo = mid + 1
                                else:
                                    hi = mid
                            if lo < simple_count and simple_keys[lo] == v:
                                points[m] = simple_values[lo]
                key = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, points + used, j - used)
                paragraph_keys.append(key)
                total += j - used
                if j > used:  # a signed key: its points stay in the buffer
                    if signed == ends_capacity:
                        _reserve(<void **> &sentence, &sentence_capacity, signed + 1, 1)
                        _reserve(<void **> &ends, &ends_capacity, signed + 1, sizeof(Py_ssize_t))
                    ends[signed] = j
                    sentence[signed] = is_sentence and j - used >= min_near_sentence
                    longest = max(longest, j - used)
                    signed += 1
                    used = j
                begin = i
            pieces.append(paragraph)
            keys.append(paragraph_keys)
            long_keys.append(total >= min_near_chars)
        firsts[count] = signed
        signatures_array = np.empty((signed, perms), dtype=np.uint32)
        long_sentences = np.zeros(signed, dtype=bool)
        paragraph_array = np.zeros((count, perms), dtype=np.uint32)
        signatures = signatures_array
        paragraph_signatures = paragraph_array
        hashes = <uint32_t *> malloc((longest + 1) * sizeof(uint32_t))
        if hashes == NULL:
            raise MemoryError()
        with nogil:
            begin = 0
            for r in range(signed):
                m = tc_char_shingles(points + begin, ends[r] - begin, n, hashes)
                tc_minhash(hashes, m, &a[0], &b[0], &signatures[r, 0], perms)
                begin = ends[r]
            for t in range(count):
                first = firsts[t]
                if first == firsts[t + 1]:
                    continue
                target = &paragraph_signatures[t, 0]
                row = &signatures[first, 0]
                for p in range(perms):
                    target[p] = row[p]
                for r in range(first + 1, firsts[t + 1]):
                    tc_min_into(target, &signatures[r, 0], perms)
        for r in range(signed):
            if sentence[r]:
                long_sentences[r] = True
        return pieces, keys, signatures_array, paragraph_array, long_keys, long_sentences
    finally:
        free(points)
        free(ends)
        free(sentence)
        free(firsts)
        free(hashes)
