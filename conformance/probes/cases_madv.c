/* madvise and transparent huge pages. */
#include "probe.h"

#define N (16 * PG)
#define H (2 * MiB)

static void madv_dontneed_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "dontneed");
    op_observe("after_dontneed");
    op_read("a", 0, N);
    op_observe("after_read");
}

static void madv_dontneed_shared_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "dontneed");
    op_observe("after_dontneed");
    op_read("a", 0, N);
}

static void madv_dontneed_private_file(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private", .file = "f");
    op_write("a", 0, N, 0x5a);
    op_observe("after_write");
    op_madvise("a", 0, N, "dontneed");
    op_read("a", 0, N);
    op_observe("after_read");
}

static void madv_free_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "free");
    op_observe("after_free");
    op_read("a", 0, N);
    op_write("a", 0, 4 * PG, 0x6b);
    op_observe("after_rewrite");
}

static void madv_cold_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "cold");
    op_observe("after_cold");
    op_read("a", 0, N);
}

static void madv_pageout_anon(void) {
    if (!swap_present()) skip("no swap configured (/proc/swaps is empty): anonymous pages cannot be paged out");
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "pageout");
    op_observe("after_pageout");
    op_read("a", 0, N);
    op_observe("after_read");
}

static void madv_pageout_anon_noswap(void) {
    if (swap_present()) skip("swap is configured; this case records the behaviour without swap");
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "pageout");
    op_observe("after_pageout");
    op_read("a", 0, N);
}

static void madv_pageout_file(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "r", .flags = "private", .file = "f");
    op_read("a", 0, N);
    op_observe("after_read");
    op_madvise("a", 0, N, "pageout");
    op_observe("after_pageout");
    op_read("a", 0, N);
    op_observe("after_reread");
}

static void thp_common_touch(const char *mode, const char *advice) {
    op_sysctl("thp_enabled", mode);
    MMAP(.label = "a", .len = 2 * H, .prot = "rw", .flags = "private|anonymous");
    if (advice) op_madvise("a", 0, 2 * H, advice);
    op_write("a", 0, 2 * H, 0x5a);
    op_observe("after_write");
}

static void thp_madvise_hugepage(void) { thp_common_touch("madvise", "hugepage"); }
static void thp_madvise_no_advice(void) { thp_common_touch("madvise", NULL); }
static void thp_always(void) { thp_common_touch("always", NULL); }
static void thp_always_nohugepage(void) { thp_common_touch("always", "nohugepage"); }
static void thp_never_hugepage(void) { thp_common_touch("never", "hugepage"); }

static void thp_read_huge_zero(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, H, "hugepage");
    op_read("a", 0, H);
    op_observe("after_read");
    op_write("a", 0, PG, 0x5a);
    op_observe("after_write");
}

static void thp_unaligned_tail(void) {
    /* 2 MiB + 64 KiB from an aligned start: one huge page, the tail in small pages */
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H + N, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, H + N, "hugepage");
    op_write("a", 0, H + N, 0x5a);
    op_observe("after_write");
}

static void thp_partial_munmap(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, H, "hugepage");
    op_write("a", 0, H, 0x5a);
    op_observe("after_write");
    op_munmap("a", H / 2, PG);
    op_observe("after_munmap");
}

static void thp_fork_cow(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, H, "hugepage");
    op_write("a", 0, H, 0x11);
    pid_t pid = op_fork();
    if (pid == 0) {
        op_observe("child_after_fork");
        op_write("a", 0, PG, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, H);
}

static void madv_collapse(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, H, 0x5a);
    op_observe("before_collapse");
    op_madvise("a", 0, H, "collapse");
    op_observe("after_collapse");
    op_read("a", 0, H);
}

static void madv_collapse_sparse(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, 8 * PG, 0x5a);
    op_madvise("a", 0, H, "collapse");
    op_observe("after_collapse");
}

