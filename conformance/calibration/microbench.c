/* Per-event costs of this machine, for vmsim's cost model (conformance/calibration/README.md).
 * Prints one JSON object; every figure is the median of REPS runs, with min and max. Times are
 * the thread's CPU time (cpu_ns), so that the time other processes hold the CPU is left out:
 * the machine's two cores are shared. */
#include "common.h"
#include <sys/resource.h>
#include <unistd.h>

#define REPS 5

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef double (*bench_fn)(void);

/* Checks made while an event ran, printed with it (-1: not checked): the area's AnonHugePages
 * (kB, /proc/self/smaps) and this process's minor faults during the timed loops of all REPS
 * runs (0: nothing was faulted while timed). */
static long check_huge_kb = -1, check_minflt = -1, check_settle = -1;

static long minflt(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

static void print_values(const char *name, double *v, int last) {
    qsort(v, REPS, sizeof v[0], cmp);
    printf("  \"%s\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f", name, v[REPS / 2], v[0], v[REPS - 1]);
    if (check_huge_kb >= 0) printf(", \"anon_huge_kb\": %ld", check_huge_kb);
    if (check_minflt >= 0) printf(", \"timed_minflt\": %ld", check_minflt);
    if (check_settle >= 0) printf(", \"settle_passes\": %ld", check_settle);
    printf("}%s\n", last ? "" : ",");
    fflush(stdout);
    check_huge_kb = check_minflt = check_settle = -1;
}

static void report(const char *name, bench_fn f, int last) {
    double v[REPS];
    for (int i = 0; i < REPS; i++) v[i] = f();
    print_values(name, v, last);
}

/* Two events whose difference is what the formula uses: their runs alternate (a, b, a, b, ...),
 * so that a drift of the machine's state during the measurement (the hypervisor's backing of
 * the guest's memory, another process) falls on both alike rather than on one of them. */
typedef double (*bench_rep_fn)(int rep);
static void report_pair(const char *na, bench_rep_fn a, long *huge_a, long *flt_a, long settle_a, const char *nb,
                        bench_rep_fn b, long *huge_b, long *flt_b, long settle_b, int last) {
    double va[REPS], vb[REPS];
    for (int i = 0; i < REPS; i++) { va[i] = a(i); vb[i] = b(i); }
    check_huge_kb = *huge_a; check_minflt = *flt_a; check_settle = settle_a;
    print_values(na, va, 0);
    check_huge_kb = *huge_b; check_minflt = *flt_b; check_settle = settle_b;
    print_values(nb, vb, last);
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

/* Pointer chase: one node per page of an area of npages pages of 4 KiB, pages in a random cyclic
 * order, each node at a random line of its page. Order and lines come from a fixed seed, so that
 * chases of the same number of pages follow the same pattern whatever the page size. The random
 * line (not one derived from the page number) spreads the nodes over the cache sets alike with
 * 4 KiB and 2 MiB pages: with 2 MiB pages the physical address bits above 12 are the virtual
 * ones, and a line chosen as (page x 64) mod 4096 put 16,384 nodes on 64 of a 1 MiB L2's 1,024
 * sets, while 4 KiB pages (random frames) spread them over all. Returns the first node. */
static void **chase_build(char *p, size_t npages) {
    uint64_t saved = rng_state;
    rng_state = 88172645463325252ULL;
    size_t *order = malloc(npages * sizeof *order), *line = malloc(npages * sizeof *line);
    for (size_t i = 0; i < npages; i++) order[i] = i;
    for (size_t i = npages - 1; i > 0; i--) {
        size_t j = xorshift() % (i + 1), t = order[i];
        order[i] = order[j]; order[j] = t;
    }
    for (size_t i = 0; i < npages; i++) line[i] = (xorshift() & 63) * 64;
#define NODE(i) ((void **)(p + order[i] * 4096 + line[order[i]]))
    for (size_t i = 0; i < npages; i++) *NODE(i) = NODE((i + 1) % npages);
    void **q = NODE(0);
#undef NODE
    free(order);
    free(line);
    rng_state = saved;
    return q;
}

/* ns per hop over hops hops after one warm-up lap of npages hops. */
static double chase_run(void **q, size_t npages, size_t hops) {
    for (size_t i = 0; i < npages; i++) q = *q;
    double t0 = cpu_ns();
    for (size_t i = 0; i < hops; i++) q = *q;
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(q));
    return t / hops;
}

static double chase(char *p, size_t npages, size_t hops) { return chase_run(chase_build(p, npages), npages, hops); }

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
 * 128 KiB of PTEs, 1 MiB of touched lines). The 2 MiB run (32 huge pages) misses no TLB of the
 * guest's. The two areas are mapped and faulted together, before either is timed, chased in the
 * same pattern, and their runs alternate (report_pair): the difference of the two is the
 * formula's, so nothing but the page size may differ between them. */
