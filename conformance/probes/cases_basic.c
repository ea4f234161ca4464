/* Anonymous faults, fork and copy-on-write, shared mappings. */
#include "probe.h"

#define N (16 * PG)

static void anon_untouched(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_observe("after_mmap");
}

static void anon_read_zero_page(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_read("a", 0, N);
    op_observe("after_read");
}

static void anon_write_fault(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_observe("after_write");
    op_read("a", 0, N);
}

static void anon_read_then_write(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_read("a", 0, N);
    op_write("a", 0, N, 0x5a);
    op_observe("after_write");
}

static void anon_populate(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous|populate");
    op_observe("after_mmap");
    op_write("a", 0, N, 0x5a);
}

static void anon_populate_write(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_madvise("a", 0, N, "populate_write");
    op_observe("after_populate");
    op_write("a", 0, N, 0x5a);
}

static void anon_readonly_read(void) {
    MMAP(.label = "a", .len = N, .prot = "r", .flags = "private|anonymous");
    op_read("a", 0, N);
    op_write("a", 0, PG, 1);
    op_observe("after_access");
}

static void fork_private_anon_cow(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x11);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_read("a", 0, N);
        op_observe("child_after_fork");
        op_write("a", 0, N, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_observe("parent_after_child");
}

static void fork_private_anon_parent_writes(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x11);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_observe("child_after_fork");
        op_exit();
    }
    op_wait(pid);
    /* the child is gone: the page is the parent's alone again, but the
       pte is still write-protected from the fork */
    op_write("a", 0, N, 0x33);
    op_observe("parent_after_write");
}

static void fork_private_anon_child_reads_parent_write(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x11);
    pid_t pid = op_fork();
    if (pid == 0) {
        op_write("a", 0, N, 0x44);
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_observe("parent_after_child");
}

static void fork_zero_page(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_read("a", 0, N);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_read("a", 0, N);
        op_observe("child_after_read");
        op_write("a", 0, N, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
}

static void fork_untouched_private(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_write("a", 0, N, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_observe("parent_after_child");
}

static void fork_shared_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared|anonymous");
    op_write("a", 0, N, 0x11);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_read("a", 0, N);
        op_observe("child_after_read");
        op_write("a", 0, N, 0x22);
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_observe("parent_after_child");
}

static void fork_shared_anon_untouched(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared|anonymous");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_write("a", 0, N, 0x22);
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_observe("parent_after_child");
}

static void shared_anon_read_untouched(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared|anonymous");
    op_read("a", 0, N);
    op_observe("after_read");
}

static void memfd_shared(void) {
    op_memfd("m", N, 0);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared", .file = "m");
    op_write("a", 0, N, 0x77);
    op_pread("m", 0, N);
    op_observe("after_write");
}

static void memfd_two_mappings(void) {
    op_memfd("m", N, 0);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared", .file = "m");
    MMAP(.label = "b", .len = N, .prot = "r", .flags = "shared", .file = "m");
    op_write("a", 0, N, 0x66);
    op_read("b", 0, N);
    op_observe("after_access");
}

const struct probe_case cases_basic[] = {
    {"anon-untouched", "A private anonymous mapping nobody touched: no frames, no resident pages.", anon_untouched, 5},
    {"anon-read-zero-page", "Read faults on untouched private anonymous memory (where Linux usually maps the shared zero page: see Rss, pm_zero_page, pm_distinct_frames).", anon_read_zero_page, 5},
    {"anon-write-fault", "Write faults on untouched private anonymous memory allocate one zeroed frame a page.", anon_write_fault, 5},
    {"anon-read-then-write", "Read (zero page) then write: the write faults again and replaces the zero page by a new frame.", anon_read_then_write, 5},
    {"anon-map-populate", "MAP_POPULATE prefaults every page at mmap time; the later writes do not fault.", anon_populate, 5},
    {"anon-madv-populate-write", "MADV_POPULATE_WRITE prefaults writable frames; the later writes do not fault.", anon_populate_write, 5},
    {"anon-readonly-mapping", "A PROT_READ private anonymous mapping: reads give zeros (zero page), a write raises SIGSEGV.", anon_readonly_read, 5},
    {"fork-private-anon-cow", "Private anonymous pages after fork: child shares the parent's frames until it writes; its writes copy, the parent keeps its data.", fork_private_anon_cow, 5},
    {"fork-private-anon-reuse-after-child-exit", "After the child exits, the parent's first write to a page write-protected by fork faults but reuses the frame (no copy).", fork_private_anon_parent_writes, 5},
    {"fork-private-anon-isolation", "A child's writes to private anonymous memory are invisible to the parent.", fork_private_anon_child_reads_parent_write, 5},
    {"fork-zero-page", "Pages only read before fork (zero-page candidates): what the child's reads and writes map.", fork_zero_page, 5},
    {"fork-private-anon-untouched", "An untouched private anonymous mapping across fork: the child's writes allocate only in the child.", fork_untouched_private, 5},
    {"fork-shared-anon", "MAP_SHARED|MAP_ANONYMOUS across fork: the same frames in both; the child faults them in on first touch; the parent sees the child's writes.", fork_shared_anon, 5},
    {"fork-shared-anon-untouched", "Shared anonymous memory first written by the child after fork is visible to the parent.", fork_shared_anon_untouched, 5},
    {"shared-anon-read", "Read faults on shared anonymous memory allocate shmem frames (no zero page): Rss grows.", shared_anon_read_untouched, 5},
    {"memfd-shared-write", "A memfd mapped MAP_SHARED: writes through the mapping are what read() returns.", memfd_shared, 5},
    {"memfd-two-mappings", "Two mappings of one memfd (rw and r) see the same frames.", memfd_two_mappings, 5},
};
const int cases_basic_n = sizeof cases_basic / sizeof cases_basic[0];
