/*
 * What reclaim's swap writeback does under a cgroup v1 memory limit, as the write goes on:
 * a child in a memory cgroup limited to 32 MiB writes 64 MiB of private anonymous memory a page
 * at a time (as the conformance case memcg-anon-swap), and every 512 pages records the
 * /proc/vmstat deltas (pswpout, nr_vmscan_write, pgrotated, pgsteal_direct, pgscan_direct,
 * nr_writeback, nr_swapcached) and the group's counters (usage, failcnt, memory.stat swap,
 * writeback, inactive_anon, active_anon). Needs root, cgroup v1 memory at /sys/fs/cgroup/memory
 * and swap. Prints one JSON object. Build: cc -O2 -o /tmp/wb memcg-swap-writeback.c
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

#define CG "/sys/fs/cgroup/memory/vmsim-wb-probe"
#define PAGES 16384
#define EVERY 512
#define NS (PAGES / EVERY + 1)

static const char *vmkeys[] = {"pswpout", "nr_vmscan_write", "pgrotated", "pgsteal_direct", "pgscan_direct",
                               "nr_writeback", "nr_swapcached", "pgactivate", "pgdeactivate"};
#define NV (sizeof vmkeys / sizeof *vmkeys)
static const char *cgkeys[] = {"swap", "writeback", "inactive_anon", "active_anon", "pgpgout"};
#define NC (sizeof cgkeys / sizeof *cgkeys)

static char buf[1 << 16];

static long readnum(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    return atol(buf);
}

static void readkeys(const char *path, const char **keys, int nk, long *out) {
    int fd = open(path, O_RDONLY);
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    for (int i = 0; i < nk; i++) {
        out[i] = -1;
        size_t l = strlen(keys[i]);
        for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
            if (strncmp(p, keys[i], l) == 0 && p[l] == ' ') {
                out[i] = atol(p + l + 1);
                break;
            }
        }
    }
}

struct sample { long page, usage, failcnt, vm[NV], cg[NC]; };
static struct sample *samples; /* shared with the parent */

static void take(int i, long page) {
    samples[i].page = page;
    samples[i].usage = readnum(CG "/memory.usage_in_bytes");
    samples[i].failcnt = readnum(CG "/memory.failcnt");
    readkeys("/proc/vmstat", vmkeys, NV, samples[i].vm);
    readkeys(CG "/memory.stat", cgkeys, NC, samples[i].cg);
}

int main(void) {
    samples = mmap(NULL, sizeof(struct sample) * NS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    FILE *f = fopen(CG "/memory.limit_in_bytes", "w");
    fprintf(f, "%d\n", 32 << 20);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        char pidbuf[32];
        int fd = open(CG "/cgroup.procs", O_WRONLY);
        int n = snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
        if (write(fd, pidbuf, n) != n) _exit(2);
        close(fd);
        char *a = mmap(NULL, (size_t) PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        take(0, 0);
        for (long p = 0; p < PAGES; p++) {
            a[p * 4096] = 0x5a;
            if ((p + 1) % EVERY == 0) take((p + 1) / EVERY, p + 1);
        }
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("{\"every\": %d, \"samples\": [\n", EVERY);
    for (int i = 0; i < NS; i++) {
        printf("  {\"page\": %ld, \"usage_kb\": %ld, \"failcnt\": %ld", samples[i].page, samples[i].usage / 1024, samples[i].failcnt);
        for (unsigned k = 0; k < NV; k++) printf(", \"%s\": %ld", vmkeys[k], samples[i].vm[k] - samples[0].vm[k] * (k == 5 || k == 6 ? 0 : 1));
        for (unsigned k = 0; k < NC; k++) printf(", \"cg_%s\": %ld", cgkeys[k], samples[i].cg[k]);
        printf("}%s\n", i + 1 < NS ? "," : "");
    }
    printf("], \"after_exit_usage_kb\": %ld, \"after_exit_failcnt\": %ld}\n", readnum(CG "/memory.usage_in_bytes") / 1024,
           readnum(CG "/memory.failcnt"));
    rmdir(CG);
    return 0;
}
