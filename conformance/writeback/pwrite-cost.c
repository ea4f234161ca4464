/*
 * What a write() of one 4 KiB page into the page cache costs in CPU on this machine: a child in a
 * memory cgroup of its own (cgroup v1, no limit unless the second argument is 1: 32 MiB, the
 * conformance case memcg-page-cache-reclaim) writes a 64 MiB file on the probe's file system a
 * page at a time with pwrite(), taking CLOCK_THREAD_CPUTIME_ID and CLOCK_MONOTONIC before each
 * page into memory the parent touched first (so charged to the parent's group). Prints, for each
 * 512 pages, the CPU and wall microseconds a page, and the median CPU figure of the 32.
 * Needs root and cgroup v1 memory at /sys/fs/cgroup/memory.
 * Build: cc -O2 -o /tmp/pwc pwrite-cost.c; run: /tmp/pwc [directory, default /var/tmp] [limit 0|1]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-pwc-probe"
#define PAGES 16384
#define EVERY 512

static long clk(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    int limit = argc > 2 ? atoi(argv[2]) : 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/vmsim-pwc-%d", dir, (int) getpid());
    long *ts = mmap(NULL, sizeof(long) * 2 * (PAGES + 1), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(ts, 0, sizeof(long) * 2 * (PAGES + 1));
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror(path); return 1; }
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    if (limit) {
        FILE *f = fopen(CG "/memory.limit_in_bytes", "w");
        fprintf(f, "%d\n", 32 << 20);
        fclose(f);
    }
    pid_t pid = fork();
    if (pid == 0) {
        char b[32];
        int c = open(CG "/cgroup.procs", O_WRONLY);
        int n = snprintf(b, sizeof b, "%d\n", getpid());
        if (write(c, b, n) != n) _exit(2);
        close(c);
        static char page[4096];
        memset(page, 0x5a, sizeof page);
        for (long p = 0; p < PAGES; p++) {
            ts[2 * p] = clk(CLOCK_MONOTONIC);
            ts[2 * p + 1] = clk(CLOCK_THREAD_CPUTIME_ID);
            if (pwrite(fd, page, sizeof page, p * 4096) != sizeof page) _exit(3);
        }
        ts[2 * PAGES] = clk(CLOCK_MONOTONIC);
        ts[2 * PAGES + 1] = clk(CLOCK_THREAD_CPUTIME_ID);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    double cpu[PAGES / EVERY];
    printf("{\"limit_mib\": %d, \"every\": %d, \"samples\": [\n", limit ? 32 : 0, EVERY);
    for (int i = EVERY, k = 0; i <= PAGES; i += EVERY, k++) {
        cpu[k] = (ts[2 * i + 1] - ts[2 * (i - EVERY) + 1]) / (EVERY * 1e3);
        printf("  {\"page\": %d, \"cpu_us_per_page\": %.2f, \"wall_us_per_page\": %.2f}%s\n", i, cpu[k],
               (ts[2 * i] - ts[2 * (i - EVERY)]) / (EVERY * 1e3), i < PAGES ? "," : "");
    }
    qsort(cpu, PAGES / EVERY, sizeof *cpu, cmp);
    printf("], \"median_cpu_us_per_page\": %.2f, \"child\": %d}\n", (cpu[PAGES / EVERY / 2 - 1] + cpu[PAGES / EVERY / 2]) / 2,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    ftruncate(fd, 0);
    close(fd);
    unlink(path);
    rmdir(CG);
    return 0;
}
