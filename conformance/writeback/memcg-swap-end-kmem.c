/*
 * What a cgroup v1 memory group holds besides the mapping at the end of the memcg-anon-swap
 * workload: a child in a group limited to 32 MiB writes one byte to each page of 64 MiB of
 * private anonymous memory (placed as the harness places it, at the start of a 1 GiB-aligned
 * range in a reserved 512 GiB), swap on, then reads, each file opened, read and closed as the harness's sysfs_ll()
 * does: memory.usage_in_bytes, memory.kmem.usage_in_bytes, memory.usage_in_bytes again,
 * memory.stat (rss, cache, swap, mapped_file, inactive_anon, active_anon), and counts the
 * mapping's resident pages with mincore(). Once the group is at its limit every charge is made
 * without the per-CPU stock (the margin is below MEMCG_CHARGE_BATCH), so usage - kmem - rss -
 * cache is what neither the user pages nor the kernel memory account for. Prints one JSON object.
 *
 * With the argument "observe" the child first reads what the harness's observe() reads before
 * the group's files: /proc/self/maps, smaps_rollup and smaps (into a 1 MiB buffer), the
 * mapping's /proc/self/pagemap entries, and /proc/kpageflags and /proc/kpagecount for each
 * present page; the difference shows what those reads leave charged.
 *
 * With the argument "nolimit" the group's limit is 128 MiB: nothing is reclaimed or swapped,
 * and the kernel memory is what the mapping costs without reclaim.
 *
 * With the argument "pipe" the child writes lines to a pipe that the parent reads meanwhile, as
 * the harness's child writes its records to the pipe its runner reads: 20 lines after joining the
 * group, 10 after every 512 pages, 20 at the end before the group's files are read.
 *
 * Usage: memcg-swap-end-kmem [observe|nolimit|pipe]   (root, cgroup v1 memory at /sys/fs/cgroup/memory, swap on)
 * Build: cc -O2 -Wall -o /tmp/msek memcg-swap-end-kmem.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-swap-end-kmem"
#define PAGES 16384L

static char buf[1 << 16];

static void put(const char *path, const char *v) {
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, v, strlen(v)) < 0) { perror(path); exit(1); }
    close(fd);
}

static long long readll(const char *path) {
    char b[128];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0) return -1;
    b[n] = 0;
    return strtoll(b, NULL, 10);
}

static long long stat_field(const char *name) {
    int fd = open(CG "/memory.stat", O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    size_t l = strlen(name);
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, name, l) == 0 && p[l] == ' ') return strtoll(p + l + 1, NULL, 10);
    return -1;
}

static unsigned char mc[PAGES];

static void lines(int fd, int n) {
    static const char l[] = "F child_after_write.a.pm_distinct_frames\ti\t7923\n";
    for (int i = 0; i < n; i++)
        if (write(fd, l, sizeof l - 1) < 0) return;
}
static char big[1 << 20];
static unsigned long long pm[PAGES];

static void slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    while (read(fd, big, sizeof big) > 0) {}
    close(fd);
}

static void observe_like_harness(volatile char *a) {
    slurp("/proc/self/maps");
    slurp("/proc/self/smaps_rollup");
    slurp("/proc/self/smaps");
    mincore((void *)a, PAGES * 4096, mc);
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0) return;
    pread(fd, pm, sizeof pm, (off_t)((unsigned long)a / 4096) * 8);
    close(fd);
    int kf = open("/proc/kpageflags", O_RDONLY), kc = open("/proc/kpagecount", O_RDONLY);
    for (long i = 0; i < PAGES; i++) {
        unsigned long long pfn = pm[i] & ((1ULL << 55) - 1), v;
        if (!(pm[i] >> 63 & 1) || !pfn) continue;
        if (kf >= 0) pread(kf, &v, 8, (off_t)pfn * 8);
        if (kc >= 0) pread(kc, &v, 8, (off_t)pfn * 8);
    }
    if (kf >= 0) close(kf);
    if (kc >= 0) close(kc);
}

int main(int argc, char **argv) {
    int obs = argc > 1 && strcmp(argv[1], "observe") == 0;
    int nolimit = argc > 1 && strcmp(argv[1], "nolimit") == 0;
    int usepipe = argc > 1 && strcmp(argv[1], "pipe") == 0;
    int pfd[2];
    if (usepipe && pipe(pfd) != 0) { perror("pipe"); return 1; }
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror(CG); return 1; }
    put(CG "/memory.limit_in_bytes", nolimit ? "134217728" : "33554432");
    long long *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    /* the harness's arena: 512 GiB reserved and given back, the mapping at the first 1 GiB
     * boundary a GiB into it (a PUD table of its own, as the case's mapping has) */
    char *r = mmap(NULL, 512UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    munmap(r, 512UL << 30);
    char *at = (char *)(((unsigned long)r + (1UL << 30) + (1UL << 30) - 1) & ~((1UL << 30) - 1));
    pid_t pid = fork();
    if (pid == 0) {
        char me[32];
        snprintf(me, sizeof me, "%d", (int)getpid());
        put(CG "/cgroup.procs", me);
        if (usepipe) { close(pfd[0]); lines(pfd[1], 20); }
        volatile char *a = mmap(at, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (a == MAP_FAILED) _exit(1);
        for (long i = 0; i < PAGES; i++) {
            a[i * 4096] = 0x5a;
            if (usepipe && i % 512 == 511) lines(pfd[1], 10);
        }
        if (usepipe) lines(pfd[1], 20);
        if (obs) observe_like_harness(a);
        res[0] = readll(CG "/memory.usage_in_bytes");
        res[1] = readll(CG "/memory.kmem.usage_in_bytes");
        res[2] = readll(CG "/memory.usage_in_bytes");
        res[3] = stat_field("rss");
        res[4] = stat_field("cache");
        res[5] = stat_field("swap");
        res[6] = stat_field("mapped_file");
        res[7] = stat_field("inactive_anon");
        res[8] = stat_field("active_anon");
        long resident = 0;
        if (mincore((void *)a, PAGES * 4096, mc) == 0)
            for (long i = 0; i < PAGES; i++) resident += mc[i] & 1;
        res[9] = resident;
        res[10] = readll(CG "/memory.failcnt");
        _exit(0);
    }
    if (usepipe) {
        close(pfd[1]);
        while (read(pfd[0], buf, sizeof buf) > 0) {}
        close(pfd[0]);
    }
    int st;
    waitpid(pid, &st, 0);
    rmdir(CG);
    printf("{\"mode\": \"%s\", \"observe\": %s, \"usage_kb\": %lld, \"kmem_kb\": %lld, \"usage_again_kb\": %lld, \"rss_kb\": %lld, \"cache_kb\": %lld, "
           "\"swap_kb\": %lld, \"mapped_file_kb\": %lld, \"inactive_anon_kb\": %lld, \"active_anon_kb\": %lld, "
           "\"mincore_resident\": %lld, \"failcnt\": %lld, \"other_kb\": %lld}\n",
           argc > 1 ? argv[1] : "plain", obs ? "true" : "false", res[0] / 1024, res[1] / 1024, res[2] / 1024, res[3] / 1024, res[4] / 1024, res[5] / 1024, res[6] / 1024,
           res[7] / 1024, res[8] / 1024, res[9], res[10], (res[0] - res[1] - res[3] - res[4]) / 1024);
    return 0;
}
