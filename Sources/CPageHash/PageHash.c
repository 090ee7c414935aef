// Run-time choice of the page hash implementations: see CPageHash.h.
#include "CPageHash.h"

#include <xxhash.h>

#if defined(__x86_64__)
int ksmscope_cpu_has_avx512(void) {
    // libgcc's and compiler-rt's CPU model also check (XGETBV) that the kernel saves the
    // AVX-512 state, so a feature the OS does not enable reads as absent.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

int ksmscope_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#else
// Other architectures: the portable paths only (the vector paths are x86-64 code).
int ksmscope_cpu_has_avx512(void) { return 0; }
int ksmscope_cpu_has_avx2(void) { return 0; }
void ksmscope_xxh64_blocks_avx512(const void *const *blocks, size_t count, size_t length, uint64_t *hashes) {
    ksmscope_xxh64_blocks_scalar(blocks, count, length, hashes);
}
#endif

void ksmscope_xxh64_blocks_scalar(const void *const *blocks, size_t count, size_t length, uint64_t *hashes) {
    for (size_t index = 0; index < count; index++) hashes[index] = XXH64(blocks[index], length, 0);
}

typedef void (*blocks_function)(const void *const *, size_t, size_t, uint64_t *);
typedef uint64_t (*xxh3_function)(const void *, size_t, uint64_t);

static uint64_t xxh3_baseline(const void *data, size_t length, uint64_t seed) {
    return XXH3_64bits_withSeed(data, length, seed);
}

// Chosen on first use; a race only stores the same pointer twice.
static blocks_function chosen_blocks;
static xxh3_function chosen_xxh3;

static blocks_function blocks_implementation(void) {
    blocks_function function = __atomic_load_n(&chosen_blocks, __ATOMIC_RELAXED);
    if (!function) {
        function = ksmscope_cpu_has_avx512() ? ksmscope_xxh64_blocks_avx512 : ksmscope_xxh64_blocks_scalar;
        __atomic_store_n(&chosen_blocks, function, __ATOMIC_RELAXED);
    }
    return function;
}

static xxh3_function xxh3_implementation(void) {
    xxh3_function function = __atomic_load_n(&chosen_xxh3, __ATOMIC_RELAXED);
    if (!function) {
        function = ksmscope_cpu_has_avx2() ? ksmscope_xxh3_64_avx2 : xxh3_baseline;
        __atomic_store_n(&chosen_xxh3, function, __ATOMIC_RELAXED);
    }
    return function;
}

void ksmscope_xxh64_blocks(const void *const *blocks, size_t count, size_t length, uint64_t *hashes) {
    blocks_implementation()(blocks, count, length, hashes);
}

uint64_t ksmscope_xxh3_64(const void *data, size_t length, uint64_t seed) {
    return xxh3_implementation()(data, length, seed);
}

const char *ksmscope_xxh64_blocks_implementation(void) {
    return blocks_implementation() == ksmscope_xxh64_blocks_avx512 ? "avx512" : "scalar";
}

const char *ksmscope_xxh3_implementation(void) {
    return xxh3_implementation() == ksmscope_xxh3_64_avx2 ? "avx2" : "libxxhash";
}

// A state is only ever used with the implementation that made it: the choice is made once.
void *ksmscope_xxh3_stream_create(void) {
    if (xxh3_implementation() == ksmscope_xxh3_64_avx2) return ksmscope_xxh3_stream_create_avx2();
    XXH3_state_t *state = XXH3_createState();
    if (state) XXH3_64bits_reset(state);
    return state;
}

void ksmscope_xxh3_stream_update(void *state, const void *data, size_t length) {
    if (xxh3_implementation() == ksmscope_xxh3_64_avx2) {
        ksmscope_xxh3_stream_update_avx2(state, data, length);
    } else {
        XXH3_64bits_update((XXH3_state_t *)state, data, length);
    }
}

uint64_t ksmscope_xxh3_stream_digest(const void *state) {
    if (xxh3_implementation() == ksmscope_xxh3_64_avx2) return ksmscope_xxh3_stream_digest_avx2(state);
    return XXH3_64bits_digest((const XXH3_state_t *)state);
}

void ksmscope_xxh3_stream_free(void *state) {
    if (xxh3_implementation() == ksmscope_xxh3_64_avx2) {
        ksmscope_xxh3_stream_free_avx2(state);
    } else {
        XXH3_freeState((XXH3_state_t *)state);
    }
}