#define WARM_LEN (64 * MB)
static char *warm_4k, *warm_2m;
static void **warm_4k_q, **warm_2m_q;
static long warm_4k_huge, warm_2m_huge, no_flt = -1;
static double chase_walk_warm_4k(int rep) { (void)rep; return chase_run(warm_4k_q, WARM_LEN / 4096, 20000000); }
static double chase_walk_warm_2m(int rep) { (void)rep; return chase_run(warm_2m_q, WARM_LEN / 4096, 20000000); }
/* Cold: 4 GiB, 1,048,576 pages, 8 MiB of PTEs, 64 MiB of touched lines (beyond the caches):
 * every hop misses to DRAM; with 4 KiB pages it also misses the TLB and walks to a PTE that is
 * mostly not cached. The 2 MiB run is the DRAM latency (2,048 huge-page translations). */
static double chase_walk_cold_4k(void) { return chase_area(4 * GB, 0, 4000000); }
static double chase_dram_2m(void) { return chase_area(4 * GB, 1, 4000000); }

/* Independent (overlapping) store misses: one byte written per 4 KiB page of 1 GiB of cold,
 * THP-backed memory, pages in a random order (no prefetcher can follow it): ns per store. */
static size_t *perm;
static double store_pass(char *area, int rep, long *flt) {
    size_t n = big_len / 4096;
    size_t shift = 8 * rep; /* other lines each run, so no run finds the last one's in L3 */
    long f0 = minflt();
    double t0 = cpu_ns();
    for (size_t i = 0; i < n; i++) area[perm[i] * 4096 + 64 * ((i + shift) & 63)] = 0;
    double t = cpu_ns() - t0;
    if (flt) *flt += minflt() - f0;
    __asm__ volatile("" ::"r"(area) : "memory");
    return t / n;
}

/* The same stores, in the same page order, on 1 GiB of 4 KiB pages (MADV_NOHUGEPAGE, faulted):
 * each store also misses the TLBs (262,144 pages, far beyond the 4,096-entry L2 TLB) and walks,
 * while the other stores' misses are in flight. Minus store_miss_random, it is what a TLB miss
 * adds to an independent store miss: the walk's cost not hidden under the overlapping misses. */
static char *small;
static long big_huge, small_huge, big_flt, small_flt, big_settle, small_settle;

/* Untimed passes of the store pattern over a faulted area until two in a row agree within 5%
 * (at most 20): the first passes after the area's faults run slower (the hypervisor's side of
 * first touch), and the timed runs must not include that. Returns the passes made. */
static long settle(char *area) {
    double last = store_pass(area, 63, NULL);
    for (long k = 2; k <= 20; k++) {
        double t = store_pass(area, 63 - (int)k, NULL);
        if (t < last * 1.05 && t > last / 1.05) return k;
        last = t;
    }
    return 20;
}
static double store_miss_random(int rep) { return store_pass(big, 2 * rep, &big_flt); }
static double store_miss_random_4k(int rep) { return store_pass(small, 2 * rep + 1, &small_flt); }

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
    small = map_area(big_len, 0);
    memset(small, 1, big_len);
    big_huge = area_huge_kb(big);
    small_huge = area_huge_kb(small);
    big_settle = settle(big);
    small_settle = settle(small);
    report_pair("store_miss_random_ns", store_miss_random, &big_huge, &big_flt, big_settle,
                "store_miss_random_4k_ns", store_miss_random_4k, &small_huge, &small_flt, small_settle, 0);
    munmap(small, big_len);
    munmap(big, big_len);
    report("chase_l1tlb_4k_ns", chase_l1tlb_4k, 0);
    report("chase_stlb_4k_ns", chase_stlb_4k, 0);
    report("chase_stlb_2m_ns", chase_stlb_2m, 0);
    warm_4k = map_area(WARM_LEN, 0);
    warm_2m = map_area(WARM_LEN, 1);
    memset(warm_4k, 1, WARM_LEN);
    memset(warm_2m, 1, WARM_LEN);
    warm_4k_q = chase_build(warm_4k, WARM_LEN / 4096);
    warm_2m_q = chase_build(warm_2m, WARM_LEN / 4096);
    warm_4k_huge = area_huge_kb(warm_4k);
    warm_2m_huge = area_huge_kb(warm_2m);
    if (warm_2m_huge < (long)(WARM_LEN / KB)) fprintf(stderr, "chase_walk_warm_2m: only %ld kB huge\n", warm_2m_huge);
    report_pair("chase_walk_warm_4k_ns", chase_walk_warm_4k, &warm_4k_huge, &no_flt, -1,
                "chase_walk_warm_2m_ns", chase_walk_warm_2m, &warm_2m_huge, &no_flt, -1, 0);
    if (area_huge_kb(warm_2m) != warm_2m_huge) fprintf(stderr, "chase_walk_warm_2m: THP changed while timed\n");
    munmap(warm_4k, WARM_LEN);
    munmap(warm_2m, WARM_LEN);
    report("chase_walk_cold_4k_ns", chase_walk_cold_4k, 0);
    report("chase_dram_2m_ns", chase_dram_2m, 1);
    printf("}\n");
    return 0;
}
