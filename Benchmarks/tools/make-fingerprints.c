// make-fingerprints: synthesizes ksmscope fingerprint files (format version 1, see
// docs/fingerprint-format.md) with a known answer, for the merge benchmark.
//
//   make-fingerprints --records N --files K --shared F --copies C OUT_DIR
//
// N records (non-zero pages) in all, split over K files OUT_DIR/synthetic-NNN.ksmfp. The first
// F x N records of the whole sequence hold F x N / C contents, each exactly C times, spread over
// the sequence (record r holds content r mod (F x N / C)), so over every file; the rest are
// unique. No zero pages. Fingerprints are splitmix64 of the content id (two different streams
// for the two hashes). Prints the expected counts for max_page_sharing >= C:
//   expected pages=N distinct=D pages_sharing=S
// Build: cc -O2 -o make-fingerprints make-fingerprints.c -lxxhash
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

static uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
static void put64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); }

int main(int argc, char **argv) {
    uint64_t records = 0, files = 1, copies = 4;
    double shared = 0.5;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--records") && i + 1 < argc) records = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--files") && i + 1 < argc) files = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--shared") && i + 1 < argc) shared = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--copies") && i + 1 < argc) copies = strtoull(argv[++i], NULL, 10);
        else if (argv[i][0] != '-') out = argv[i];
        else { fprintf(stderr, "make-fingerprints: unknown option %s\n", argv[i]); return 64; }
    }
    if (!out || records == 0 || files == 0 || copies < 2 || shared < 0 || shared > 1) {
        fprintf(stderr, "usage: make-fingerprints --records N --files K --shared F --copies C OUT_DIR\n");
        return 64;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) { perror(out); return 1; }
    uint64_t pooled = (uint64_t)(shared * (double)records) / copies * copies;
    uint64_t pool = pooled / copies;
    const char *source = "synthetic";
    size_t header_size = (96 + strlen(source) + 15) / 16 * 16;
    unsigned char *header = calloc(1, header_size);
    enum { BATCH = 65536 };
    uint64_t *buffer = malloc(BATCH * 16);
    uint64_t next = 0;
    for (uint64_t f = 0; f < files; f++) {
        uint64_t count = records / files + (f < records % files ? 1 : 0);
        char path[4096];
        snprintf(path, sizeof path, "%s/synthetic-%03llu.ksmfp", out, (unsigned long long)f);
        FILE *file = fopen(path, "wb");
        if (!file) { perror(path); return 1; }
        fwrite(header, 1, header_size, file);
        XXH3_state_t *state = XXH3_createState();
        XXH3_64bits_reset(state);
        for (uint64_t done = 0; done < count;) {
            uint64_t n = count - done < BATCH ? count - done : BATCH;
            for (uint64_t i = 0; i < n; i++, next++) {
                uint64_t content = next < pooled ? next % pool : pool + (next - pooled);
                buffer[2 * i] = mix(content * 2 + 1);
                buffer[2 * i + 1] = mix(content * 2 + 2);
            }
            XXH3_64bits_update(state, buffer, n * 16);
            if (fwrite(buffer, 16, n, file) != n) { perror(path); return 1; }
            done += n;
        }
        memcpy(header, "KSMSCFP", 8);
        put32(header + 8, 1);
        put32(header + 12, (uint32_t)header_size);
        put32(header + 16, 4096);
        put32(header + 20, 1);
        put64(header + 24, count);
        put64(header + 32, count);
        put64(header + 40, 0);
        put64(header + 48, 1);
        put64(header + 56, 0);
        put64(header + 64, 0);
        put64(header + 72, XXH3_64bits_digest(state));
        put32(header + 80, (uint32_t)strlen(source));
        put32(header + 84, 0);
        memcpy(header + 96, source, strlen(source));
        XXH3_freeState(state);
        fseek(file, 0, SEEK_SET);
        fwrite(header, 1, header_size, file);
        if (fclose(file) != 0) { perror(path); return 1; }
    }
    printf("expected pages=%llu distinct=%llu pages_sharing=%llu\n", (unsigned long long)records,
           (unsigned long long)(pool + records - pooled), (unsigned long long)(pool * (copies - 1)));
    return 0;
}
