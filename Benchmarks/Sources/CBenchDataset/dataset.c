// Deterministic guest-memory image sets for ksmscope's benchmarks.
//
// Every page's kind and content follow from (seed, image, page) alone, through splitmix64,
// so a set is the same bytes on every machine and every run. Page contents are filled with
// xorshift64* output: about 0.3 s of CPU for 2 GiB, so writing the files dominates.
//
// Kinds (shares are configurable, see ksmbench_mix):
//   zero    all-zero page
//   shared  content drawn from one pool for the whole set; each pool entry appears about
//           `shared_copies` times, in random images at random addresses
//   intra   content drawn from a pool private to the image; each entry appears about
//           `intra_copies` times in that image only
//   unique  content keyed by (image, page): occurs once
//
// Built two ways: as the SwiftPM target CBenchDataset (library, used by the Scan benchmark)
// and, with -DKSMBENCH_MAIN, as the command-line tool `make-dataset` that compare.sh uses.
#include "include/CBenchDataset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096u
#define CHUNK_PAGES 256u /* 1 MiB writes */

enum kind { KIND_ZERO, KIND_SHARED, KIND_INTRA, KIND_UNIQUE };

static inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void ksmbench_fill_page(uint64_t key, void *page) {
    uint64_t s = splitmix64(key) | 1;
    uint64_t *words = page;
    for (unsigned i = 0; i < PAGE / 8; i++) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        words[i] = s * 0x2545F4914F6CDD1Dull;
    }
}

ksmbench_spec ksmbench_default_spec(unsigned images, uint64_t image_bytes) {
    ksmbench_spec spec = {
        .images = images,
        .image_bytes = image_bytes,
        .mix = {.zero = 0.35, .shared = 0.30, .intra = 0.10, .unique = 0.25},
        .shared_copies = 4,
        .intra_copies = 2,
        .seed = 0x6B736D73636F7065ull, /* "ksmscope" */
    };
    return spec;
}

/// Cumulative thresholds on [0, 2^53) for the page kinds.
typedef struct plan {
    uint64_t cut[3];
    uint64_t pages_per_image;
    uint64_t shared_pool;
    uint64_t intra_pool;
} plan;

static int make_plan(const ksmbench_spec *spec, plan *p, char *error, size_t error_size) {
    const ksmbench_mix *m = &spec->mix;
    double sum = m->zero + m->shared + m->intra + m->unique;
    if (spec->images == 0 || spec->image_bytes < PAGE || spec->image_bytes % PAGE != 0) {
        snprintf(error, error_size, "need at least one image of a positive multiple of %u bytes", PAGE);
        return -1;
    }
    if (m->zero < 0 || m->shared < 0 || m->intra < 0 || m->unique < 0 || !(sum > 0)) {
        snprintf(error, error_size, "page shares must be >= 0 and not all zero");
        return -1;
    }
    if (spec->shared_copies < 2 || spec->intra_copies < 2) {
        snprintf(error, error_size, "copies per shared or intra content must be at least 2");
        return -1;
    }
    const double scale = 9007199254740992.0; /* 2^53 */
    double acc = 0;
    acc += m->zero / sum;
    p->cut[0] = (uint64_t)(acc * scale);
    acc += m->shared / sum;
    p->cut[1] = (uint64_t)(acc * scale);
    acc += m->intra / sum;
    p->cut[2] = (uint64_t)(acc * scale);
    p->pages_per_image = spec->image_bytes / PAGE;
    uint64_t total = p->pages_per_image * spec->images;
    double shared = (double)total * m->shared / sum / spec->shared_copies;
    double intra = (double)p->pages_per_image * m->intra / sum / spec->intra_copies;
    p->shared_pool = shared < 1 ? 1 : (uint64_t)shared;
    p->intra_pool = intra < 1 ? 1 : (uint64_t)intra;
    return 0;
}

