#ifndef CBENCHDATASET_H
#define CBENCHDATASET_H

#include <stddef.h>
#include <stdint.h>

/// What share of the pages of every image is of each kind (normalised, so any positive
/// weights work): all-zero pages, pages whose content comes from a pool shared by all images,
/// pages duplicated inside their own image only, and pages that occur once.
typedef struct ksmbench_mix {
    double zero;
    double shared;
    double intra;
    double unique;
} ksmbench_mix;

/// A deterministic image set: `images` files of `image_bytes` each (a multiple of 4096).
typedef struct ksmbench_spec {
    unsigned images;
    uint64_t image_bytes;
    ksmbench_mix mix;
    /// Average copies of each shared-pool content over the whole set (>= 2).
    unsigned shared_copies;
    /// Average copies of each intra-image content inside its image (>= 2).
    unsigned intra_copies;
    uint64_t seed;
} ksmbench_spec;

/// Page counts of what was (or would be) written.
typedef struct ksmbench_counts {
    uint64_t pages;
    uint64_t zero;
    uint64_t shared;
    uint64_t intra;
    uint64_t unique;
    /// Sizes of the content pools: shared (whole set) and intra (per image).
    uint64_t shared_pool;
    uint64_t intra_pool;
    /// Distinct page contents: the zero page (if any page is zero), every pool content drawn at
    /// least once, every unique page. What a byte-exact scan reports as distinct contents.
    uint64_t distinct;
} ksmbench_counts;

/// The default mix of the issue: 35% zero, 30% shared, 10% intra-image duplicates, 25% unique.
ksmbench_spec ksmbench_default_spec(unsigned images, uint64_t image_bytes);

/// Writes the set into folder `dir` (created if missing) as image-00.raw, image-01.raw, ...,
/// unless the stamp file `<dir>.params` already describes exactly this spec and every image
/// has its size. The stamp lives beside the folder so the folder holds images only.
///
/// Returns 0 on success (`*reused` tells whether files were kept), -1 with a message in `error`.
int ksmbench_ensure_set(const char *dir, const ksmbench_spec *spec, int force, int *reused,
                        ksmbench_counts *counts, char *error, size_t error_size);

/// Reads every image of the set once (1 MiB reads) so that it sits in the page cache.
///
/// With `reload`, each file is first flushed and dropped from the page cache
/// (fdatasync + POSIX_FADV_DONTNEED), so the read brings it back through readahead, in the
/// large folios a file read from disk gets. Freshly written files sit in small folios instead,
/// and a reader that maps them takes about three times as many page faults.
/// Returns the bytes read, or -1 with a message in `error`.
int64_t ksmbench_warm_set(const char *dir, unsigned images, int reload, char *error, size_t error_size);

/// Fills `page` (4096 bytes) with the pseudo-random content identified by `key`.
void ksmbench_fill_page(uint64_t key, void *page);

#endif
