/* Hot loops of the compiled core in plain C, called from _core.pyx.
 *
 * Portable: built with -O3 and no CPU flags. On x86-64 with GCC the MinHash loop is
 * also compiled for AVX2 and the right copy is chosen when the library loads
 * (target_clones: runtime dispatch), since the baseline (SSE2) has no 32-bit
 * vector multiply. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define TC_DISPATCH __attribute__((target_clones("avx2", "default")))
#else
#define TC_DISPATCH
#endif

/* Zeroed memory for a big hash table (free() releases it). On Linux a table of 2 MB or more
 * is 2 MB aligned and advised to use huge pages: a lookup at a random slot of a table of
 * tens of MB then misses the TLB far less often (one entry per 2 MB instead of per 4 KB).
 * Where the system says no, the advice is ignored and the memory is the same. */
static void *tc_table_alloc(size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (bytes >= huge) {
        void *p = NULL;
        if (posix_memalign(&p, huge, bytes) != 0)
            return NULL;
        (void)madvise(p, bytes, MADV_HUGEPAGE);  /* before the pages are touched */
        memset(p, 0, bytes);
        return p;
    }
#endif
    return calloc(1, bytes);
}

/* A hint to fetch the cache line at p (no effect where the compiler has no such builtin). */
#if defined(__GNUC__) || defined(__clang__)
#define TC_PREFETCH(p) __builtin_prefetch(p)
#else
#define TC_PREFETCH(p) ((void)0)
#endif

static inline uint32_t tc_fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    h ^= h >> 16;
    return h;
}

/* row[p] = min over the count hashes h of (a[p] * h + b[p]) mod 2**32.
 * TC_MINHASH_BLOCK permutations at a time, all hashes through each block: the block's
 * minima stay in vector registers (4 AVX2 registers of 8) and each hash is loaded once
 * per block. A sentence has few shingles (tens), too few for a loop over the hashes
 * alone to fill the vectors: ~3x faster than one permutation at a time at 20-40. */
#define TC_MINHASH_BLOCK 32
TC_DISPATCH
static void tc_minhash(const uint32_t *hashes, size_t count, const uint32_t *a, const uint32_t *b,
                       uint32_t *row, size_t perms) {
    size_t p = 0;
    for (; p + TC_MINHASH_BLOCK <= perms; p += TC_MINHASH_BLOCK) {
        uint32_t best[TC_MINHASH_BLOCK], ap[TC_MINHASH_BLOCK], bp[TC_MINHASH_BLOCK];
        for (size_t k = 0; k < TC_MINHASH_BLOCK; k++) {
            best[k] = 0xFFFFFFFFU;
            ap[k] = a[p + k];
            bp[k] = b[p + k];
        }
        for (size_t i = 0; i < count; i++) {
            const uint32_t h = hashes[i];
            for (size_t k = 0; k < TC_MINHASH_BLOCK; k++) {
                uint32_t value = ap[k] * h + bp[k];
                best[k] = value < best[k] ? value : best[k];
            }
        }
        memcpy(row + p, best, sizeof best);
    }
    for (; p < perms; p++) {  /* the permutations past the last whole block */
        const uint32_t ap = a[p], bp = b[p];
        uint32_t best = 0xFFFFFFFFU;
        for (size_t i = 0; i < count; i++) {
            uint32_t value = ap * hashes[i] + bp;
            best = value < best ? value : best;
        }
        row[p] = best;
    }
}

/* The folded, finalised hash of every character n-gram of points[0:length]
 * (one hash of the whole key when it is shorter than n); returns how many. */
static size_t tc_char_shingles(const uint32_t *points, size_t length, size_t n, uint32_t *out) {
    const uint64_t offset = 0xCBF29CE484222325ULL, multiplier = 0x100000001B3ULL;
    size_t windows = length >= n ? length - n + 1 : 1, span = length >= n ? n : length;
    for (size_t i = 0; i < windows; i++) {
        uint64_t h = offset;
        for (size_t j = 0; j < span; j++) h = (h ^ points[i + j]) * multiplier;
        out[i] = tc_fmix32((uint32_t)((h ^ (h >> 32)) & 0xFFFFFFFFULL));
    }
    return windows;
}

/* target[0:width] = the element-wise minimum of target and row: branch free, so that it
 * vectorises (a branch per element mispredicted often on fresh signatures: ~2 ns each). */
TC_DISPATCH
static void tc_min_into(uint32_t *target, const uint32_t *row, size_t width) {
    for (size_t j = 0; j < width; j++) {
        uint32_t a = row[j], b = target[j];
        target[j] = a < b ? a : b;
    }
}