/// The kind of one page, the key of its content and, for pooled kinds, its pool entry.
static inline enum kind classify(const ksmbench_spec *spec, const plan *p, uint64_t image, uint64_t page,
                                 uint64_t *key, uint64_t *entry) {
    uint64_t h = splitmix64(spec->seed ^ splitmix64(image * 0x100000001B3ull ^ (page << 20) ^ page));
    uint64_t u = h >> 11;
    uint64_t r = splitmix64(h);
    if (u < p->cut[0]) return KIND_ZERO;
    if (u < p->cut[1]) {
        *entry = r % p->shared_pool;
        *key = splitmix64(spec->seed ^ 0x5348415245440000ull) ^ *entry;
        return KIND_SHARED;
    }
    if (u < p->cut[2]) {
        *entry = r % p->intra_pool;
        *key = splitmix64(spec->seed ^ 0x494E545241000000ull ^ (image << 40)) ^ *entry;
        return KIND_INTRA;
    }
    *key = splitmix64(spec->seed ^ 0x554E495155450000ull ^ (image << 40)) ^ page;
    return KIND_UNIQUE;
}

/// Counts pages by kind, and distinct contents: the zero page, each pool entry drawn at least
/// once, each unique page. Distinct keys give distinct pages (xorshift64* streams seeded by
/// splitmix64, a bijection), so this is what a byte-exact scan must find.
typedef struct counter {
    ksmbench_counts counts;
    uint8_t *shared_seen; /* one flag per shared-pool entry */
    uint8_t *intra_seen;  /* one flag per intra-pool entry of the current image */
    uint64_t intra_pool;
} counter;

static int counter_init(counter *c, const plan *p) {
    memset(c, 0, sizeof *c);
    c->counts.shared_pool = p->shared_pool;
    c->counts.intra_pool = p->intra_pool;
    c->intra_pool = p->intra_pool;
    c->shared_seen = calloc(p->shared_pool, 1);
    c->intra_seen = calloc(p->intra_pool, 1);
    return c->shared_seen && c->intra_seen ? 0 : -1;
}

static void counter_free(counter *c) {
    free(c->shared_seen);
    free(c->intra_seen);
}

/// Call before the first page of each image: intra-image pools are per image.
static void counter_next_image(counter *c) { memset(c->intra_seen, 0, c->intra_pool); }

static void counter_add(counter *c, enum kind k, uint64_t entry) {
    ksmbench_counts *n = &c->counts;
    n->pages++;
    switch (k) {
    case KIND_ZERO:
        if (n->zero++ == 0) n->distinct++;
        break;
    case KIND_SHARED:
        n->shared++;
        if (!c->shared_seen[entry]) c->shared_seen[entry] = 1, n->distinct++;
        break;
    case KIND_INTRA:
        n->intra++;
        if (!c->intra_seen[entry]) c->intra_seen[entry] = 1, n->distinct++;
        break;
    case KIND_UNIQUE:
        n->unique++;
        n->distinct++;
        break;
    }
}

static void describe(const ksmbench_spec *spec, char *out, size_t size) {
    snprintf(out, size,
             "ksmbench-dataset v1\nimages %u\nimage_bytes %llu\nzero %.6f\nshared %.6f\nintra %.6f\nunique %.6f\n"
             "shared_copies %u\nintra_copies %u\nseed %llu\n",
             spec->images, (unsigned long long)spec->image_bytes, spec->mix.zero, spec->mix.shared, spec->mix.intra,
             spec->mix.unique, spec->shared_copies, spec->intra_copies, (unsigned long long)spec->seed);
}

static void image_path(const char *dir, unsigned image, char *out, size_t size) {
    snprintf(out, size, "%s/image-%02u.raw", dir, image);
}

