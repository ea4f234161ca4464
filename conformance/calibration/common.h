/* Shared helpers for the calibration microbenchmarks (conformance/calibration). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define KB 1024UL
#define MB (1024UL * KB)
#define GB (1024UL * MB)
#define HPAGE (2 * MB)

static inline double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* CPU time of this thread (user + system), ns: unlike now_ns(), it leaves out the time the thread
 * waited for a CPU while other processes ran (it includes time the vCPU stalled in the
 * hypervisor, which the guest cannot tell apart). */
static inline double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* An anonymous private area of len bytes starting on a 2 MiB boundary, advised
 * MADV_HUGEPAGE (huge != 0) or MADV_NOHUGEPAGE, not yet faulted. */
static char *map_area(size_t len, int huge) {
    char *raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) { perror("mmap"); exit(1); }
    char *p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
    if (p != raw) munmap(raw, p - raw);
    size_t tail = (raw + len + HPAGE) - (p + len);
    if (tail) munmap(p + len, tail);
    if (madvise(p, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) { perror("madvise"); exit(1); }
    return p;
}

/* kB of AnonHugePages of this process (smaps_rollup), to check that THP was used. */
static long anon_huge_kb(void) {
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* kB of AnonHugePages of the mapping that holds p (/proc/self/smaps): how much of an area THP
 * backs. -1 if not found. */
static long area_huge_kb(const void *p) {
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    unsigned long lo, hi;
    int in = 0;
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) { in = lo <= (uintptr_t)p && (uintptr_t)p < hi; continue; }
        if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) break;
    }
    fclose(f);
    return kb;
}

static uint64_t rng_state = 88172645463325252ULL;
static inline uint64_t xorshift(void) {
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return rng_state;
}
