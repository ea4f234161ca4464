package io.vmsim.api.policy;

/**
 * A NUMA hinting fault on a page of a slower memory tier under memory tiering
 * ({@code kernel.numa_balancing=2}, {@code NUMA_BALANCING_MEMORY_TIERING}), as the tiering branch
 * of {@code should_numa_migrate_memory()} ({@code kernel/sched/fair.c}, Linux 6.18) sees it. A
 * read-only view the core reuses; valid only during the call that passes it.
 */
public interface NumaPromotion {
    /** The page's frame. */
    int pfn();

    /** The node the page is on, in a tier below the top tier ({@code !node_is_toptier()}). */
    int pageNode();

    /** The node it would be promoted to: the faulting CPU's ({@code mpol_misplaced()} with MPOL_F_MORON). */
    int targetNode();

    /** The faulting CPU. */
    int cpu();

    /**
     * {@code numa_hint_fault_latency()}: ms from the time the scanner made the page's entry
     * NUMA-hinting (or its last hinting fault) to this fault; the shorter, the hotter the page.
     */
    long latencyMs();

    /**
     * The target node's hot threshold in ms: {@code pgdat->nbp_threshold} as
     * {@code numa_promotion_adjust_threshold()} keeps it, or the default
     * ({@code kernel.numa_balancing_hot_threshold_ms}) before it was adjusted.
     */
    long hotThresholdMs();

    /**
     * {@code pgdat_free_space_enough()} of the target node: some zone has more than its promo
     * watermark plus {@code max(1 GiB, node pages / 16)} free.
     */
    boolean freeSpaceEnough();
}
