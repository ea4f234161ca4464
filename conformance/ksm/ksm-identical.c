/* KSM on 1000 identical pages (Documentation/admin-guide/mm/ksm.rst): for each max_page_sharing
 * value, a process maps 1000 anonymous pages, fills each with the same non-zero byte, marks the
 * area MADV_MERGEABLE, and ksmd runs (run=1, pages_to_scan 100, sleep_millisecs 20) until
 * full_scans has advanced by 4; the counters of /sys/kernel/mm/ksm are read after every full
 * scan. Then one page is written (a COW break of a KSM page) and the counters are read two full
 * scans later. Every setting is restored on exit (run=2 first, which unmerges everything, so
 * that max_page_sharing may change). Also prints the object size of the ksm_rmap_item slab.
 * Run as root; prints one JSON object.
 * cc -O2 -o /tmp/ksmprobe conformance/ksm/ksm-identical.c && sudo /tmp/ksmprobe */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L
#define NPAGES 1000
#define KSM "/sys/kernel/mm/ksm/"

static const char *knobs[] = {"run", "pages_to_scan", "sleep_millisecs", "max_page_sharing",
                              "merge_across_nodes", "use_zero_pages", "smart_scan"};
#define NKNOBS (sizeof knobs / sizeof knobs[0])
static char saved[NKNOBS][64];

static long rd(const char *f) {
    char p[256], b[64];
    snprintf(p, sizeof p, KSM "%s", f);
    FILE *fp = fopen(p, "r");
    if (!fp) { perror(p); exit(1); }
    if (!fgets(b, sizeof b, fp)) b[0] = 0;
    fclose(fp);
    return atol(b);
}

static void rds(const char *f, char *out, size_t n) {
    char p[256];
    snprintf(p, sizeof p, KSM "%s", f);
    FILE *fp = fopen(p, "r");
    if (!fp || !fgets(out, (int) n, fp)) { perror(p); exit(1); }
    out[strcspn(out, "\n")] = 0;
    fclose(fp);
}

static int wr(const char *f, const char *v) {
    char p[256];
    snprintf(p, sizeof p, KSM "%s", f);
    FILE *fp = fopen(p, "w");
    if (!fp) return -1;
    int r = fputs(v, fp) < 0 ? -1 : 0;
    if (fclose(fp) != 0) r = -1;
    return r;
}

static void restore(void) {
    wr("run", "2");
    for (size_t i = 1; i < NKNOBS; i++) wr(knobs[i], saved[i]);
    wr("run", saved[0]);
}

static void on_signal(int sig) { restore(); signal(sig, SIG_DFL); raise(sig); }

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void wait_scans(long target) {
    for (int i = 0; i < 6000 && rd("full_scans") < target; i++) sleep_ms(5);
}

static void counters(void) {
    printf("{\"full_scans\": %ld, \"pages_shared\": %ld, \"pages_sharing\": %ld, \"pages_unshared\": %ld, "
           "\"pages_volatile\": %ld, \"stable_node_chains\": %ld, \"stable_node_dups\": %ld, "
           "\"ksm_zero_pages\": %ld, \"general_profit\": %ld}",
           rd("full_scans"), rd("pages_shared"), rd("pages_sharing"), rd("pages_unshared"), rd("pages_volatile"),
           rd("stable_node_chains"), rd("stable_node_dups"), rd("ksm_zero_pages"), rd("general_profit"));
}

static long slab_objsize(const char *name) {
    FILE *fp = fopen("/proc/slabinfo", "r");
    char line[512];
    long r = -1;
    while (fp && fgets(line, sizeof line, fp)) {
        char n[64];
        long active, num, size;
        if (sscanf(line, "%63s %ld %ld %ld", n, &active, &num, &size) == 4 && strcmp(n, name) == 0) r = size;
    }
    if (fp) fclose(fp);
    return r;
}

int main(void) {
    for (size_t i = 0; i < NKNOBS; i++) rds(knobs[i], saved[i], sizeof saved[i]);
    atexit(restore);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct utsname u;
    uname(&u);
    printf("{\n  \"kernel\": \"%s\",\n  \"settings_before\": {", u.release);
    for (size_t i = 0; i < NKNOBS; i++) printf("%s\"%s\": \"%s\"", i ? ", " : "", knobs[i], saved[i]);
    printf("},\n  \"pages\": %d,\n  \"runs\": [\n", NPAGES);
    const char *mps[] = {"256", "2", "1000", "4096"};
    for (size_t m = 0; m < sizeof mps / sizeof mps[0]; m++) {
        wr("run", "2");
        wait_scans(0);
        for (int i = 0; i < 400 && (rd("pages_shared") || rd("stable_node_dups")); i++) sleep_ms(5);
        if (wr("max_page_sharing", mps[m]) || wr("pages_to_scan", "100") || wr("sleep_millisecs", "20")
                || wr("merge_across_nodes", "1") || wr("use_zero_pages", "0")) {
            fprintf(stderr, "cannot set max_page_sharing=%s\n", mps[m]);
            return 1;
        }
        char *a = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a == MAP_FAILED) { perror("mmap"); return 1; }
        madvise(a, NPAGES * PAGE, MADV_NOHUGEPAGE);
        memset(a, 0x5a, NPAGES * PAGE);
        if (madvise(a, NPAGES * PAGE, MADV_MERGEABLE)) { perror("madvise"); return 1; }
        long base = rd("full_scans");
        wr("run", "1");
        printf("    {\"max_page_sharing\": %s, \"after_full_scans\": [", mps[m]);
        for (int s = 1; s <= 4; s++) {
            wait_scans(base + s);
            printf("%s\n      ", s > 1 ? "," : "");
            counters();
        }
        a[17 * PAGE] = 1; /* a write to one merged page: COW breaks it */
        long now = rd("full_scans");
        wait_scans(now + 2);
        printf("],\n     \"after_one_write_and_2_scans\": ");
        counters();
        printf("}%s\n", m + 1 < sizeof mps / sizeof mps[0] ? "," : "");
        munmap(a, NPAGES * PAGE);
    }
    printf("  ],\n  \"ksm_rmap_item_objsize\": %ld,\n  \"ksm_stable_node_objsize\": %ld\n}\n",
           slab_objsize("ksm_rmap_item"), slab_objsize("ksm_stable_node"));
    fflush(stdout);
    return 0;
}