static void madv_dontneed_thp_partial(void) {
    op_sysctl("thp_enabled", "madvise");
    MMAP(.label = "a", .len = H, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, H, "hugepage");
    op_write("a", 0, H, 0x5a);
    op_madvise("a", 0, N, "dontneed");
    op_observe("after_dontneed");
    op_read("a", 0, 2 * N);
}

const struct probe_case cases_madv[] = {
    {"madv-dontneed-anon", "MADV_DONTNEED on written private anonymous memory: Rss drops to 0, later reads fault and see zeros.", madv_dontneed_anon, 5},
    {"madv-dontneed-shared-anon", "MADV_DONTNEED on shared anonymous memory unmaps the pages but the data stays in the shmem object.", madv_dontneed_shared_anon, 5},
    {"madv-dontneed-private-file", "MADV_DONTNEED on written private file pages drops the private copies: reads show the file again.", madv_dontneed_private_file, 5},
    {"madv-free-anon", "MADV_FREE without memory pressure: what stays mapped (LazyFree), what reads return, and a rewrite.", madv_free_anon, 5},
    {"madv-cold-anon", "MADV_COLD deactivates the pages: nothing visible changes (Rss kept, no faults on re-read).", madv_cold_anon, 5},
    {"madv-pageout-anon", "MADV_PAGEOUT with swap: written anonymous pages are swapped out.", madv_pageout_anon, 5},
    {"madv-pageout-anon-noswap", "MADV_PAGEOUT on anonymous pages without swap: nothing can be paged out, Rss kept.", madv_pageout_anon_noswap, 5},
    {"madv-pageout-file", "MADV_PAGEOUT on clean private file pages: unmapped and dropped from the page cache; re-reads are major faults.", madv_pageout_file, 5},
    {"thp-madvise-hugepage", "THP enabled=madvise, MADV_HUGEPAGE on a 4 MiB aligned mapping: 2 huge-page faults.", thp_madvise_hugepage, 5},
    {"thp-madvise-no-advice", "THP enabled=madvise without MADV_HUGEPAGE: 4 KiB pages only.", thp_madvise_no_advice, 5},
    {"thp-always", "THP enabled=always, no advice: huge pages on a 4 MiB aligned mapping.", thp_always, 5},
    {"thp-always-nohugepage", "THP enabled=always with MADV_NOHUGEPAGE: 4 KiB pages only.", thp_always_nohugepage, 5},
    {"thp-never-hugepage", "THP enabled=never with MADV_HUGEPAGE: 4 KiB pages only.", thp_never_hugepage, 5},
    {"thp-read-huge-zero-page", "A read fault on a MADV_HUGEPAGE range (where Linux can map the huge zero page), then a write.", thp_read_huge_zero, 5},
    {"thp-unaligned-tail", "A 2 MiB + 64 KiB MADV_HUGEPAGE mapping: one huge page, the tail in 4 KiB pages.", thp_unaligned_tail, 5},
    {"thp-partial-munmap", "munmap of one 4 KiB page inside a huge page splits the PMD mapping; Rss drops by 4 KiB.", thp_partial_munmap, 5},
    {"thp-fork-cow", "A huge page across fork: the child's write to one 4 KiB page copies (huge or small, as the kernel decides).", thp_fork_cow, 5},
    {"madv-collapse", "MADV_COLLAPSE of a fully written 2 MiB range (THP madvise, no MADV_HUGEPAGE): becomes one huge page, data kept.", madv_collapse, 5},
    {"madv-collapse-sparse", "MADV_COLLAPSE of a 2 MiB range with only 8 pages written.", madv_collapse_sparse, 5},
    {"madv-dontneed-thp-partial", "MADV_DONTNEED of 64 KiB of a huge page splits the PMD; the range reads zeros after.", madv_dontneed_thp_partial, 5},
};
const int cases_madv_n = sizeof cases_madv / sizeof cases_madv[0];
