/* Overcommit accounting and memory cgroup limits. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

static void record_commit(const char *when) {
    char k[96];
    snprintf(k, sizeof k, "%s.commit_limit_kb", when);
    fact_i(k, meminfo_kb("CommitLimit"));
    snprintf(k, sizeof k, "%s.committed_as_kb", when);
    fact_i(k, meminfo_kb("Committed_AS"));
    snprintf(k, sizeof k, "%s.mem_total_kb", when);
    fact_i(k, meminfo_kb("MemTotal"));
    snprintf(k, sizeof k, "%s.swap_total_kb", when);
    fact_i(k, meminfo_kb("SwapTotal"));
}

static void overcommit_0(void) {
    op_sysctl("overcommit_memory", "0");
    record_commit("before");
    long ram = meminfo_kb("MemTotal") * KiB, swap = meminfo_kb("SwapTotal") * KiB;
    long big = (ram + swap) / (2 * MiB) * (2 * MiB) * 2; /* twice RAM + swap */
    long half = ram / 2 / (2 * MiB) * (2 * MiB);
    if (MMAP(.label = "big", .len = big, .prot = "rw", .flags = "private|anonymous", .anywhere = 1)) op_munmap("big", 0, big);
    if (MMAP(.label = "nores", .len = big, .prot = "rw", .flags = "private|anonymous|noreserve", .anywhere = 1)) op_munmap("nores", 0, big);
    if (MMAP(.label = "half", .len = half, .prot = "rw", .flags = "private|anonymous", .anywhere = 1)) op_munmap("half", 0, half);
}

static void overcommit_1(void) {
    op_sysctl("overcommit_memory", "1");
    record_commit("before");
    long ram = meminfo_kb("MemTotal") * KiB, swap = meminfo_kb("SwapTotal") * KiB;
    long big = (ram + swap) / (2 * MiB) * (2 * MiB) * 4;
    if (MMAP(.label = "big", .len = big, .prot = "rw", .flags = "private|anonymous", .anywhere = 1)) op_munmap("big", 0, big);
}

static void overcommit_2(void) {
    long limit = meminfo_kb("CommitLimit"), committed = meminfo_kb("Committed_AS");
    if (committed + 512 * 1024 > limit)
        skip("Committed_AS is within 512 MiB of CommitLimit: strict accounting would refuse other processes' allocations");
    op_sysctl("overcommit_memory", "2");
    record_commit("before");
    limit = meminfo_kb("CommitLimit");
    committed = meminfo_kb("Committed_AS");
    long remaining = (limit - committed) * KiB;
    long over = (remaining + 256 * MiB) / (2 * MiB) * (2 * MiB);
    long small = 64 * MiB;
    if (MMAP(.label = "over", .len = over, .prot = "rw", .flags = "private|anonymous", .anywhere = 1)) op_munmap("over", 0, over);
    if (MMAP(.label = "over_nores", .len = over, .prot = "rw", .flags = "private|anonymous|noreserve", .anywhere = 1)) op_munmap("over_nores", 0, over);
    if (MMAP(.label = "small", .len = small, .prot = "rw", .flags = "private|anonymous", .anywhere = 1)) op_munmap("small", 0, small);
    /* read-only private memory is not charged; making it writable is */
    if (MMAP(.label = "ro", .len = over, .prot = "r", .flags = "private|anonymous", .anywhere = 1)) {
        op_mprotect("ro", 0, over, "rw");
        op_munmap("ro", 0, over);
    }
    /* shared anonymous memory is charged at mmap time too */
    if (MMAP(.label = "shared", .len = over, .prot = "rw", .flags = "shared|anonymous", .anywhere = 1)) op_munmap("shared", 0, over);
    record_commit("after");
}

static void cgroup_anon(long limit, long size, int runs_child_fact) {
    (void)runs_child_fact;
    op_cgroup_create(limit);
    pid_t pid = op_fork();
    if (pid == 0) {
        if (op_cgroup_enter() != 0) op_exit();
        MMAP(.label = "a", .len = size, .prot = "rw", .flags = "private|anonymous");
        op_write("a", 0, size, 0x5a);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_observe("parent_after_child");
}

static void cgroup_oom(void) { cgroup_anon(32 * MiB, 64 * MiB, 1); }
static void cgroup_within(void) { cgroup_anon(32 * MiB, 16 * MiB, 0); }

static void cgroup_page_cache(void) {
    op_cgroup_create(32 * MiB);
    op_file("f", 0, 0);
    pid_t pid = op_fork();
    if (pid == 0) {
        if (op_cgroup_enter() != 0) op_exit();
        op_pwrite("f", 0, 64 * MiB, 0x5a);
        op_fsync("f");
        op_exit();
    }
    op_wait(pid);
    op_observe("parent_after_child");
    op_ftruncate("f", 0);
}

static void cgroup_shmem_oom(void) {
    if (swap_present()) skip("swap is configured; this case records shmem under a limit without swap");
    op_cgroup_create(32 * MiB);
    pid_t pid = op_fork();
    if (pid == 0) {
        if (op_cgroup_enter() != 0) op_exit();
        MMAP(.label = "a", .len = 64 * MiB, .prot = "rw", .flags = "shared|anonymous");
        op_write("a", 0, 64 * MiB, 0x5a);
        op_exit();
    }
    op_wait(pid);
    op_observe("parent_after_child");
}

static void cgroup_swap(void) {
    if (!swap_present()) skip("no swap configured (/proc/swaps is empty): a limited cgroup cannot swap");
    cgroup_anon(32 * MiB, 64 * MiB, 1);
}

const struct probe_case cases_limits[] = {
    {"overcommit-0-heuristic", "overcommit_memory=0: one private writable mmap larger than RAM + swap fails ENOMEM; with MAP_NORESERVE it succeeds; half of RAM succeeds.", overcommit_0, 3},
    {"overcommit-1-always", "overcommit_memory=1: a private writable mmap of 4 x (RAM + swap) succeeds.", overcommit_1, 3},
    {"overcommit-2-strict", "overcommit_memory=2: a charged mmap of more than CommitLimit - Committed_AS fails ENOMEM (MAP_NORESERVE too, shared too); 64 MiB succeeds; a read-only private map succeeds but mprotect to rw fails ENOMEM.", overcommit_2, 3},
    {"memcg-anon-oom", "A process in a memory cgroup limited to 32 MiB writes 64 MiB of private anonymous memory without swap: the cgroup OOM killer kills it (SIGKILL).", cgroup_oom, 10},
    {"memcg-anon-within-limit", "A process in a memory cgroup limited to 32 MiB writes 16 MiB: it completes, the cgroup is charged about 16 MiB.", cgroup_within, 10},
    {"memcg-page-cache-reclaim", "A process in a memory cgroup limited to 32 MiB writes a 64 MiB file: page cache is reclaimed within the limit, no OOM.", cgroup_page_cache, 20},
    {"memcg-shmem-oom", "A process in a memory cgroup limited to 32 MiB writes 64 MiB of shared anonymous memory without swap: OOM-killed.", cgroup_shmem_oom, 10},
    {"memcg-anon-swap", "With swap: a process limited to 32 MiB writing 64 MiB swaps instead of being killed.", cgroup_swap, 10},
};
const int cases_limits_n = sizeof cases_limits / sizeof cases_limits[0];
