/*
 * What the reads of the harness's observe() charge to a cgroup v1 memory group, step by step.
 *
 * A child pinned to CPU 0 joins a group (limit 256 MiB: nothing is reclaimed), maps 4 MiB of
 * private anonymous memory and writes a byte to each page, then makes the reads observe()
 * makes (conformance/probes/harness.c), in its order, each file opened, read to its end into a
 * large buffer and closed as read_file() does: /proc/self/maps, smaps_rollup, smaps, the
 * mapping's /proc/self/pagemap entries, /proc/kpageflags and /proc/kpagecount for each present
 * page, and the group's memory.usage_in_bytes, memory.max_usage_in_bytes, memory.failcnt and
 * memory.oom_control. Then it makes the same reads a second time. After each read the child
 * waits while its parent, pinned to CPU 1 (another CPU's charge stocks), reads the group's
 * memory.kmem.usage_in_bytes, a file observe() never reads, so the child's own lookups are the
 * first of every file it reads. At the end the parent reads memory.usage_in_bytes too.
 *
 * The first pass shows what a first lookup and a read leave charged (dentries and inodes stay
 * in the dcache, struct files and seq_file buffers are freed at close and their bytes stay in
 * the CPU's object stock); the second pass what a read of an already looked-up file leaves.
 * Prints one JSON object: the kmem in bytes after each step.
 *
 * With the argument "lookups" the child instead opens and closes, without reading, every
 * regular file of /proc/self but a few with side effects or costs of their own (the names
 * taken from the parent's directory: a readdir of the child's would create its dentries), then
 * all of them again: the kmem a first lookup leaves per entry (a dentry and a proc_inode), and
 * that an open and close of a looked-up entry leaves nothing.
 *
 * Usage: observe-reads [lookups]   (root, cgroup v1 memory at /sys/fs/cgroup/memory)
 * Build: cc -O2 -Wall -o /tmp/obsr conformance/kmem/observe-reads.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-observe-reads"
#define MAP (4L << 20)

static char big[1 << 20];

struct sync {
    volatile int step;
    volatile int ack;
    long long kmem[64];
    char name[64][32];
};

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0) { perror("sched_setaffinity"); exit(1); }
}

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

/* as harness.c read_file(): open, read until EOF into a large buffer, close */
static void read_all(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror(path); _exit(1); }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, big + n, sizeof big - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
        if (n >= sizeof big - 1) break;
    }
    close(fd);
}

static struct sync *S;
static int nstep;

static void step(const char *name) {
    snprintf(S->name[nstep], sizeof S->name[nstep], "%s", name);
    S->step = ++nstep;
    while (S->ack != nstep) usleep(200);
}

static void observe_reads(char *base) {
    read_all("/proc/self/maps");
    step("maps");
    read_all("/proc/self/smaps_rollup");
    step("smaps_rollup");
    read_all("/proc/self/smaps");
    step("smaps");
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    uint64_t e[MAP / 4096];
    if (pm < 0 || pread(pm, e, sizeof e, (off_t)((uintptr_t)base / 4096 * 8)) != (ssize_t)sizeof e) { perror("pagemap"); _exit(1); }
    step("pagemap_open_read");
    int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
    int kc = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
    for (long i = 0; i < MAP / 4096; i++) {
        uint64_t pfn = e[i] & ((1ULL << 55) - 1), v;
        if (!(e[i] >> 63)) continue;
        if (pread(kf, &v, 8, (off_t)(pfn * 8)) != 8 || pread(kc, &v, 8, (off_t)(pfn * 8)) != 8) { perror("kpage"); _exit(1); }
    }
    close(kc);
    close(kf);
    close(pm);
    step("kpage_reads_and_closes");
    read_all(CG "/memory.usage_in_bytes");
    step("usage_in_bytes");
    read_all(CG "/memory.max_usage_in_bytes");
    step("max_usage_in_bytes");
    read_all(CG "/memory.failcnt");
    step("failcnt");
    read_all(CG "/memory.oom_control");
    step("oom_control");
}

/* "lookups": the child opens and closes (no read) N entries of /proc/self that no task of its
 * own has looked up, then opens and closes the same entries again: kmem per first lookup, and
 * what an open and close of a looked-up entry leaves */
static char names[128][64];
static int nnames;

static void lookups(void) {
    char p[128];
    for (int i = 0; i < nnames; i++) {
        snprintf(p, sizeof p, "/proc/self/%.60s", names[i]);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
    }
}

int main(int argc, char **argv) {
    int lookup_mode = argc > 1 && strcmp(argv[1], "lookups") == 0;
    if (lookup_mode) {
        /* regular files of /proc/<pid> that open for reading without side effects, from the
         * parent's own directory (a readdir of the child's would instantiate its dentries) */
        static const char *skip[] = {"mem", "clear_refs", "pagemap", "environ", "auxv", "syscall", "stack",
                                     "timerslack_ns", "io", "ksm_merging_pages", "ksm_stat", NULL};
        FILE *f = popen("ls -p /proc/self/ | grep -v /", "r");
        char line[64];
        while (f && fgets(line, sizeof line, f) && nnames < 128) {
            line[strcspn(line, "\n")] = 0;
            int bad = 0;
            for (int i = 0; skip[i]; i++) bad |= strcmp(line, skip[i]) == 0;
            if (!bad) snprintf(names[nnames++], sizeof names[0], "%s", line);
        }
        if (f) pclose(f);
    }
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    put(CG "/memory.limit_in_bytes", "268435456");
    S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(S, 0, sizeof *S);
    pid_t pid = fork();
    if (pid == 0) {
        pin(0);
        char v[32];
        snprintf(v, sizeof v, "%d", (int)getpid());
        put(CG "/cgroup.procs", v);
        char *a = mmap(NULL, MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (long i = 0; i < MAP; i += 4096) a[i] = 1;
        step("after_write");
        if (lookup_mode) {
            lookups();
            step("first_lookups");
            lookups();
            step("again");
            _exit(0);
        }
        observe_reads(a);
        observe_reads(a);
        _exit(0);
    }
    pin(1);
    for (int done = 0;;) {
        if (S->step > done) {
            done = S->step;
            S->kmem[done] = readll(CG "/memory.kmem.usage_in_bytes");
            S->ack = done;
            if (done == (lookup_mode ? 3 : 19)) break;
        }
        usleep(100);
    }
    int st;
    waitpid(pid, &st, 0);
    long long usage = readll(CG "/memory.usage_in_bytes"), kmem = readll(CG "/memory.kmem.usage_in_bytes");
    if (lookup_mode) {
        printf("{\"entries\": %d, \"kmem_after_write\": %lld, \"first_lookups_delta\": %lld, \"again_delta\": %lld}\n",
               nnames, S->kmem[1], S->kmem[2] - S->kmem[1], S->kmem[3] - S->kmem[2]);
        rmdir(CG);
        return 0;
    }
    printf("{\"steps\": [");
    for (int i = 1; i <= 19; i++)
        printf("%s{\"after\": \"%s%s\", \"kmem\": %lld, \"delta\": %lld}", i > 1 ? ", " : "", S->name[i - 1],
               i > 10 ? " (again)" : "", S->kmem[i], i > 1 ? S->kmem[i] - S->kmem[i - 1] : 0);
    printf("], \"after_exit_usage\": %lld, \"after_exit_kmem\": %lld}\n", usage, kmem);
    rmdir(CG);
    return 0;
}
