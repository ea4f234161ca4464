/*
 * What each memory cgroup limit reclaim does on the kernel, for the conformance case
 * memcg-anon-swap: a child in a cgroup v1 memory group limited to 32 MiB writes 64 MiB of private
 * anonymous memory a page at a time (swap on), while a tracefs instance of its own records, for
 * the child's task only, the vmscan tracepoints of every reclaim
 * (mm_vmscan_memcg_reclaim_begin/end, mm_vmscan_lru_shrink_inactive with nr_scanned,
 * nr_reclaimed, nr_dirty, nr_writeback, nr_immediate, priority; mm_vmscan_lru_shrink_active,
 * mm_vmscan_lru_isolate, mm_vmscan_write_folio, mm_vmscan_throttled) and the block requests of
 * the swap file's device (block_rq_issue/block_rq_complete, any task, plus block_plug/unplug of
 * the child). Every F pages the child writes "page N" into the instance's trace_marker and
 * samples the group's memory.failcnt and memory.usage_in_bytes; every S pages memory.stat too.
 *
 * Usage: memcg-swap-trace TRACEFILE [F [S]]   (defaults 16 and 512; root, cgroup v1 memory at
 * /sys/fs/cgroup/memory, tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing, swap on,
 * the swap file on the device of /var/tmp). Writes the raw trace to TRACEFILE and prints one
 * JSON object (the samples and the case's end figures); memcg-swap-trace.py turns both into
 * one reclaim a line. The instance is removed on exit.
 * After the last page the child writes "end" into trace_marker and observes its mapping as the
 * conformance case does (mincore() and /proc/self/pagemap): "end" gives pm_present, pm_swapped,
 * mincore_resident, the group's usage and failcnt then, and "swapcache" every page that is
 * swapped out but still resident (in the swap cache, written and not yet freed) as
 * [page index, rank of its swap slot among the mapping's swapped pages, from 0 the lowest]:
 * the swap allocator hands out slots in order here, so the rank is the order of the writes.
 * Build: cc -O2 -Wall -o /tmp/mst memcg-swap-trace.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-trace-probe"
#define PAGES 16384
#define MAXS (PAGES + 2)

static const char *cgkeys[] = {"swap", "writeback", "inactive_anon", "active_anon", "inactive_file", "active_file",
                               "pgpgin", "pgpgout", "total_pgfault"};
#define NC (sizeof cgkeys / sizeof *cgkeys)
static const char *vmkeys[] = {"pswpout", "pgrotated", "nr_writeback", "nr_swapcached", "workingset_refault_anon",
                               "pgactivate", "pgdeactivate"};
#define NV (sizeof vmkeys / sizeof *vmkeys)

static char buf[1 << 16];
static char inst[256];

struct sample { long page, usage, failcnt, full, cg[NC], vm[NV]; };
static struct sample *samples;
static long *nsamples;
static long readnum(const char *path);
/* the child's end observation, in shared memory: see the header */
struct endobs { long present, swapped, resident, usage, failcnt, ncache, cache[PAGES][2]; };
static struct endobs *endobs;
static unsigned long long pm[PAGES], offs[PAGES];
static unsigned char mc[PAGES];

static int cmpull(const void *a, const void *b) {
    unsigned long long x = *(const unsigned long long *) a, y = *(const unsigned long long *) b;
    return x < y ? -1 : x > y;
}

/* mincore() and pagemap of the child's mapping, as the conformance harness reads them */
static void observe_end(char *a) {
    struct endobs *e = endobs;
    e->usage = readnum(CG "/memory.usage_in_bytes");
    e->failcnt = readnum(CG "/memory.failcnt");
    if (mincore(a, (size_t) PAGES * 4096, mc) != 0) return;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0 || pread(fd, pm, sizeof pm, (off_t) ((unsigned long) a / 4096) * 8) != (ssize_t) sizeof pm) return;
    close(fd);
    long ns = 0;
    for (long i = 0; i < PAGES; i++) {
        if (mc[i] & 1) e->resident++;
        if (pm[i] >> 63 & 1) e->present++;
        if (pm[i] >> 62 & 1) offs[ns++] = pm[i] & ((1ULL << 55) - 1); /* swap type (bits 0-4) and offset */
    }
    e->swapped = ns;
    qsort(offs, ns, sizeof *offs, cmpull);
    for (long i = 0; i < PAGES; i++) {
        if ((pm[i] >> 62 & 1) && (mc[i] & 1)) {
            unsigned long long *f = bsearch(&(unsigned long long){pm[i] & ((1ULL << 55) - 1)}, offs, ns, sizeof *offs, cmpull);
            e->cache[e->ncache][0] = i;
            e->cache[e->ncache][1] = f ? f - offs : -1;
            e->ncache++;
        }
    }
}

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
    int n = fd < 0 ? 0 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
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

