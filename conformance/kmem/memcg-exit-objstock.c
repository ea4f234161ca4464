/* Does the object stock of an OOM-killed task's memory cgroup keep its last page after the task
 * exits? Linux 6.18 (mm/memcontrol.c) frees an object into the CPU's object stock
 * (refill_obj_stock()); a stock holding another group's obj_cgroup is drained first
 * (drain_obj_stock(): its whole pages leave the page counter). The child's mm_struct, allocated
 * by the fork, is charged to the forking process's group and is freed after the child's own
 * objects (its VMA, anon_vma and chain) on the CPU it exits on. So the answer depends on where
 * the forking process is: in the root group (whose objects are not charged) the child's group
 * keeps one page in the object stock; in a group of its own that page is drained.
 *
 * A child joins a new group limited to 32 MiB and writes 64 MiB of private anonymous memory
 * until the group's OOM killer kills it; parent and child are pinned to CPU 0. The parent reads
 * the group's usage_in_bytes and kmem.usage_in_bytes through descriptors it opened (and read
 * once) before the fork, so that it allocates nothing itself: right after waitpid() and 300 ms
 * later. RUNS runs with the parent in the root memory cgroup, RUNS in a group of its own.
 * Run as root on a machine with the cgroup v1 memory controller; prints one JSON object.
 * cc -O2 -o /tmp/mx conformance/kmem/memcg-exit-objstock.c && sudo /tmp/mx */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS 8
#define ROOT "/sys/fs/cgroup/memory"

static long rdfd(int fd) {
    char b[64];
    ssize_t n = pread(fd, b, sizeof b - 1, 0);
    b[n > 0 ? n : 0] = 0;
    return atol(b) / 1024;
}

static void wr(const char *p, const char *v) {
    int fd = open(p, O_WRONLY);
    if (fd < 0 || write(fd, v, strlen(v)) < 0) { perror(p); exit(1); }
    close(fd);
}

/* out: usage, kmem at once; usage, kmem 300 ms later (KiB) */
static void one(const char *parent_group, long out[4]) {
    char cg[300], p[400], v[32];
    snprintf(v, sizeof v, "%d", (int) getpid());
    snprintf(p, sizeof p, "%s/cgroup.procs", parent_group);
    wr(p, v);
    snprintf(cg, sizeof cg, ROOT "/vmsim-exit-%d", (int) getpid());
    if (mkdir(cg, 0755) != 0) { perror(cg); exit(1); }
    snprintf(p, sizeof p, "%s/memory.limit_in_bytes", cg);
    wr(p, "33554432");
    snprintf(p, sizeof p, "%s/memory.usage_in_bytes", cg);
    int fu = open(p, O_RDONLY);
    snprintf(p, sizeof p, "%s/memory.kmem.usage_in_bytes", cg);
    int fk = open(p, O_RDONLY);
    rdfd(fu);
    rdfd(fk);
    pid_t pid = fork();
    if (pid == 0) {
        snprintf(v, sizeof v, "%d", (int) getpid());
        snprintf(p, sizeof p, "%s/cgroup.procs", cg);
        wr(p, v);
        long len = 64L << 20;
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (long i = 0; i < len; i += 4096) m[i] = 0x5a;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    out[0] = rdfd(fu);
    out[1] = rdfd(fk);
    usleep(300000);
    out[2] = rdfd(fu);
    out[3] = rdfd(fk);
    if (!WIFSIGNALED(st)) out[0] = out[1] = out[2] = out[3] = -1;
    close(fu);
    close(fk);
    for (int i = 0; i < 50 && rmdir(cg) != 0; i++) usleep(100000);
}

int main(void) {
    char self[300] = "", line[400], own[400];
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, ":memory:")) {
            strcpy(self, strchr(strchr(line, ':') + 1, ':') + 1);
            self[strcspn(self, "\n")] = 0;
        }
    if (f) fclose(f);
    if (strcmp(self, "/") == 0) self[0] = 0;
    snprintf(own, sizeof own, ROOT "%s/vmsim-exit-parent-%d", self, (int) getpid());
    if (mkdir(own, 0755) != 0) { perror(own); return 1; }
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(0, &s);
    sched_setaffinity(0, sizeof s, &s);
    long r[2][RUNS][4];
    for (int run = 0; run < RUNS; run++) {
        one(ROOT, r[0][run]);
        one(own, r[1][run]);
    }
    char orig[400];
    snprintf(orig, sizeof orig, ROOT "%s", self);
    char p[500], v[32];
    snprintf(p, sizeof p, "%s/cgroup.procs", orig);
    snprintf(v, sizeof v, "%d", (int) getpid());
    wr(p, v);
    rmdir(own);
    struct utsname u;
    uname(&u);
    printf("{\n  \"kernel\": \"%s\",\n  \"fields\": [\"usage_kb\", \"kmem_kb\", \"usage_kb_300ms\", \"kmem_kb_300ms\"],\n", u.release);
    for (int g = 0; g < 2; g++) {
        printf("  \"%s\": [", g ? "parent_in_own_group" : "parent_in_root_group");
        for (int run = 0; run < RUNS; run++)
            printf("[%ld, %ld, %ld, %ld]%s", r[g][run][0], r[g][run][1], r[g][run][2], r[g][run][3], run + 1 < RUNS ? ", " : "");
        printf("]%s\n", g ? "" : ",");
    }
    printf("}\n");
    return 0;
}
