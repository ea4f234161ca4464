/*
 * Where a cgroup v1 memory group's failcnt grows, page by page: a child in a group limited to
 * 32 MiB writes a 64 MiB file a page at a time with pwrite() (the workload of the conformance
 * case memcg-page-cache-reclaim) and, after each page, waits while the parent (outside the group,
 * so its reads charge nothing to it) reads the group's memory.failcnt, memory.usage_in_bytes,
 * memory.kmem.usage_in_bytes, memory.kmem.failcnt, memory.memsw.failcnt and memory.stat's
 * pgpgin and pgpgout. Prints one JSON object: how many pages saw each failcnt increment, the
 * reclaim cycles (pgpgout growing) with the failures and charges between them, and every page of
 * a window in the steady state; and the group's kernel memory (memory.kmem.usage_in_bytes) at
 * pages 0, 2048, 4096 and 8000, before the limit, to give the kernel memory a page written adds. Needs root and cgroup v1 memory at /sys/fs/cgroup/memory.
 * Build: cc -O2 -o /tmp/fpp memcg-failcnt-per-page.c; run: /tmp/fpp [directory, default /var/tmp]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/memory/vmsim-fpp-probe"
#define PAGES 16384
#define WIN_FROM 12000
#define WIN_TO 12300

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

static long statkey(const char *key) {
    int fd = open(CG "/memory.stat", O_RDONLY);
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    size_t l = strlen(key);
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, key, l) == 0 && p[l] == ' ') return atol(p + l + 1);
    return -1;
}

struct s { long fc, usage, kmem, kfc, mswfc, pgin, pgout; };
static struct s S[PAGES + 1];

static void take(struct s *x) {
    x->fc = readnum(CG "/memory.failcnt");
    x->usage = readnum(CG "/memory.usage_in_bytes") / 4096;
    x->kmem = readnum(CG "/memory.kmem.usage_in_bytes");
    x->kfc = readnum(CG "/memory.kmem.failcnt");
    x->mswfc = readnum(CG "/memory.memsw.failcnt");
    x->pgin = statkey("pgpgin");
    x->pgout = statkey("pgpgout");
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/vmsim-fpp-%d", dir, (int) getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror(path); return 1; }
    rmdir(CG);
    if (mkdir(CG, 0755) != 0) { perror("mkdir " CG); return 1; }
    FILE *f = fopen(CG "/memory.limit_in_bytes", "w");
    fprintf(f, "%d\n", 32 << 20);
    fclose(f);
    int go[2], done[2];
    if (pipe(go) || pipe(done)) return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char pidbuf[32], c = 0;
        int cfd = open(CG "/cgroup.procs", O_WRONLY);
        int n = snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
        if (write(cfd, pidbuf, n) != n) _exit(2);
        close(cfd);
        static char page[4096];
        memset(page, 0x5a, sizeof page);
        if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(4);
        for (long p = 0; p < PAGES; p++) {
            if (pwrite(fd, page, sizeof page, p * 4096) != sizeof page) _exit(3);
            if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(4);
        }
        _exit(0);
    }
    char c = 0;
    for (long p = 0; p <= PAGES; p++) {
        if (read(done[0], &c, 1) != 1) return 1;
        take(&S[p]);
        if (write(go[1], &c, 1) != 1) return 1;
    }
    int st;
    waitpid(pid, &st, 0);
    /* histogram of failcnt increments per page written */
    long hist[8] = {0};
    for (long p = 1; p <= PAGES; p++) {
        long d = S[p].fc - S[p - 1].fc;
        hist[d < 0 ? 0 : d > 7 ? 7 : d]++;
    }
    printf("{\"pages\": %d, \"failcnt\": %ld, \"kmem_failcnt\": %ld, \"memsw_failcnt\": %ld, \"usage_pages_end\": %ld, \"kmem_bytes_end\": %ld, \"pgpgin\": %ld, \"pgpgout\": %ld,\n",
           PAGES, S[PAGES].fc, S[PAGES].kfc, S[PAGES].mswfc, S[PAGES].usage, S[PAGES].kmem, S[PAGES].pgin, S[PAGES].pgout);
    printf(" \"kmem_bytes_at_page\": {\"0\": %ld, \"2048\": %ld, \"4096\": %ld, \"8000\": %ld}, \"usage_pages_at_page\": {\"0\": %ld, \"8000\": %ld},\n",
           S[0].kmem, S[2048].kmem, S[4096].kmem, S[8000].kmem, S[0].usage, S[8000].usage);
    printf(" \"pages_by_failcnt_increment\": {");
    for (int i = 0; i < 8; i++) printf("%s\"%d%s\": %ld", i ? ", " : "", i, i == 7 ? "+" : "", hist[i]);
    printf("},\n");
    /* reclaim cycles after the limit: pages between two pgpgout increases, failures and charges in them */
    long cycles = 0, lastp = -1, cyc_pages = 0, cyc_fc = 0;
    long len_hist[130] = {0}, fc_minus_len_hist[9] = {0}, out_hist[130] = {0};
    for (long p = 1; p <= PAGES; p++) {
        if (S[p].pgout > S[p - 1].pgout) {
            if (lastp >= 0 && p > 9000) {
                long len = p - lastp, fcd = S[p].fc - S[lastp].fc;
                long o = S[p].pgout - S[p - 1].pgout;
                cycles++; cyc_pages += len; cyc_fc += fcd;
                len_hist[len > 129 ? 129 : len]++;
                long dd = fcd - len + 4;
                fc_minus_len_hist[dd < 0 ? 0 : dd > 8 ? 8 : dd]++;
                out_hist[o > 129 ? 129 : o]++;
            }
            lastp = p;
        }
    }
    printf(" \"cycles_after_page_9000\": %ld, \"cycle_pages\": %ld, \"cycle_failcnt\": %ld,\n \"cycle_length_pages\": {", cycles, cyc_pages, cyc_fc);
    int first = 1;
    for (int i = 0; i < 130; i++) if (len_hist[i]) { printf("%s\"%d\": %ld", first ? "" : ", ", i, len_hist[i]); first = 0; }
    printf("},\n \"pgpgout_per_cycle\": {");
    first = 1;
    for (int i = 0; i < 130; i++) if (out_hist[i]) { printf("%s\"%d\": %ld", first ? "" : ", ", i, out_hist[i]); first = 0; }
    printf("},\n \"cycle_failcnt_minus_pages\": {");
    first = 1;
    for (int i = 0; i < 9; i++) if (fc_minus_len_hist[i]) { printf("%s\"%d\": %ld", first ? "" : ", ", i - 4, fc_minus_len_hist[i]); first = 0; }
    printf("},\n \"window\": [\n");
    for (long p = WIN_FROM; p <= WIN_TO; p++)
        printf("  [%ld, %ld, %ld, %ld, %ld, %ld]%s\n", p, S[p].fc - S[p - 1].fc, S[p].usage, S[p].kmem, S[p].pgin - S[p - 1].pgin, S[p].pgout - S[p - 1].pgout, p < WIN_TO ? "," : "");
    printf(" ], \"window_columns\": [\"page\", \"failcnt_delta\", \"usage_pages\", \"kmem_bytes\", \"pgpgin_delta\", \"pgpgout_delta\"], \"child\": %d}\n",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    ftruncate(fd, 0);
    close(fd);
    unlink(path);
    rmdir(CG);
    return 0;
}