static int stamp_matches(const char *dir, const ksmbench_spec *spec) {
    char expected[1024], found[1024], path[4096];
    describe(spec, expected, sizeof expected);
    snprintf(path, sizeof path, "%s.params", dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(found, 1, sizeof found - 1, f);
    fclose(f);
    found[n] = 0;
    if (strcmp(found, expected) != 0) return 0;
    for (unsigned i = 0; i < spec->images; i++) {
        struct stat st;
        image_path(dir, i, path, sizeof path);
        if (stat(path, &st) != 0 || (uint64_t)st.st_size != spec->image_bytes) return 0;
    }
    return 1;
}

static int write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int ksmbench_ensure_set(const char *dir, const ksmbench_spec *spec, int force, int *reused,
                        ksmbench_counts *counts, char *error, size_t error_size) {
    plan p;
    if (make_plan(spec, &p, error, error_size) != 0) return -1;
    counter c;
    unsigned char *buf = NULL;
    int fd = -1;
    if (counter_init(&c, &p) != 0) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    char path[4096], tmp[4200];
    int keep = !force && stamp_matches(dir, spec);
    if (reused) *reused = keep;
    if (keep) {
        uint64_t key, entry = 0;
        for (unsigned i = 0; i < spec->images; i++) {
            counter_next_image(&c);
            for (uint64_t pg = 0; pg < p.pages_per_image; pg++) {
                enum kind k = classify(spec, &p, i, pg, &key, &entry);
                counter_add(&c, k, entry);
            }
        }
        if (counts) *counts = c.counts;
        counter_free(&c);
        return 0;
    }
    /* mkdir -p for the last two levels is enough for /tmp/ksmscope-bench/<size>. */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        mkdir(parent, 0755);
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(error, error_size, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    snprintf(path, sizeof path, "%s.params", dir);
    unlink(path);
    buf = aligned_alloc(PAGE, (size_t)CHUNK_PAGES * PAGE);
    if (!buf) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    for (unsigned i = 0; i < spec->images; i++) {
        image_path(dir, i, path, sizeof path);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            snprintf(error, error_size, "%s: %s", tmp, strerror(errno));
            goto fail;
        }
        counter_next_image(&c);
        for (uint64_t pg = 0; pg < p.pages_per_image; pg += CHUNK_PAGES) {
            uint64_t n = p.pages_per_image - pg < CHUNK_PAGES ? p.pages_per_image - pg : CHUNK_PAGES;
            for (uint64_t j = 0; j < n; j++) {
                uint64_t key = 0, entry = 0;
                enum kind k = classify(spec, &p, i, pg + j, &key, &entry);
                counter_add(&c, k, entry);
                if (k == KIND_ZERO)
                    memset(buf + j * PAGE, 0, PAGE);
                else
                    ksmbench_fill_page(key, buf + j * PAGE);
            }
            if (write_all(fd, buf, (size_t)n * PAGE) != 0) {
                snprintf(error, error_size, "%s: %s", tmp, strerror(errno));
                goto fail;
            }
        }
        int closed = close(fd);
        fd = -1;
        if (closed != 0 || rename(tmp, path) != 0) {
            snprintf(error, error_size, "%s: %s", path, strerror(errno));
            goto fail;
        }
    }
    free(buf);
    buf = NULL;
    /* Remove images left over from a larger earlier set, so the folder holds this set only. */
    for (unsigned i = spec->images; i < 1000; i++) {
        image_path(dir, i, path, sizeof path);
        if (unlink(path) != 0) break;
    }
    char text[1024];
    describe(spec, text, sizeof text);
    snprintf(path, sizeof path, "%s.params", dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        snprintf(error, error_size, "%s: cannot write stamp", path);
        goto fail;
    }
    if (counts) *counts = c.counts;
    counter_free(&c);
    return 0;
fail:
    if (fd >= 0) close(fd);
    free(buf);
    counter_free(&c);
    return -1;
}

int64_t ksmbench_warm_set(const char *dir, unsigned images, int reload, char *error, size_t error_size) {
    char path[4096];
    int64_t total = 0;
    unsigned char *buf = malloc((size_t)CHUNK_PAGES * PAGE);
    if (!buf) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < images; i++) {
        image_path(dir, i, path, sizeof path);
        int fd = open(path, reload ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(error, error_size, "%s: %s", path, strerror(errno));
            free(buf);
            return -1;
        }
        if (reload) {
            /* Written pages are dirty and cannot be dropped: flush them first. */
            fdatasync(fd);
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        }
        ssize_t n;
        while ((n = read(fd, buf, (size_t)CHUNK_PAGES * PAGE)) > 0) total += n;
        close(fd);
    }
    free(buf);
    return total;
}

