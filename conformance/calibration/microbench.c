/* Per-event costs of this machine, for vmsim's cost model (conformance/calibration/README.md).
 * Prints one JSON object; every figure is the median of REPS runs, with min and max. Times are
 * the thread's CPU time (cpu_ns), so that the time other processes hold the CPU is left out:
 * the machine's two cores are shared. */
#include "common.h"
#include <unistd.h>

#define REPS 5

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef double (*bench_fn)(void);

static void report(const char *name, bench_fn f, int last) {
    double v[REPS];
    for (int i = 0; i < REPS; i++) v[i] = f();
    qsort(v, REPS, sizeof v[0], cmp);
    printf("  \"%s\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}%s\n", name, v[REPS / 2], v[0],
           v[REPS - 1], last ? "" : ",");
    fflush(stdout);
}

/* ns per 4 KiB write fault (MADV_NOHUGEPAGE): fault handling + clear_page + page-table pages. */
static double fault_4k(void) {
    size_t len = 512 * MB;
    sleep(3);
    char *p = map_area(len, 0);
    double t0 = cpu_ns();
    for (size_t o = 0; o < len; o += 4096) p[o] = 1;
    double t = cpu_ns() - t0;
    munmap(p, len);
    return t / (len / 4096);
}

/* The same, but of memory this process faulted and freed just before: the guest's free pages are
 * returned to the hypervisor (virtio-balloon free page reporting, page_reporting_order 9) about
 * 2 s after they are freed, so fault_4k (run after a 3 s pause) also pays the hypervisor's fault
 * on first touch of guest memory, and this one (no pause) does not. */
static double fault_4k_reused(void) {
    size_t len = 512 * MB;
    char *p = map_area(len, 0);
    for (size_t o = 0; o < len; o += 4096) p[o] = 1;
    munmap(p, len);
    p = map_area(len, 0);
    double t0 = cpu_ns();
    for (size_t o = 0; o < len; o += 4096) p[o] = 1;
    double t = cpu_ns() - t0;
    munmap(p, len);
    return t / (len / 4096);
}

static double fault_2m_reused(void) {
    size_t len = 1 * GB;
    char *p = map_area(len, 1);
    for (size_t o = 0; o < len; o += HPAGE) p[o] = 1;
    munmap(p, len);
    p = map_area(len, 1);
    double t0 = cpu_ns();
    for (size_t o = 0; o < len; o += HPAGE) p[o] = 1;
    double t = cpu_ns() - t0;
    munmap(p, len);
    return t / (len / HPAGE);
}

/* ns per 2 MiB write fault (MADV_HUGEPAGE): fault handling + clear_huge_page. */
static double fault_2m(void) {
    size_t len = 1 * GB;
    sleep(3);
    char *p = map_area(len, 1);
    long before = anon_huge_kb();
    double t0 = cpu_ns();
    for (size_t o = 0; o < len; o += HPAGE) p[o] = 1;
    double t = cpu_ns() - t0;
    long got = anon_huge_kb() - before;
    if (got < (long)(len / KB) * 9 / 10) fprintf(stderr, "fault_2m: only %ld kB huge\n", got);
    munmap(p, len);
    return t / (len / HPAGE);
}

static char *big;            /* 1 GiB, THP, faulted: memory that is not in any cache */
static size_t big_len = 1 * GB;

/* ns to memset one 4 KiB page of cold memory (each page once, in order, 1 GiB). */
static double zero_4k_cold(void) {
    double t0 = cpu_ns();
    for (size_t o = 0; o < big_len; o += 4096) memset(big + o, 0, 4096);
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(big) : "memory");
    return t / (big_len / 4096);
}

/* ns to memset one 2 MiB page of cold memory. */
static double zero_2m_cold(void) {
    double t0 = cpu_ns();
    for (size_t o = 0; o < big_len; o += HPAGE) memset(big + o, 0, HPAGE);
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(big) : "memory");
    return t / (big_len / HPAGE);
}

/* ns to memset the same 4 KiB again and again (in L1). */
static double zero_4k_hot(void) {
    int n = 200000;
    double t0 = cpu_ns();
    for (int i = 0; i < n; i++) { memset(big, i, 4096); __asm__ volatile("" ::"r"(big) : "memory"); }
    return (cpu_ns() - t0) / n;
}

/* ns per 64-byte line of one memset() of the whole 1 GiB (THP: no 4 KiB TLB misses). */
static double memset_line(void) {
    double t0 = cpu_ns();
    memset(big, 0, big_len);
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(big) : "memory");
    return t / (big_len / 64);
}

/* Pointer chase: one node per page of an area of npages pages of 4 KiB, at a line offset that
 * varies with the page (to spread the cache sets), pages in a random cyclic order. Returns the
 * ns per hop over hops hops after one warm-up lap. */
static double chase(char *p, size_t npages, size_t hops) {
    size_t *order = malloc(npages * sizeof *order);
    for (size_t i = 0; i < npages; i++) order[i] = i;
    for (size_t i = npages - 1; i > 0; i--) {
        size_t j = xorshift() % (i + 1), t = order[i];
        order[i] = order[j]; order[j] = t;
    }
#define NODE(i) ((void **)(p + order[i] * 4096 + ((order[i] * 64) & 4095)))
    for (size_t i = 0; i < npages; i++) *NODE(i) = NODE((i + 1) % npages);
    void **q = NODE(0);
#undef NODE
    free(order);
    for (size_t i = 0; i < npages; i++) q = *q;
    double t0 = cpu_ns();
    for (size_t i = 0; i < hops; i++) q = *q;
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(q));
    return t / hops;
}

