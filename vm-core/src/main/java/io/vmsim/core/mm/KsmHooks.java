package io.vmsim.core.mm;

/**
 * What the core's generic paths tell KSM ({@code io.vmsim.core.ksm}, issue 11): a KSM page
 * freed or migrated, a KSM zero-page mapping gone, a fork or exit of an address space, and the
 * reverse map of KSM pages ({@code rmap_walk_ksm()}). An interface here, implemented there, so
 * that {@code mm} does not depend on that package; the defaults do nothing, as a kernel without
 * {@code CONFIG_KSM}.
 */
public interface KsmHooks {
    /** Hooks that do nothing. */
    KsmHooks NONE = new KsmHooks() {
    };

    /** KSM page {@code pfn} lost its last reference and is being freed. */
    default void ksmPageFreed(int pfn) {
    }

    /** KSM page {@code from} was migrated to {@code to} ({@code folio_migrate_ksm()}). */
    default void ksmPageMigrated(int from, int to) {
    }

    /**
     * A PTE that KSM pointed at the zero page went ({@code ksm_might_unmap_zero_page()}): unmapped,
     * or replaced by a new page on a write fault.
     */
    default void zeroPageUnmapped(Mm mm) {
    }

    /** {@code ksm_fork()}: the child of a process KSM scans is scanned too. */
    default void forked(Mm parent, Mm child) {
    }

    /** {@code rmap_walk_ksm()}: visits every PTE mapping KSM page {@code pfn}; returns how many. */
    default int rmapWalk(int pfn, Rmap.Visitor v) {
        return 0;
    }

    /** Checks KSM's counters against its trees and the frames; throws {@link IllegalStateException} (debug checks). */
    default void verify() {
    }

    /** madvise(MADV_MERGEABLE) on {@code [start, end)}: {@code ksm_madvise()} -> {@code __ksm_enter()}. */
    default void madviseMergeable(Mm mm) {
    }

    /** madvise(MADV_UNMERGEABLE) on {@code [start, end)}: {@code unmerge_ksm_pages()}, before the flag goes. */
    default void unmerge(Mm mm, long start, long end, int cpu) {
    }
}
