// XXH3-64 compiled with AVX2 for CPUs that have it (chosen at run time in PageHash.c): the
// same function as libxxhash's, from its own header, inlined here with its AVX2 accumulator.
// Elsewhere the same functions call libxxhash as built (PageHash.c never chooses them there).
#include "CPageHash.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>
#pragma clang attribute pop
#else
#include <xxhash.h>
#endif

uint64_t ksmscope_xxh3_64_avx2(const void *data, size_t length, uint64_t seed) {
    return XXH3_64bits_withSeed(data, length, seed);
}

void *ksmscope_xxh3_stream_create_avx2(void) {
    XXH3_state_t *state = XXH3_createState();
    if (state) XXH3_64bits_reset(state);
    return state;
}

void ksmscope_xxh3_stream_update_avx2(void *state, const void *data, size_t length) {
    XXH3_64bits_update((XXH3_state_t *)state, data, length);
}

uint64_t ksmscope_xxh3_stream_digest_avx2(const void *state) {
    return XXH3_64bits_digest((const XXH3_state_t *)state);
}

void ksmscope_xxh3_stream_free_avx2(void *state) { XXH3_freeState((XXH3_state_t *)state); }
