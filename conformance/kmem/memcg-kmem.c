/* Which kernel objects a cgroup v1 memory group is charged for, and how much: a child joins a
 * new group (below the one this process is in) and, pinned to CPU 0, reads the group's
 * memory.kmem.usage_in_bytes before and after each step:
 *   vmas       maps N separate 4 KiB anonymous areas (alternately rw and r, so none merge);
 *   anon_vmas  writes one page of each rw area (its first anonymous fault: an anon_vma and its
 *              chain), which also allocates the PTE tables of the 2 MiB ranges written;
 *   shmem      maps 16 MiB of shared anonymous memory and writes every page (the shmem inode,
 *              dentry and file, the page cache's xarray nodes and the PTE tables).
 * Then, as the conformance cases memcg-anon-oom and memcg-shmem-oom do, a child in a group
 * limited to 32 MiB writes 64 MiB of private (shared) anonymous memory and is OOM-killed; the
 * parent reads the group's usage right after waitpid() and 300 ms later, and its kernel memory
 * then ([usage, usage 300 ms later, kmem]), three times with parent and child pinned to CPU 0
 * and three times unpinned.
 * Each read opens the file (a struct file and a seq_file buffer, freed again), so a delta is
 * exact to about a page. ranges_2m: the 2 MiB ranges a step wrote, each needing a PTE table
 * unless one was there already. Also prints the slot sizes of the caches involved (/proc/slabinfo).
 * Run as root on a machine with the cgroup v1 memory controller; prints one JSON object.
 * cc -O2 -o /tmp/mk conformance/kmem/memcg-kmem.c && sudo /tmp/mk */
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

#define PAGE 4096L
#define NVMAS 2000
#define SHMEM_PAGES 4096L

static char cg[512];

static long long rd(const char *f) {
    char p[600], b[64];
    snprintf(p, sizeof p, "%s/%s", cg, f);
    int fd = open(p, O_RDONLY);
    if (fd < 0) { perror(p); exit(1); }
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    b[n > 0 ? n : 0] = 0;
    return atoll(b);
}

static void wr(const char *f, const char *v) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", cg, f);
    int fd = open(p, O_WRONLY);
    if (fd < 0 || write(fd, v, strlen(v)) < 0) { perror(p); exit(1); }
    close(fd);
}

static long kmem_kb(void) { return (long) (rd("memory.kmem.usage_in_bytes") / 1024); }


static int objsize(const char *cache) {
    FILE *f = fopen("/proc/slabinfo", "r");
    char line[512];
    int size = -1;
    while (f && fgets(line, sizeof line, f)) {
        char name[128];
        int active, num, sz;
        if (sscanf(line, "%127s %d %d %d", name, &active, &num, &sz) == 4 && strcmp(name, cache) == 0) size = sz;
    }
    if (f) fclose(f);
    return size;
}

/* distinct 2 MiB ranges among every step-th of n addresses */
static int ranges_2m(char **a, int n, int step) {
    static unsigned long seen[NVMAS];
    int k = 0;
    for (int i = 0; i < n; i += step) {
        unsigned long r = (unsigned long) a[i] >> 21;
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= seen[j] == r;
        if (!dup) seen[k++] = r;
    }
    return k;
}

static void pin(int on) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(0, &s);
    if (!on) CPU_SET(1, &s);
    sched_setaffinity(0, sizeof s, &s);
}

/* usage_in_bytes (KiB) of a group whose child was OOM-killed writing 64 MiB: [0] at once, [1] 300 ms
 * later; [2] its kmem.usage_in_bytes then */