#ifdef KSMBENCH_MAIN
static void usage(FILE *to) {
    fputs("usage: make-dataset [options] DIR\n"
          "Writes a deterministic set of raw guest images DIR/image-NN.raw (stamp: DIR.params).\n"
          "  --images N          images in the set (default 8)\n"
          "  --total-gib G       total size, split evenly over the images (default 2)\n"
          "  --image-mib M       size of each image instead of --total-gib\n"
          "  --zero F --shared F --intra F --unique F\n"
          "                      page shares (default 0.35 0.30 0.10 0.25; normalised)\n"
          "  --shared-copies K   average copies of a shared-pool content (default 4)\n"
          "  --intra-copies K    average copies of an intra-image content (default 2)\n"
          "  --seed S            (default 0x6B736D73636F7065)\n"
          "  --force             rewrite even if the stamp matches\n"
          "  --warm              then read the set into the page cache\n"
          "  --reload            then drop the set from the page cache and read it back (readahead's\n"
          "                      large folios, as for images read from disk, not the small folios\n"
          "                      that writing leaves: an mmap reader faults ~3x less on the former)\n",
          to);
}

int main(int argc, char **argv) {
    ksmbench_spec spec = ksmbench_default_spec(8, 0);
    double total_gib = 2, image_mib = 0;
    int force = 0, warm = 0, reload = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v && ++i)
        if (OPT("--images")) spec.images = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--total-gib")) total_gib = strtod(v, NULL);
        else if (OPT("--image-mib")) image_mib = strtod(v, NULL);
        else if (OPT("--zero")) spec.mix.zero = strtod(v, NULL);
        else if (OPT("--shared")) spec.mix.shared = strtod(v, NULL);
        else if (OPT("--intra")) spec.mix.intra = strtod(v, NULL);
        else if (OPT("--unique")) spec.mix.unique = strtod(v, NULL);
        else if (OPT("--shared-copies")) spec.shared_copies = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--intra-copies")) spec.intra_copies = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--seed")) spec.seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "--force") == 0) force = 1;
        else if (strcmp(a, "--warm") == 0) warm = 1;
        else if (strcmp(a, "--reload") == 0) warm = reload = 1;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { usage(stdout); return 0; }
        else if (a[0] != '-' && !dir) dir = a;
        else { usage(stderr); return 64; }
#undef OPT
    }
    if (!dir || spec.images == 0) { usage(stderr); return 64; }
    double bytes = image_mib > 0 ? image_mib * 1048576.0 : total_gib * 1073741824.0 / spec.images;
    spec.image_bytes = (uint64_t)(bytes / PAGE) * PAGE;
    char error[512];
    int reused = 0;
    ksmbench_counts c;
    if (ksmbench_ensure_set(dir, &spec, force, &reused, &c, error, sizeof error) != 0) {
        fprintf(stderr, "make-dataset: %s\n", error);
        return 1;
    }
    printf("%s %s: %u images x %llu bytes, pages %llu: zero %llu, shared %llu (pool %llu), intra %llu (pool %llu per "
           "image), unique %llu, distinct %llu\n",
           reused ? "kept" : "wrote", dir, spec.images, (unsigned long long)spec.image_bytes,
           (unsigned long long)c.pages, (unsigned long long)c.zero, (unsigned long long)c.shared,
           (unsigned long long)c.shared_pool, (unsigned long long)c.intra, (unsigned long long)c.intra_pool,
           (unsigned long long)c.unique, (unsigned long long)c.distinct);
    if (warm && ksmbench_warm_set(dir, spec.images, reload, error, sizeof error) < 0) {
        fprintf(stderr, "make-dataset: %s\n", error);
        return 1;
    }
    return 0;
}
#endif
