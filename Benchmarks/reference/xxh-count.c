// xxh-count: the C reference that ksmscope's scan is measured against (see compare.sh).
//
// It does only the cheapest possible version of phase one of a scan, with no byte
// verification and no KSM model:
//   * every argument is a file, or a folder whose regular files are taken sorted by name
//     (hidden files included, sub-folders skipped), as ksmscope does;
//   * each file is read with pread(2) in 1 MiB chunks into a per-thread buffer;
//   * THREADS (default 2, -t N) POSIX threads share the work by ALTERNATE CHUNKS: for every
//     file in order, thread t reads chunks t, t+T, t+2T, ... (so both threads stream through
//     the same file at once and finish it together; file sizes do not unbalance them);
//   * every whole 4096-byte page is hashed with XXH64(page, 4096, 0) from libxxhash (the bytes
//     after the last whole page of a file are ignored, as ksmscope does);
//   * each thread counts its hashes in its OWN open-addressing table (linear probing,
//     16-byte slots {hash, count}, power-of-two size >= 2x the pages of the whole set, so no
//     resizing and load <= 0.5); after pthread_join the tables of threads 1..T-1 are merged
//     into thread 0's table, single-threaded. No atomics, no locks.
// It prints one line: pages, distinct hashes, duplicate pages, bytes, threads, wall time.
// Wall time runs from before the first open() to after the merge.
//
// Build: cc -O2 -pthread -o xxh-count xxh-count.c -lxxhash
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define PAGE 4096u
#define CHUNK (1u << 20)

typedef struct slot {
    uint64_t hash;
    uint64_t count; /* 0: empty */
} slot;

typedef struct table {
    slot *slots;
    uint64_t mask;
    uint64_t distinct;
} table;

typedef struct file {
    const char *path;
    int fd;
    uint64_t size;
} file;

typedef struct worker {
    pthread_t thread;
    unsigned index;
    unsigned threads;
    const file *files;
    size_t file_count;
    table tab;
    uint64_t pages;
    int error;
} worker;

static int table_init(table *t, uint64_t capacity) {
    uint64_t size = 1024;
    while (size < capacity) size <<= 1;
    t->slots = calloc(size, sizeof(slot));
    t->mask = size - 1;
    t->distinct = 0;
    return t->slots ? 0 : -1;
}

static inline void table_add(table *t, uint64_t hash, uint64_t count) {
    uint64_t i = hash & t->mask;
    for (;;) {
        slot *s = &t->slots[i];
        if (s->count == 0) {
            s->hash = hash;
            s->count = count;
            t->distinct++;
            return;
        }
        if (s->hash == hash) {
            s->count += count;
            return;
        }
        i = (i + 1) & t->mask;
    }
}

static void *work(void *arg) {
    worker *w = arg;
    unsigned char *buf = aligned_alloc(PAGE, CHUNK);
    if (!buf) {
        w->error = ENOMEM;
        return NULL;
    }
    for (size_t f = 0; f < w->file_count; f++) {
        const file *file = &w->files[f];
        uint64_t whole = file->size / PAGE * PAGE;
        for (uint64_t off = (uint64_t)w->index * CHUNK; off < whole; off += (uint64_t)w->threads * CHUNK) {
            size_t want = whole - off < CHUNK ? (size_t)(whole - off) : CHUNK;
            size_t got = 0;
            while (got < want) {
                ssize_t n = pread(file->fd, buf + got, want - got, (off_t)(off + got));
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) {
                    w->error = n < 0 ? errno : EIO;
                    free(buf);
                    return NULL;
                }
                got += (size_t)n;
            }
            for (size_t p = 0; p < want; p += PAGE) table_add(&w->tab, XXH64(buf + p, PAGE, 0), 1);
            w->pages += want / PAGE;
        }
    }
    free(buf);
    return NULL;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/// Appends `path` (a file) or the sorted regular files directly inside it (a folder).
static int expand(const char *path, char ***out, size_t *count, size_t *cap) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "xxh-count: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, ncap = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            fprintf(stderr, "xxh-count: %s: %s\n", path, strerror(errno));
            return -1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char *full;
            if (asprintf(&full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name) < 0) return -1;
            struct stat fst;
            if (stat(full, &fst) != 0 || !S_ISREG(fst.st_mode)) {
                free(full);
                continue;
            }
            if (n == ncap) names = realloc(names, (ncap = ncap ? 2 * ncap : 16) * sizeof *names);
            names[n++] = full;
        }
        closedir(d);
        qsort(names, n, sizeof *names, by_name);
    } else {
        names = malloc(sizeof *names);
        names[n++] = strdup(path);
    }
    for (size_t i = 0; i < n; i++) {
        if (*count == *cap) *out = realloc(*out, (*cap = *cap ? 2 * *cap : 16) * sizeof **out);
        (*out)[(*count)++] = names[i];
    }
    free(names);
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    unsigned threads = 2;
    char **paths = NULL;
    size_t path_count = 0, path_cap = 0;
    int argi = 1;
    if (argi + 1 < argc && strcmp(argv[argi], "-t") == 0) {
        threads = (unsigned)strtoul(argv[argi + 1], NULL, 10);
        argi += 2;
    }
    if (argi >= argc || threads == 0) {
        fprintf(stderr, "usage: xxh-count [-t THREADS] FILE-OR-FOLDER...\n");
        return 64;
    }
    for (; argi < argc; argi++)
        if (expand(argv[argi], &paths, &path_count, &path_cap) != 0) return 1;

    double start = now();
    file *files = calloc(path_count, sizeof *files);
    uint64_t total_pages = 0, total_bytes = 0;
    for (size_t i = 0; i < path_count; i++) {
        struct stat st;
        files[i].path = paths[i];
        files[i].fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (files[i].fd < 0 || fstat(files[i].fd, &st) != 0) {
            fprintf(stderr, "xxh-count: %s: %s\n", paths[i], strerror(errno));
            return 1;
        }
        files[i].size = (uint64_t)st.st_size;
        total_pages += files[i].size / PAGE;
        total_bytes += files[i].size / PAGE * PAGE;
    }
    worker *workers = calloc(threads, sizeof *workers);
    for (unsigned t = 0; t < threads; t++) {
        workers[t] = (worker){.index = t, .threads = threads, .files = files, .file_count = path_count};
        if (table_init(&workers[t].tab, 2 * total_pages) != 0) {
            fprintf(stderr, "xxh-count: out of memory\n");
            return 1;
        }
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "xxh-count: cannot start thread\n");
            return 1;
        }
    }
    uint64_t pages = 0;
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(workers[t].thread, NULL);
        if (workers[t].error) {
            fprintf(stderr, "xxh-count: read failed: %s\n", strerror(workers[t].error));
            return 1;
        }
        pages += workers[t].pages;
    }
    table *merged = &workers[0].tab;
    for (unsigned t = 1; t < threads; t++) {
        const table *other = &workers[t].tab;
        for (uint64_t i = 0; i <= other->mask; i++)
            if (other->slots[i].count) table_add(merged, other->slots[i].hash, other->slots[i].count);
    }
    double wall = now() - start;
    printf("pages=%llu distinct=%llu duplicates=%llu bytes=%llu files=%zu threads=%u wall_s=%.6f\n",
           (unsigned long long)pages, (unsigned long long)merged->distinct,
           (unsigned long long)(pages - merged->distinct), (unsigned long long)total_bytes, path_count, threads, wall);
    return 0;
}
