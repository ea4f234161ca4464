/*
 * What a cgroup v1 memory group's reclaim does with dirty page cache, as the write goes on: a
 * child in a memory cgroup limited to 32 MiB writes a 64 MiB file on the probe's file system a
 * page at a time with pwrite() (as the conformance case memcg-page-cache-reclaim), then fsyncs
 * it; every 512 pages (and after the fsync) it records the /proc/vmstat deltas (pgrotated,
 * pgactivate, pgdeactivate, nr_vmscan_immediate_reclaim, nr_vmscan_write, nr_written,
 * pgsteal_direct, pgscan_direct), the gauges nr_dirty and nr_writeback, and the group's usage,
 * failcnt and memory.stat (dirty, writeback, inactive_file, active_file, pgpgout). Needs root and
 * cgroup v1 memory at /sys/fs/cgroup/memory. Prints one JSON object.
 * Build: cc -O2 -o /tmp/pcw memcg-page-cache-writeback.c; run: /tmp/pcw [directory, default /var/tmp]
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

#define CG "/sys/fs/cgroup/memory/vmsim-pcw-probe"
#define PAGES 16384
#define EVERY 512
#define NS (PAGES / EVERY + 2)

static const char *vmkeys[] = {"nr_dirty", "nr_writeback", "pgrotated", "pgactivate", "pgdeactivate",
                               "nr_vmscan_immediate_reclaim", "nr_vmscan_write", "nr_written",
                               "pgsteal_direct", "pgscan_direct"};
#define NV (sizeof vmkeys / sizeof *vmkeys)
#define GAUGES 2 /* the first two are printed as they are, the others as deltas */
static const char *cgkeys[] = {"dirty", "writeback", "inactive_file", "active_file", "pgpgout"};
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

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/vmsim-pcw-%d", dir, (int) getpid());
    samples = mmap(NULL, sizeof(struct sample) * NS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror(path); return 1; }
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    FILE *f = fopen(CG "/memory.limit_in_bytes", "w");
    fprintf(f, "%d\n", 32 << 20);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        char pidbuf[32];
        int cfd = open(CG "/cgroup.procs", O_WRONLY);
        int n = snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
        if (write(cfd, pidbuf, n) != n) _exit(2);
        close(cfd);
        static char page[4096];
        memset(page, 0x5a, sizeof page);
        take(0, 0);
        for (long p = 0; p < PAGES; p++) {
            if (pwrite(fd, page, sizeof page, p * 4096) != sizeof page) _exit(3);
            if ((p + 1) % EVERY == 0) take((p + 1) / EVERY, p + 1);
        }
        fsync(fd);
        take(NS - 1, -1);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("{\"every\": %d, \"samples\": [\n", EVERY);
    for (int i = 0; i < NS; i++) {
        printf("  {\"page\": %ld, \"usage_kb\": %ld, \"failcnt\": %ld", samples[i].page, samples[i].usage / 1024, samples[i].failcnt);
        for (unsigned k = 0; k < NV; k++) printf(", \"%s\": %ld", vmkeys[k], samples[i].vm[k] - (k < GAUGES ? 0 : samples[0].vm[k]));
        for (unsigned k = 0; k < NC; k++) printf(", \"cg_%s\": %ld", cgkeys[k], samples[i].cg[k] / (k < 4 ? 4096 : 1));
        printf("}%s\n", i + 1 < NS ? "," : "");
    }
    printf("], \"after_exit_usage_kb\": %ld, \"after_exit_failcnt\": %ld, \"child\": %d}\n",
           readnum(CG "/memory.usage_in_bytes") / 1024, readnum(CG "/memory.failcnt"), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    ftruncate(fd, 0);
    close(fd);
    unlink(path);
    rmdir(CG);
    return 0;
}
