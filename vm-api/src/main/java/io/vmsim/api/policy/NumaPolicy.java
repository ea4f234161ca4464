package io.vmsim.api.policy;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;

/**
 * Places pages on NUMA nodes: where a new page is allocated and, for balancing policies, what
 * to do on a NUMA hinting fault ({@code do_numa_page()} in {@code mm/memory.c}), how fast the
 * scanner marks pages ({@code task_numa_work()} in {@code kernel/sched/fair.c}) and which node a
 * task should run on ({@code task_numa_placement()}).
 *
 * <p>The core runs the scanner and calls the balancing methods only for a policy whose
 * {@link #wantsHintingFaults} is true and only when {@code kernel.numa_balancing} is not 0; the
 * mechanisms (marking, restoring the entry, migrating the page, moving the task, decaying the
 * statistics) are the core's.
 */
public interface NumaPolicy extends Policy {
    /**
     * The node to allocate a new page on. {@code localNode} is the node of the faulting CPU.
     * The core falls back to other nodes, in distance order, if the chosen one is full.
     */
    int allocationNode(TaskView task, VmaView vma, long address, int localNode);

    /** True if the policy wants the NUMA scanner to unmap pages and produce hinting faults. */
    default boolean wantsHintingFaults() {
        return false;
    }

    /**
     * A hinting fault: {@code task} running on {@code localNode} touched a page on
     * {@code pageNode}. Returns the node to migrate the page to, or -1 to leave it.
     */
    default int hintingFault(TaskView task, int pfn, int pageNode, int localNode) {
        return -1;
    }

    /**
     * A hinting fault with what the core knows of it: the page's previous {@code last_cpupid}
     * and the task's fault statistics. Returns the node to migrate the page to, or -1 to leave
     * it. The default asks {@link #hintingFault(TaskView, int, int, int)}.
     */
    default int hintingFault(TaskView task, NumaHintFault fault) {
        return hintingFault(task, fault.pfn(), fault.pageNode(), fault.localNode());
    }

    /**
     * Task placement advice, once per scan pass over the task's address space
     * ({@code task_numa_placement()}): the node the task should run on, or -1 for no preference.
     * The core moves the task to a CPU of that node that its {@code cpus_allowed} permit, or
     * swaps it with a task there ({@code task_numa_migrate()}).
     */
    default int preferredNode(TaskView task, NumaTaskStats stats) {
        return -1;
    }

    /**
     * The task's next scan period in milliseconds, given the one the core computed as
     * {@code update_task_scan_period()} does (between {@code scan_period_min_ms} and
     * {@code scan_period_max_ms}, scaled to the address space). Return it unchanged to follow Linux.
     */
    default long scanPeriodMs(TaskView task, long periodMs) {
        return periodMs;
    }

    /**
     * Pages of address space to mark per scan pass, given {@code kernel.numa_balancing_scan_size_mb}
     * in pages. Return it unchanged to follow Linux.
     */
    default long scanPages(TaskView task, long pages) {
        return pages;
    }

    // ---------------------------------------------------------------- memory tiering

    /** {@link #promotion} verdict: leave the page on its slow node. */
    int PROMOTION_KEEP = 0;
    /** {@link #promotion} verdict: promote it now, outside the rate limit (counted as {@code pgpromote_candidate_nrl}). */
    int PROMOTION_NOW = 1;
    /**
     * {@link #promotion} verdict: a candidate ({@code pgpromote_candidate}), promoted if
     * {@code kernel.numa_balancing_promote_rate_limit_MBps} allows ({@code numa_promotion_rate_limit()}).
     */
    int PROMOTION_RATE_LIMITED = 2;

    /**
     * Memory tiering ({@code kernel.numa_balancing=2}): a hinting fault on a page of a slower tier.
     * Returns {@link #PROMOTION_KEEP}, {@link #PROMOTION_NOW} or {@link #PROMOTION_RATE_LIMITED}; the
     * core migrates the page to {@link NumaPromotion#targetNode()} when that node has room
     * ({@code migrate_misplaced_folio()}), else wakes its kswapd. The default is Linux's rule
     * ({@code should_numa_migrate_memory()}, Linux 6.18): promote at once while the target has free
     * space enough, otherwise a page whose hint-fault latency is below the hot threshold is a
     * rate-limited candidate.
     */
    default int promotion(TaskView task, NumaPromotion fault) {
        if (fault.freeSpaceEnough()) {
            return PROMOTION_NOW;
        }
        return fault.latencyMs() < fault.hotThresholdMs() ? PROMOTION_RATE_LIMITED : PROMOTION_KEEP;
    }

    /**
     * Free pages kswapd keeps on {@code node}, a node with a demotion target, when demotion is on:
     * given Linux's mark ({@code markPages}: the promo watermark in tiering mode, else the high
     * watermark, summed over the node's zones), the mark to reclaim (demote) up to. A larger mark
     * also wakes kswapd as soon as free pages drop below it. Return {@code markPages} to follow Linux.
     */
    default long demotionWatermarkPages(int node, long markPages) {
        return markPages;
    }
}
