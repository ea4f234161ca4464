package io.vmsim.api.policy;

/**
 * Chooses how page deduplication (KSM, {@code mm/ksm.c}) scans and merges. The core keeps the
 * mm slots, rmap_items, the stable and unstable trees and {@code max_page_sharing}'s chains, and
 * does the merging; the policy chooses the pace, which pages ksmd compares, and may veto a merge.
 * Called only while ksmd runs ({@code mm.ksm.run} = 1 and {@link #enabled()}).
 */
public interface DedupPolicy extends Policy {
    /** True if ksmd runs at all (with {@code /sys/kernel/mm/ksm/run} = 1). */
    boolean enabled();

    /**
     * Pages ksmd compares per wake-up; {@code configured} is {@code pages_to_scan}
     * ({@code mm.ksm.pages_to_scan}). Must be at least 1.
     */
    default int pagesToScan(int configured) {
        return configured;
    }

    /** Milliseconds ksmd sleeps between wake-ups; {@code configured} is {@code sleep_millisecs}. At least 0. */
    default int sleepMillis(int configured) {
        return configured;
    }

    /**
     * Whether ksmd compares page {@code pfn} on this visit (after {@code smart_scan} let it
     * through); false skips it until the next full scan, and it does not count against
     * {@link #pagesToScan}. {@code checksum} is the page's content checksum now (the kernel's
     * {@code calc_checksum()}), {@code age} the scans since it last merged (saturating at 255).
     * Called for KSM pages too (age 0), so that the policy sees every page's contents, but a KSM
     * page is compared whatever it answers.
     */
    default boolean shouldScan(int pfn, int checksum, int age) {
        return true;
    }

    /**
     * Whether candidate page {@code candidatePfn} should merge with {@code stablePfn}, a KSM page
     * already shared by {@code sharing} mappings (0: an unstable-tree page, merging makes a new
     * KSM page). The core has already applied {@code max_page_sharing}.
     */
    default boolean shouldMerge(int candidatePfn, int stablePfn, int sharing) {
        return true;
    }

    /** A full scan of every mergeable area ended; {@code fullScans} is {@code full_scans}. */
    default void fullScanDone(long fullScans) {
    }
}
