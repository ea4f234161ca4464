/* mprotect, munmap, mremap, VMA merging, mlock. */
#include "probe.h"

#define N (16 * PG)

static void mprotect_none_segv(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_mprotect("a", 0, N, "none");
    op_read("a", 0, PG);
    op_write("a", 0, PG, 1);
    op_observe("after_protect");
}

static void mprotect_readonly_write_segv(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_mprotect("a", 0, N, "r");
    op_read("a", 0, N);
    op_write("a", 0, PG, 1);
    op_mprotect("a", 0, N, "rw");
    op_write("a", 0, N, 0x6b);
    op_read("a", 0, N);
    op_observe("after_restore");
}

static void mprotect_mmap_none_then_rw(void) {
    MMAP(.label = "a", .len = N, .prot = "none", .flags = "private|anonymous");
    op_read("a", 0, PG);
    op_mprotect("a", 0, N, "rw");
    op_write("a", 0, N, 0x5a);
    op_observe("after_write");
}

static void mprotect_split_merge(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_mprotect("a", 4 * PG, 4 * PG, "r");
    op_observe("after_split");
    op_mprotect("a", 4 * PG, 4 * PG, "rw");
    op_observe("after_restore");
}

static void mprotect_split_merge_untouched(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mprotect("a", 4 * PG, 4 * PG, "none");
    op_observe("after_split");
    op_mprotect("a", 4 * PG, 4 * PG, "rw");
    op_observe("after_restore");
}

static void mprotect_errors(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mprotect("a", 100, PG, "r");          /* unaligned start: EINVAL */
    op_mprotect("a", 0, N + 4 * PG, "r");    /* runs past the mapping into a hole: ENOMEM */
    op_observe("after_errors");
}

/* mempolicy (issue 10): mbind splits and merges VMAs as mprotect does (mbind_range(), mpol_equal()) */
static void mbind_split_merge(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_mbind("a", 4 * PG, 4 * PG, "bind", 1);       /* node 0 only: the middle becomes its own VMA */
    op_observe("after_split");
    op_mbind("a", 8 * PG, 2 * PG, "bind", 1);       /* the same policy next to it: merges with the middle */
    op_observe("after_extend");
    op_mbind("a", 0, N, "default", 0);              /* back to the default: one VMA again */
    op_observe("after_restore");
}

static void mbind_errors(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mbind("a", 100, PG, "bind", 1);              /* unaligned start: EINVAL */
    op_mbind("a", 0, PG, "bind", 0);                /* empty mask: EINVAL */
    op_mbind("a", 0, PG, "interleave", 0);          /* empty mask: EINVAL */
    op_mbind("a", 0, PG, "default", 1);             /* default takes no nodes: EINVAL */
    op_mbind("a", 0, PG, "local", 1);               /* local takes no nodes: EINVAL */
    op_mbind("a", 0, PG, "spread", 1);              /* no such mode: EINVAL */
    op_mbind("a", 0, PG, "bind", 1L << 5);          /* only a node without memory: EINVAL */
    op_mbind("a", 0, PG, "bind", 1 | (1L << 5));    /* node 5 is dropped, node 0 stays: ok */
    op_mbind("a", 0, N + 4 * PG, "bind", 1);        /* runs past the mapping into a hole: EFAULT */
    op_mbind("a", 0, PG, "preferred", 0);           /* preferred without nodes is local: ok */
    op_observe("after_errors");
}

static void set_mempolicy_bind(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_set_mempolicy("bind", 0);                    /* empty mask: EINVAL */
    op_set_mempolicy("weighted-interleave", 0);     /* empty mask: EINVAL */
    op_set_mempolicy("bind", 1);                    /* node 0: ok */
    op_write("a", 0, N, 0x5a);                      /* faults as without a policy */
    op_set_mempolicy("interleave", 1);
    op_read("a", 0, N);
    op_set_mempolicy("default", 0);
    op_observe("after_write");
}

static void munmap_middle(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_munmap("a", 4 * PG, 4 * PG);
    op_observe("after_munmap");
    op_read("a", 0, 4 * PG);
    op_read("a", 4 * PG, PG);
    op_read("a", 8 * PG, 8 * PG);
}