static void oom_after_exit(const char *base, int shared, int pinned, long out[3]) {
    char saved[sizeof cg];
    memcpy(saved, base, sizeof saved);
    saved[sizeof saved - 1] = 0;
    snprintf(cg, sizeof cg, "%.400s-oom%d%d", saved, shared, pinned);
    if (mkdir(cg, 0755) != 0) { perror(cg); exit(1); }
    wr("memory.limit_in_bytes", "33554432");
    pin(pinned);
    pid_t pid = fork();
    if (pid == 0) {
        char v[32];
        snprintf(v, sizeof v, "%d", (int) getpid());
        wr("cgroup.procs", v);
        long len = 64L << 20;
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
        for (long i = 0; i < len; i += PAGE) m[i] = 0x5a;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    out[0] = (long) (rd("memory.usage_in_bytes") / 1024);
    usleep(300000);
    out[1] = (long) (rd("memory.usage_in_bytes") / 1024);
    out[2] = kmem_kb();
    if (!WIFSIGNALED(st)) out[0] = out[1] = out[2] = -1;
    for (int i = 0; i < 50 && rmdir(cg) != 0; i++) usleep(100000);
    strcpy(cg, saved);
    pin(1);
}

int main(void) {
    char self[300] = "", line[400];
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, ":memory:")) {
            strcpy(self, strchr(strchr(line, ':') + 1, ':') + 1);
            self[strcspn(self, "\n")] = 0;
        }
    if (f) fclose(f);
    if (strcmp(self, "/") == 0) self[0] = 0;
    snprintf(cg, sizeof cg, "/sys/fs/cgroup/memory%s/vmsim-kmem-%d", self, (int) getpid());
    if (mkdir(cg, 0755) != 0) { perror(cg); return 1; }
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(0, &s);
    sched_setaffinity(0, sizeof s, &s);
    int pfd[2];
    if (pipe(pfd) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char v[32];
        snprintf(v, sizeof v, "%d", (int) getpid());
        wr("cgroup.procs", v);
        static char *a[NVMAS];
        long r[8];
        r[0] = kmem_kb();
        for (int i = 0; i < NVMAS; i++) {
            a[i] = mmap(NULL, PAGE, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (a[i] == MAP_FAILED) _exit(2);
        }
        r[1] = kmem_kb();
        for (int i = 0; i < NVMAS; i += 2) a[i][0] = 1;
        r[2] = kmem_kb();
        r[3] = ranges_2m(a, NVMAS, 2);
        char *m = mmap(NULL, SHMEM_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        r[4] = kmem_kb();
        for (long i = 0; i < SHMEM_PAGES; i++) m[i * PAGE] = 1;
        r[5] = kmem_kb();
        r[6] = (((unsigned long) m + SHMEM_PAGES * PAGE - 1) >> 21) - ((unsigned long) m >> 21) + 1;
        r[7] = (unsigned long) m & ((1UL << 21) - 1);
        if (write(pfd[1], r, sizeof r) != sizeof r) _exit(3);
        _exit(0);
    }
    long r[8];
    int st;
    ssize_t got = read(pfd[0], r, sizeof r);
    waitpid(pid, &st, 0);
    for (int i = 0; i < 50 && rmdir(cg) != 0; i++) usleep(100000);
    if (got != sizeof r || !WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "child failed\n"); return 1; }
    long oom[2][2][3][3];
    for (int shared = 0; shared < 2; shared++)
        for (int pinned = 1; pinned >= 0; pinned--)
            for (int run = 0; run < 3; run++) oom_after_exit(cg, shared, pinned, oom[shared][pinned][run]);
    struct utsname u;
    uname(&u);
    printf("{\n  \"kernel\": \"%s\",\n", u.release);
    printf("  \"objsize\": {\"vm_area_struct\": %d, \"anon_vma\": %d, \"anon_vma_chain\": %d, \"shmem_inode_cache\": %d, "
           "\"dentry\": %d, \"filp\": %d, \"radix_tree_node\": %d, \"maple_node\": %d},\n",
           objsize("vm_area_struct"), objsize("anon_vma"), objsize("anon_vma_chain"), objsize("shmem_inode_cache"),
           objsize("dentry"), objsize("filp"), objsize("radix_tree_node"), objsize("maple_node"));
    printf("  \"vmas\": {\"n\": %d, \"kmem_delta_kb\": %ld},\n", NVMAS, r[1] - r[0]);
    printf("  \"anon_vmas\": {\"n\": %d, \"ranges_2m\": %ld, \"kmem_delta_kb\": %ld},\n",
           NVMAS / 2, r[3], r[2] - r[1]);
    printf("  \"shmem\": {\"pages\": %ld, \"ranges_2m\": %ld, \"offset_in_2m\": %ld, \"mmap_kmem_delta_kb\": %ld, "
           "\"write_kmem_delta_kb\": %ld},\n", SHMEM_PAGES, r[6], r[7], r[4] - r[2], r[5] - r[4]);
    for (int shared = 0; shared < 2; shared++) {
        printf("  \"%s_oom_usage_kb\": {", shared ? "shmem" : "anon");
        for (int pinned = 1; pinned >= 0; pinned--) {
            printf("\"%s\": [", pinned ? "pinned" : "unpinned");
            for (int run = 0; run < 3; run++)
                printf("[%ld, %ld, %ld]%s", oom[shared][pinned][run][0], oom[shared][pinned][run][1], oom[shared][pinned][run][2],
                       run < 2 ? ", " : "");
            printf("]%s", pinned ? ", " : "");
        }
        printf("}%s\n", shared ? "" : ",");
    }
    printf("}\n");
    return 0;
}
