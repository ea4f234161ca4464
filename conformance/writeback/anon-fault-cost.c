/*
 * What a first-touch anonymous page fault costs on this machine, as the conformance case
 * memcg-anon-swap takes it: a child in a cgroup v1 memory group of its own writes one byte to
 * each page of a private anonymous mapping (as the harness's op_write does), and takes
 * CLOCK_MONOTONIC and CLOCK_THREAD_CPUTIME_ID every 512 pages. The group's limit is above the
 * mapping, so nothing is reclaimed: the figures are the fault path alone (the fault, the memcg
 * charge, clear_page, the LRU add). Prints one JSON object: per 512 pages the wall and CPU
 * microseconds a page, and the medians.
 *
 * Usage: anon-fault-cost [PAGES]   (default 16384; root, cgroup v1 memory at /sys/fs/cgroup/memory)
 * Build: cc -O2 -Wall -o /tmp/afc anon-fault-cost.c
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-anon-fault-cost"
#define STEP 512

static void put(const char *path, const char *v) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(v, f) < 0 || fclose(f) != 0) { perror(path); exit(1); }
}

static double now(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    long pages = argc > 1 ? atol(argv[1]) : 16384, n = pages / STEP;
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror(CG); return 1; }
    char lim[32];
    snprintf(lim, sizeof lim, "%ld", (pages + 4096) * 4096);
    put(CG "/memory.limit_in_bytes", lim);
    double *res = mmap(NULL, (size_t)n * 2 * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid = fork();
    if (pid == 0) {
        char me[32];
        snprintf(me, sizeof me, "%d", (int)getpid());
        put(CG "/cgroup.procs", me);
        volatile char *a = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a == MAP_FAILED) _exit(1);
        for (long s = 0; s < n; s++) {
            double w = now(CLOCK_MONOTONIC), c = now(CLOCK_THREAD_CPUTIME_ID);
            for (long i = s * STEP; i < (s + 1) * STEP; i++) a[i * 4096] = 0x5a;
            res[2 * s] = (now(CLOCK_MONOTONIC) - w) / STEP;
            res[2 * s + 1] = (now(CLOCK_THREAD_CPUTIME_ID) - c) / STEP;
        }
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    rmdir(CG);
    double *wall = malloc(n * sizeof(double)), *cpu = malloc(n * sizeof(double));
    printf("{\"pages\": %ld, \"step\": %d, \"wall_us\": [", pages, STEP);
    for (long s = 0; s < n; s++) printf("%s%.2f", s ? ", " : "", wall[s] = res[2 * s]);
    printf("], \"cpu_us\": [");
    for (long s = 0; s < n; s++) printf("%s%.2f", s ? ", " : "", cpu[s] = res[2 * s + 1]);
    qsort(wall, n, sizeof(double), cmp);
    qsort(cpu, n, sizeof(double), cmp);
    printf("], \"wall_us_median\": %.2f, \"cpu_us_median\": %.2f}\n", wall[n / 2], cpu[n / 2]);
    return 0;
}