static int writestr(const char *dir, const char *file, const char *s) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) { perror(path); return -1; }
    int n = write(fd, s, strlen(s));
    close(fd);
    if (n != (int) strlen(s)) { perror(path); return -1; }
    return 0;
}

static void cleanup(void) {
    if (inst[0]) {
        writestr(inst, "tracing_on", "0");
        writestr(inst, "events/enable", "0");
        rmdir(inst);
        inst[0] = 0;
    }
    rmdir(CG);
}

static void onsig(int s) { cleanup(); signal(s, SIG_DFL); raise(s); }

static void take(long page, int full) {
    struct sample *s = &samples[(*nsamples)++];
    s->page = page;
    s->full = full;
    s->usage = readnum(CG "/memory.usage_in_bytes");
    s->failcnt = readnum(CG "/memory.failcnt");
    if (full) {
        readkeys(CG "/memory.stat", cgkeys, NC, s->cg);
        readkeys("/proc/vmstat", vmkeys, NV, s->vm);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s TRACEFILE [F [S]]\n", argv[0]); return 2; }
    long every = argc > 2 ? atol(argv[2]) : 16, full = argc > 3 ? atol(argv[3]) : 512;
    const char *tr = access("/sys/kernel/tracing/events", F_OK) == 0 ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
    snprintf(inst, sizeof inst, "%s/instances/vmsim-memcg-swap-trace", tr);
    atexit(cleanup);
    signal(SIGINT, onsig);
    signal(SIGTERM, onsig);
    rmdir(inst);
    if (mkdir(inst, 0755) != 0) { perror(inst); inst[0] = 0; return 1; }
    writestr(inst, "tracing_on", "0");
    writestr(inst, "buffer_size_kb", "32768");

    samples = mmap(NULL, sizeof(struct sample) * MAXS + 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    nsamples = (long *) (samples + MAXS);
    endobs = mmap(NULL, sizeof *endobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (samples == MAP_FAILED || endobs == MAP_FAILED) { perror("mmap"); return 1; }
    memset(endobs, 0, sizeof *endobs); /* charged here, outside the group */
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    if (writestr(CG, "memory.limit_in_bytes", "33554432")) return 1;

    int go[2], ready[2];
    if (pipe(go) || pipe(ready)) return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char pidbuf[32], c;
        /* the end observation's buffers, touched before the child joins the group: their pages
         * are charged outside it, so observing does not make the group reclaim */
        memset(pm, 0, sizeof pm);
        memset(offs, 0, sizeof offs);
        memset(mc, 0, sizeof mc);
        int n = snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
        int fd = open(CG "/cgroup.procs", O_WRONLY);
        if (write(fd, pidbuf, n) != n) _exit(2);
        close(fd);
        char marker[512];
        snprintf(marker, sizeof marker, "%s/trace_marker", inst);
        int mfd = open(marker, O_WRONLY);
        char *a = mmap(NULL, (size_t) PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1) _exit(3);
        take(0, 1);
        for (long p = 0; p < PAGES; p++) {
            a[p * 4096] = 0x5a;
            if ((p + 1) % every == 0) {
                n = snprintf(pidbuf, sizeof pidbuf, "page %ld", p + 1);
                if (write(mfd, pidbuf, n) != n) _exit(4);
                take(p + 1, (p + 1) % full == 0);
            }
        }
        if (write(mfd, "end", 3) != 3) _exit(4);
        observe_end(a);
        _exit(0);
    }
    char c, filt[128];
    if (read(ready[0], &c, 1) != 1) return 1;
    struct stat st;
    if (stat("/var/tmp", &st) != 0) return 1;
    unsigned long dev = ((unsigned long) major(st.st_dev) << 20) | minor(st.st_dev);
    static const char *own[] = {"vmscan/mm_vmscan_memcg_reclaim_begin", "vmscan/mm_vmscan_memcg_reclaim_end",
                                "vmscan/mm_vmscan_lru_shrink_inactive", "vmscan/mm_vmscan_lru_shrink_active",
                                "vmscan/mm_vmscan_lru_isolate", "vmscan/mm_vmscan_write_folio",
                                "vmscan/mm_vmscan_throttled", "block/block_plug", "block/block_unplug"};
    static const char *devev[] = {"block/block_rq_issue", "block/block_rq_complete"};
    char path[512];
    snprintf(filt, sizeof filt, "common_pid == %d", pid);
    for (unsigned i = 0; i < sizeof own / sizeof *own; i++) {
        snprintf(path, sizeof path, "%s/events/%s", inst, own[i]);
        if (writestr(path, "filter", filt) || writestr(path, "enable", "1")) return 1;
    }
    snprintf(filt, sizeof filt, "dev == %lu", dev);
    for (unsigned i = 0; i < sizeof devev / sizeof *devev; i++) {
        snprintf(path, sizeof path, "%s/events/%s", inst, devev[i]);
        if (writestr(path, "filter", filt) || writestr(path, "enable", "1")) return 1;
    }
    writestr(inst, "tracing_on", "1");
    if (write(go[1], "g", 1) != 1) return 1;
    int wst;
    waitpid(pid, &wst, 0);
    long after_usage = readnum(CG "/memory.usage_in_bytes"), after_failcnt = readnum(CG "/memory.failcnt");
    writestr(inst, "tracing_on", "0");
    snprintf(path, sizeof path, "%s/trace", inst);
    FILE *in = fopen(path, "r"), *out = fopen(argv[1], "w");
    if (!in || !out) { perror("trace"); return 1; }
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    snprintf(path, sizeof path, "%s/per_cpu/cpu0/stats", inst);
    long overrun = -1;
    FILE *sf = fopen(path, "r");
    if (sf) {
        char line[256];
        while (fgets(line, sizeof line, sf)) if (strncmp(line, "overrun:", 8) == 0) overrun = atol(line + 8);
        fclose(sf);
    }
    printf("{\"every\": %ld, \"full_every\": %ld, \"child\": %d, \"exit\": %d, \"overrun_cpu0\": %ld, \"samples\": [\n", every, full,
           pid, WIFEXITED(wst) ? WEXITSTATUS(wst) : -1, overrun);
    for (long i = 0; i < *nsamples; i++) {
        struct sample *s = &samples[i];
        printf("  {\"page\": %ld, \"usage_kb\": %ld, \"failcnt\": %ld", s->page, s->usage / 1024, s->failcnt);
        if (s->full) {
            for (unsigned k = 0; k < NC; k++) printf(", \"cg_%s\": %ld", cgkeys[k], s->cg[k]);
            for (unsigned k = 0; k < NV; k++) printf(", \"%s\": %ld", vmkeys[k], s->vm[k]);
        }
        printf("}%s\n", i + 1 < *nsamples ? "," : "");
    }
    printf("], \"end\": {\"pm_present\": %ld, \"pm_swapped\": %ld, \"mincore_resident\": %ld, \"usage_kb\": %ld, \"failcnt\": %ld},\n",
           endobs->present, endobs->swapped, endobs->resident, endobs->usage / 1024, endobs->failcnt);
    printf("\"swapcache\": [");
    for (long i = 0; i < endobs->ncache; i++) printf("%s[%ld,%ld]", i ? "," : "", endobs->cache[i][0], endobs->cache[i][1]);
    printf("],\n\"after_exit_usage_kb\": %ld, \"after_exit_failcnt\": %ld}\n", after_usage / 1024, after_failcnt);
    return 0;
}