static double chase_area(size_t len, int huge, size_t hops) {
    char *p = map_area(len, huge);
    memset(p, 1, len);
    double r = chase(p, len / 4096, hops);
    munmap(p, len);
    return r;
}

/* Hot: 32 pages (128 KiB, lines in L1/L2, every translation in the L1 DTLB). */
static double chase_l1tlb_4k(void) { return chase_area(32 * 4096, 0, 20000000); }
/* L1 DTLB misses that hit the L2 TLB: 1024 pages of 4 KiB (4 MiB), lines in L2. */
static double chase_stlb_4k(void) { return chase_area(1024 * 4096, 0, 20000000); }
static double chase_stlb_2m(void) { return chase_area(1024 * 4096, 1, 20000000); }
/* L2 TLB misses whose walk finds the page-table entries in the caches: 64 MiB (16,384 pages,
 * 128 KiB of PTEs, 1 MiB of touched lines). The 2 MiB run (32 huge pages) misses no TLB. */
static double chase_walk_warm_4k(void) { return chase_area(64 * MB, 0, 20000000); }
static double chase_walk_warm_2m(void) { return chase_area(64 * MB, 1, 20000000); }
/* Cold: 4 GiB, 1,048,576 pages, 8 MiB of PTEs, 64 MiB of touched lines (beyond the caches):
 * every hop misses to DRAM; with 4 KiB pages it also misses the TLB and walks to a PTE that is
 * mostly not cached. The 2 MiB run is the DRAM latency (2,048 huge-page translations). */
static double chase_walk_cold_4k(void) { return chase_area(4 * GB, 0, 4000000); }
static double chase_dram_2m(void) { return chase_area(4 * GB, 1, 4000000); }

/* Independent (overlapping) store misses: one byte written per 4 KiB page of 1 GiB of cold,
 * THP-backed memory, pages in a random order (no prefetcher can follow it): ns per store. */
static size_t *perm;
static int store_rep;
static double store_miss_random_in(char *area) {
    size_t n = big_len / 4096;
    size_t shift = 8 * store_rep++; /* other lines each run, so no run finds the last one's in L3 */
    double t0 = cpu_ns();
    for (size_t i = 0; i < n; i++) area[perm[i] * 4096 + 64 * ((i + shift) & 63)] = 0;
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(area) : "memory");
    return t / n;
}
static double store_miss_random(void) { return store_miss_random_in(big); }

/* The same stores, in the same page order, on 1 GiB of 4 KiB pages (MADV_NOHUGEPAGE, faulted):
 * each store also misses the TLBs (262,144 pages, far beyond the 4,096-entry L2 TLB) and walks,
 * while the other stores' misses are in flight. Minus store_miss_random, it is what a TLB miss
 * adds to an independent store miss: the walk's cost not hidden under the overlapping misses. */
static char *small;
static double store_miss_random_4k(void) { return store_miss_random_in(small); }

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {
        /* ns per hop against the number of 4 KiB pages chased, 4 KiB and 2 MiB pages: where
         * the two part is where the L1 DTLB and then the L2 TLB run out. */
        printf("{");
        for (size_t n = 32; n <= 32768; n *= 2)
            printf("%s\"%zu\": [%.3f, %.3f]", n > 32 ? ", " : "", n, chase_area(n * 4096, 0, 10000000),
                   chase_area(n * 4096 < HPAGE ? HPAGE : n * 4096, 1, 10000000));
        printf("}\n");
        return 0;
    }
    printf("{\n");
    report("fault_4k_ns", fault_4k, 0);
    report("fault_4k_reused_ns", fault_4k_reused, 0);
    report("fault_2m_ns", fault_2m, 0);
    report("fault_2m_reused_ns", fault_2m_reused, 0);
    big = map_area(big_len, 1);
    memset(big, 1, big_len);
    if (anon_huge_kb() < (long)(big_len / KB) * 9 / 10) fprintf(stderr, "big area not THP\n");
    report("memset_cold_4k_ns", zero_4k_cold, 0);
    report("memset_cold_2m_ns", zero_2m_cold, 0);
    report("memset_hot_4k_ns", zero_4k_hot, 0);
    report("memset_1g_ns_per_line", memset_line, 0);
    perm = malloc(big_len / 4096 * sizeof *perm);
    for (size_t i = 0; i < big_len / 4096; i++) perm[i] = i;
    for (size_t i = big_len / 4096 - 1; i > 0; i--) {
        size_t j = xorshift() % (i + 1), t = perm[i];
        perm[i] = perm[j]; perm[j] = t;
    }
    report("store_miss_random_ns", store_miss_random, 0);
    small = map_area(big_len, 0);
    memset(small, 1, big_len);
    report("store_miss_random_4k_ns", store_miss_random_4k, 0);
    munmap(small, big_len);
    munmap(big, big_len);
    report("chase_l1tlb_4k_ns", chase_l1tlb_4k, 0);
    report("chase_stlb_4k_ns", chase_stlb_4k, 0);
    report("chase_stlb_2m_ns", chase_stlb_2m, 0);
    report("chase_walk_warm_4k_ns", chase_walk_warm_4k, 0);
    report("chase_walk_warm_2m_ns", chase_walk_warm_2m, 0);
    report("chase_walk_cold_4k_ns", chase_walk_cold_4k, 0);
    report("chase_dram_2m_ns", chase_dram_2m, 1);
    printf("}\n");
    return 0;
}
