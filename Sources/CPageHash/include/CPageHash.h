#ifndef CPAGEHASH_H
#define CPAGEHASH_H

#include <stddef.h>
#include <stdint.h>

/// XXH64 with seed 0 of `count` blocks of `length` bytes each: `hashes[i]` is exactly
/// `XXH64(blocks[i], length, 0)`, the function whose low 32 bits are the kernel's KSM checksum
/// (`calc_checksum()` in mm/ksm.c).
///
/// XXH64 is a chain of 64-bit multiplies per block, so one block runs at the latency of that
/// chain; on CPUs with AVX-512 (F and DQ, checked at run time) 16 blocks are hashed at once,
/// 2 a vector register, which is 2-3 times faster. Elsewhere, or when `length` is not a
/// multiple of 32, each block goes through libxxhash's XXH64.
void ksmscope_xxh64_blocks(const void *const *blocks, size_t count, size_t length, uint64_t *hashes);

/// XXH3-64 of `length` bytes with `seed`: exactly libxxhash's `XXH3_64bits_withSeed`,
/// computed with AVX2 when the CPU has it (Debian's libxxhash is built for SSE2 only).
uint64_t ksmscope_xxh3_64(const void *data, size_t length, uint64_t seed);

/// XXH3-64 (seed 0) of data given in pieces, as libxxhash's streaming `XXH3_64bits_update`
/// computes it, with AVX2 where the CPU has it: the checksum of fingerprint files.
/// `ksmscope_xxh3_stream_create` returns a reset state (NULL when out of memory).
void *ksmscope_xxh3_stream_create(void);
void ksmscope_xxh3_stream_update(void *state, const void *data, size_t length);
uint64_t ksmscope_xxh3_stream_digest(const void *state);
void ksmscope_xxh3_stream_free(void *state);

/// The implementations chosen on this CPU, for reports and benchmarks: "avx512" or "scalar"
/// for XXH64 blocks, "avx2" or "libxxhash" (its own build: SSE2 on Debian x86-64) for XXH3.
const char *ksmscope_xxh64_blocks_implementation(void);
const char *ksmscope_xxh3_implementation(void);

/// Whether the CPU and the kernel support the AVX-512 (F, DQ) and AVX2 paths.
int ksmscope_cpu_has_avx512(void);
int ksmscope_cpu_has_avx2(void);

/// The individual paths, for tests that check each against libxxhash. The AVX-512 and AVX2
/// ones must only be called when the functions above say the CPU has them.
void ksmscope_xxh64_blocks_scalar(const void *const *blocks, size_t count, size_t length, uint64_t *hashes);
void ksmscope_xxh64_blocks_avx512(const void *const *blocks, size_t count, size_t length, uint64_t *hashes);
uint64_t ksmscope_xxh3_64_avx2(const void *data, size_t length, uint64_t seed);
void *ksmscope_xxh3_stream_create_avx2(void);
void ksmscope_xxh3_stream_update_avx2(void *state, const void *data, size_t length);
uint64_t ksmscope_xxh3_stream_digest_avx2(const void *state);
void ksmscope_xxh3_stream_free_avx2(void *state);

#endif
