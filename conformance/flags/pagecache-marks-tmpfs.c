/* What a full-page write() of a tmpfs page not yet allocated (a hole) leaves in its flags
 * (PG_referenced, PG_active), as /proc/kpageflags shows them through a MAP_POPULATE read-only
 * mapping, whose fault adds one mark of its own (pagecache-marks.c: "mapping_only"). The same
 * question as pagecache-marks.c's "write_miss" for a disk file, on shmem's write path. A tmpfs
 * page cannot be dropped from the cache, so every case writes into a hole. Run as root; prints
 * one JSON object. */
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

int main(void) {
    char path[] = "/dev/shm/pcmarksXXXXXX";
    int fd = mkstemp(path);
    char buf[PAGE];
    memset(buf, 0x5a, PAGE);
    ftruncate(fd, 8 * PAGE); /* holes: no page cached */
    pwrite(fd, buf, PAGE, 0); /* a full-page write() into a hole: a new page */
    uint64_t written = flags_of(fd, 0);
    pwrite(fd, buf, PAGE, 1 * PAGE);
    pread(fd, buf, PAGE, 1 * PAGE); /* write miss, then one read */
    uint64_t written_read = flags_of(fd, PAGE);
    pwrite(fd, buf, PAGE, 2 * PAGE);
    pwrite(fd, buf, PAGE, 2 * PAGE); /* write miss, then a write hit */
    uint64_t written_twice = flags_of(fd, 2 * PAGE);
    printf("{\n");
    show("write_miss", written, 0);
    show("write_miss_then_read", written_read, 0);
    show("write_miss_then_write", written_twice, 1);
    printf("}\n");
    unlink(path);
    return 0;
}
