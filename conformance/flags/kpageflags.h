/* What pagecache-marks.c and pagecache-marks-tmpfs.c share: a page-cache page's flags from
 * /proc/kpageflags, found through /proc/self/pagemap of a MAP_POPULATE read-only mapping of it
 * (whose fault adds one mark of its own), and their printing as one JSON member. Run as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define KPF_REFERENCED 2
#define KPF_LRU 5
#define KPF_ACTIVE 6

static uint64_t flags_of(int fd, off_t off) {
    void *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, off);
    if (m == MAP_FAILED) { perror("mmap"); exit(1); }
    uint64_t e = 0, f = 0;
    int pm = open("/proc/self/pagemap", O_RDONLY);
    pread(pm, &e, 8, ((uintptr_t) m / PAGE) * 8);
    close(pm);
    uint64_t pfn = e & ((1ULL << 55) - 1);
    int kf = open("/proc/kpageflags", O_RDONLY);
    pread(kf, &f, 8, pfn * 8);
    close(kf);
    munmap(m, PAGE);
    return f;
}

static void show(const char *name, uint64_t f, int last) {
    printf("  \"%s\": {\"referenced\": %d, \"active\": %d, \"lru\": %d}%s\n", name,
           (int) (f >> KPF_REFERENCED & 1), (int) (f >> KPF_ACTIVE & 1), (int) (f >> KPF_LRU & 1), last ? "" : ",");
}
