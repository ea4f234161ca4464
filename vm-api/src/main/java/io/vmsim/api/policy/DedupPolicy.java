package io.vmsim.api.policy;

/**
 * Chooses how page deduplication (KSM, {@code mm/ksm.c}) scans and merges. The core keeps the
 * stable and unstable trees and does the merging; the policy chooses pace and candidates.
 */
public interface DedupPolicy extends Policy {
    /** True if ksmd runs at all ({@code /sys/kernel/mm/ksm/run} = 1). */
    boolean enabled();

    /** Pages ksmd visits per wake-up ({@code pages_to_scan}). */
    default int pagesToScan() {
        return 100;
    }

    /** Milliseconds ksmd sleeps between wake-ups ({@code sleep_millisecs}). */
    default int sleepMillis() {
        return 20;
    }

    /**
     * Whether a candidate page whose content equals a stable page already shared by
     * {@code sharing} mappings should merge into it ({@code max_page_sharing} caps this).
     */
    default boolean shouldMerge(int candidatePfn, int stablePfn, int sharing) {
        return true;
    }
}
