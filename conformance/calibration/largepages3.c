/* largepages3, the benchmark of the THP commit (seeds/004), ported: the same five phases on
 * an anonymous area of SIZE bytes, timed in microseconds as the original prints them.
 * Differences from the original: mmap (2 MiB aligned, as thp_get_unmapped_area would place
 * it) instead of malloc, so that madvise(MADV_HUGEPAGE) or madvise(MADV_NOHUGEPAGE) (argv[1]:
 * "on" or "off") selects THP with enabled=madvise; clock_gettime(CLOCK_MONOTONIC) instead of
 * gettimeofday; argv[2] (optional) is the size in MiB, 3072 by default. Output is one JSON
 * object. */
#include "common.h"

static double us(double t0) { return (now_ns() - t0) / 1000.0; }

int main(int argc, char **argv) {
    int huge = argc > 1 && strcmp(argv[1], "on") == 0;
    size_t size = (argc > 2 ? strtoul(argv[2], NULL, 10) : 3072) * MB;
    char *p = map_area(size, huge), *p2;
    double t0, c0, t[5], c[5];
#define PHASE(i, body) c0 = cpu_ns(); t0 = now_ns(); body; t[i] = us(t0); c[i] = (cpu_ns() - c0) / 1000.0
    PHASE(0, memset(p, 0, size));
    long huge_kb = anon_huge_kb();
    PHASE(1, memset(p, 0, size));
    PHASE(2, memset(p, 0, size));
    PHASE(3, for (p2 = p; p2 < p + size; p2 += 4096) *(volatile char *)p2 = 0);
    PHASE(4, for (p2 = p; p2 < p + size; p2 += 4096) *(volatile char *)p2 = 0);
    printf("{\"thp\": \"%s\", \"size_mib\": %zu, \"anon_huge_kb\": %ld, \"memset page fault\": %.0f, "
           "\"memset tlb miss\": %.0f, \"memset second tlb miss\": %.0f, \"random access tlb miss\": %.0f, "
           "\"random access second tlb miss\": %.0f, \"cpu_us\": [%.0f, %.0f, %.0f, %.0f, %.0f]}\n",
           huge ? "on" : "off", size / MB, huge_kb, t[0], t[1], t[2], t[3], t[4], c[0], c[1], c[2], c[3], c[4]);
    return 0;
}