static void munmap_head_tail(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_munmap("a", 0, PG);
    op_munmap("a", N - PG, PG);
    op_observe("after_munmap");
}

static void munmap_errors(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_munmap("a", 100, PG);   /* unaligned: EINVAL */
    op_munmap("a", 0, 0);      /* zero length: EINVAL */
    op_munmap("a", N, N);      /* nothing mapped there: succeeds */
    op_observe("after_errors");
}

static void mremap_grow_in_place(void) {
    MMAP(.label = "a", .len = 4 * PG, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, 4 * PG, 0x5a);
    op_mremap("a", 8 * PG, "", NULL);
    op_read("a", 0, 8 * PG);
    op_observe("after_grow");
}

static void mremap_grow_blocked(void) {
    MMAP(.label = "a", .len = 4 * PG, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = 4 * PG, .prot = "r", .flags = "private|anonymous", .after = "a");
    op_write("a", 0, 4 * PG, 0x5a);
    op_mremap("a", 8 * PG, "", NULL);
    op_observe("after_refused");
}

static void mremap_maymove(void) {
    MMAP(.label = "a", .len = 4 * PG, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = 4 * PG, .prot = "r", .flags = "private|anonymous", .after = "a");
    op_write("a", 0, 4 * PG, 0x5a);
    op_mremap("a", 8 * PG, "maymove", "a_old");
    op_read("a", 0, 8 * PG);
    op_read("a_old", 0, PG);
    op_observe("after_move");
}

static void mremap_shrink(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x5a);
    op_mremap("a", 4 * PG, "", NULL);
    op_observe("after_shrink");
}

static void merge_adjacent_fresh(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = N, .prot = "rw", .flags = "private|anonymous", .after = "a");
    op_observe("after_mmap");
    op_write("a", 0, N, 1);
    op_write("b", 0, N, 2);
    op_observe("after_write");
}

static void merge_adjacent_after_fault(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 1);
    MMAP(.label = "b", .len = N, .prot = "rw", .flags = "private|anonymous", .after = "a");
    op_observe("after_mmap");
}

static void merge_adjacent_below(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 1);
    MMAP(.label = "b", .len = N, .prot = "rw", .flags = "private|anonymous", .before = "a");
    op_observe("after_mmap");
}

static void merge_adjacent_different_prot(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = N, .prot = "r", .flags = "private|anonymous", .after = "a");
    op_observe("after_mmap");
    op_mprotect("b", 0, N, "rw");
    op_observe("after_mprotect");
}

static void merge_both_faulted(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = N, .prot = "r", .flags = "private|anonymous", .after = "a");
    op_write("a", 0, N, 1);
    op_mprotect("b", 0, N, "rw");
    op_write("b", 0, N, 2);
    op_observe("after_write");
}

static void merge_shared_not_with_private(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    MMAP(.label = "b", .len = N, .prot = "rw", .flags = "shared|anonymous", .after = "a");
    op_observe("after_mmap");
}

static void mlock_populates(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mlock("a", 0, N, "");
    op_observe("after_mlock");
    op_write("a", 0, N, 0x5a);
    op_munlock("a", 0, N);
    op_observe("after_munlock");
}

static void mlock_partial_split(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mlock("a", 4 * PG, 4 * PG, "");
    op_observe("after_mlock");
    op_munlock("a", 4 * PG, 4 * PG);
    op_observe("after_munlock");
}

static void mlock_onfault(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_mlock("a", 0, N, "onfault");
    op_observe("after_mlock");
    op_write("a", 0, 4 * PG, 0x5a);
    op_observe("after_write");
}

static void map_locked(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous|locked");
    op_observe("after_mmap");
    op_write("a", 0, N, 0x5a);
}

