// XXH3-64 compiled with AVX2 for CPUs that have it (chosen at run time in PageHash.c): the
// same function as libxxhash's, from its own header, inlined here with its AVX2 accumulator.
#if defined(__x86_64__)
#include "CPageHash.h"

#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>
#pragma clang attribute pop

uint64_t ksmscope_xxh3_64_avx2(const void *data, size_t length, uint64_t seed) {
    return XXH3_64bits_withSeed(data, length, seed);
}

#endif
