// XXH64 of many blocks at once with AVX-512 (F and DQ for the 64-bit multiply).
//
// XXH64 keeps four 64-bit accumulators per block and runs each 32-byte stripe through
// `acc = rotl(acc + input * PRIME64_2, 31) * PRIME64_1`: a chain of multiplies whose latency,
// not the CPU's width, bounds one block. Here one 512-bit register holds the four
// accumulators of two blocks, and eight registers (16 blocks) are in flight, enough to cover
// the multiply's latency. The result is exactly XXH64 (seed 0); the final merge and avalanche
// run per block in scalar code, as in xxhash.h (XXH64_endian_align, XXH64_finalize for a length
// that is a multiple of 32).
#if defined(__x86_64__)
#include "CPageHash.h"

#include <immintrin.h>

#define PRIME64_1 0x9E3779B185EBCA87ULL
#define PRIME64_2 0xC2B2AE3D27D4EB4FULL
#define PRIME64_3 0x165667B19E3779F9ULL
#define PRIME64_4 0x85EBCA77C2B2AE63ULL

static inline uint64_t rotate_left(uint64_t value, int bits) { return (value << bits) | (value >> (64 - bits)); }

static inline uint64_t round64(uint64_t accumulator, uint64_t input) {
    accumulator += input * PRIME64_2;
    return rotate_left(accumulator, 31) * PRIME64_1;
}

static inline uint64_t merge_round(uint64_t accumulator, uint64_t value) {
    accumulator ^= round64(0, value);
    return accumulator * PRIME64_1 + PRIME64_4;
}

// The end of XXH64 for a length that is a multiple of 32 and at least 32, seed 0.
static inline uint64_t finish(const uint64_t lanes[4], size_t length) {
    uint64_t hash = rotate_left(lanes[0], 1) + rotate_left(lanes[1], 7) + rotate_left(lanes[2], 12) +
                    rotate_left(lanes[3], 18);
    for (int lane = 0; lane < 4; lane++) hash = merge_round(hash, lanes[lane]);
    hash += length;
    hash ^= hash >> 33;
    hash *= PRIME64_2;
    hash ^= hash >> 29;
    hash *= PRIME64_3;
    hash ^= hash >> 32;
    return hash;
}

// 2 * REGISTERS blocks; the loops over registers unroll, so each size is its own function.
__attribute__((target("avx512f,avx512dq"), always_inline)) static inline void
hash_lanes(const void *const *blocks, size_t length, uint64_t *hashes, const int registers) {
    const __m512i prime1 = _mm512_set1_epi64((long long)PRIME64_1);
    const __m512i prime2 = _mm512_set1_epi64((long long)PRIME64_2);
    // Seed 0: lanes start at PRIME1 + PRIME2, PRIME2, 0, -PRIME1 (low element first).
    const __m512i start = _mm512_set_epi64(
        (long long)(0 - PRIME64_1), 0, (long long)PRIME64_2, (long long)(PRIME64_1 + PRIME64_2),
        (long long)(0 - PRIME64_1), 0, (long long)PRIME64_2, (long long)(PRIME64_1 + PRIME64_2));
    __m512i accumulators[8];
    const char *bytes[16];
    for (int index = 0; index < registers; index++) accumulators[index] = start;
    for (int index = 0; index < 2 * registers; index++) bytes[index] = (const char *)blocks[index];
    for (size_t offset = 0; offset < length; offset += 32) {
        for (int index = 0; index < registers; index++) {
            __m256i low = _mm256_loadu_si256((const __m256i *)(bytes[2 * index] + offset));
            __m256i high = _mm256_loadu_si256((const __m256i *)(bytes[2 * index + 1] + offset));
            __m512i input = _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
            __m512i accumulator = _mm512_add_epi64(accumulators[index], _mm512_mullo_epi64(input, prime2));
            accumulators[index] = _mm512_mullo_epi64(_mm512_rol_epi64(accumulator, 31), prime1);
        }
    }
    for (int index = 0; index < registers; index++) {
        uint64_t lanes[8];
        _mm512_storeu_si512((void *)lanes, accumulators[index]);
        hashes[2 * index] = finish(lanes, length);
        hashes[2 * index + 1] = finish(lanes + 4, length);
    }
}

__attribute__((target("avx512f,avx512dq"))) static void hash16(const void *const *blocks, size_t length, uint64_t *hashes) {
    hash_lanes(blocks, length, hashes, 8);
}

__attribute__((target("avx512f,avx512dq"))) static void hash8(const void *const *blocks, size_t length, uint64_t *hashes) {
    hash_lanes(blocks, length, hashes, 4);
}

__attribute__((target("avx512f,avx512dq"))) static void hash4(const void *const *blocks, size_t length, uint64_t *hashes) {
    hash_lanes(blocks, length, hashes, 2);
}

__attribute__((target("avx512f,avx512dq"))) static void hash2(const void *const *blocks, size_t length, uint64_t *hashes) {
    hash_lanes(blocks, length, hashes, 1);
}

void ksmscope_xxh64_blocks_avx512(const void *const *blocks, size_t count, size_t length, uint64_t *hashes) {
    if (length < 32 || length % 32 != 0) {
        ksmscope_xxh64_blocks_scalar(blocks, count, length, hashes);
        return;
    }
    size_t done = 0;
    for (; count - done >= 16; done += 16) hash16(blocks + done, length, hashes + done);
    if (count - done >= 8) { hash8(blocks + done, length, hashes + done); done += 8; }
    if (count - done >= 4) { hash4(blocks + done, length, hashes + done); done += 4; }
    if (count - done >= 2) { hash2(blocks + done, length, hashes + done); done += 2; }
    if (count - done == 1) ksmscope_xxh64_blocks_scalar(blocks + done, 1, length, hashes + done);
}

#endif