const struct probe_case cases_prot[] = {
    {"mprotect-none-segv", "PROT_NONE after writing: reads and writes raise SIGSEGV; the frames stay resident.", mprotect_none_segv, 5},
    {"mprotect-readonly-then-rw", "PROT_READ: reads work, a write raises SIGSEGV; PROT_READ|PROT_WRITE again: writes work, data kept.", mprotect_readonly_write_segv, 5},
    {"mprotect-mmap-none-then-rw", "mmap PROT_NONE: a read raises SIGSEGV; after mprotect rw the writes fault normally.", mprotect_mmap_none_then_rw, 5},
    {"mprotect-split-merge", "mprotect of the middle 4 of 16 written pages splits the VMA in 3; restoring rw merges it back into 1.", mprotect_split_merge, 5},
    {"mprotect-split-merge-untouched", "The same split and merge on an untouched mapping (PROT_NONE middle).", mprotect_split_merge_untouched, 5},
    {"mprotect-errors", "mprotect errors: unaligned start EINVAL; a range running into unmapped space ENOMEM.", mprotect_errors, 5},
    {"mbind-split-merge", "mbind of the middle 4 of 16 written pages splits the VMA in 3; the same policy next to it merges; the default everywhere merges back into 1.", mbind_split_merge, 5},
    {"mbind-errors", "mbind errors: unaligned start, empty masks, nodes for default/local, an unknown mode, a mask of nodes without memory EINVAL; a hole EFAULT; a mask with one node with memory and preferred without nodes succeed.", mbind_errors, 5},
    {"set-mempolicy-bind", "set_mempolicy: empty masks EINVAL; bind and interleave on node 0 succeed and faults are as without a policy.", set_mempolicy_bind, 5},
    {"munmap-middle", "munmap of the middle 4 of 16 written pages: 2 VMAs, Rss drops by 16 KiB, the hole raises SIGSEGV.", munmap_middle, 5},
    {"munmap-head-tail", "munmap of the first and last page: 1 VMA of 14 pages remains.", munmap_head_tail, 5},
    {"munmap-errors", "munmap errors: unaligned EINVAL, zero length EINVAL, an unmapped range succeeds.", munmap_errors, 5},
    {"mremap-grow-in-place", "mremap 4 -> 8 pages without MREMAP_MAYMOVE when the space after is free: same address, data kept, new pages read as zero.", mremap_grow_in_place, 5},
    {"mremap-grow-blocked", "mremap 4 -> 8 pages without MREMAP_MAYMOVE when another mapping follows: ENOMEM.", mremap_grow_blocked, 5},
    {"mremap-maymove", "mremap 4 -> 8 pages with MREMAP_MAYMOVE when blocked: moves, data kept without faults for the moved pages, the old range unmapped.", mremap_maymove, 5},
    {"mremap-shrink", "mremap 16 -> 4 written pages: Rss drops to 16 KiB.", mremap_shrink, 5},
    {"merge-adjacent-fresh", "Two adjacent private anonymous mmaps with the same protection merge into one VMA.", merge_adjacent_fresh, 5},
    {"merge-adjacent-after-fault", "A new mapping placed right after a written (anon_vma-bearing) mapping merges with it.", merge_adjacent_after_fault, 5},
    {"merge-adjacent-below", "A new mapping placed right before a written mapping merges with it.", merge_adjacent_below, 5},
    {"merge-different-prot", "Adjacent mappings rw and r stay 2 VMAs; mprotect of the second to rw merges them.", merge_adjacent_different_prot, 5},
    {"merge-both-faulted", "Adjacent rw and r mappings, the first written; mprotect of the second to rw, then written.", merge_both_faulted, 5},
    {"merge-shared-private", "Adjacent private and shared anonymous mappings never merge.", merge_shared_not_with_private, 5},
    {"mlock-populates", "mlock faults every page in (counted as minor faults of the caller); Locked = Rss; the later writes do not fault; munlock clears Locked.", mlock_populates, 5},
    {"mlock-partial-split", "mlock of the middle 4 of 16 pages splits the VMA in 3; munlock merges it back.", mlock_partial_split, 5},
    {"mlock-onfault", "mlock2(MLOCK_ONFAULT) populates nothing; pages touched afterwards are locked.", mlock_onfault, 5},
    {"mmap-locked", "MAP_LOCKED populates and locks at mmap time.", map_locked, 5},
};
const int cases_prot_n = sizeof cases_prot / sizeof cases_prot[0];
