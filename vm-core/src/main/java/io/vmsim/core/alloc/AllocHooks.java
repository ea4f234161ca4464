package io.vmsim.core.alloc;

/**
 * What the page allocator's slow path asks of the rest of the core
 * ({@code __alloc_pages_slowpath} in {@code mm/page_alloc.c}): waking kswapd, direct reclaim
 * and the OOM killer. The reclaim driver implements it; the defaults do nothing, so an
 * allocator without hooks simply fails when the min watermark is reached.
 */
public interface AllocHooks {
    /** Hooks that never reclaim. */
    AllocHooks NONE = new AllocHooks() {
    };

    /**
     * An allocation of {@code order} found a zone of {@code node} below its low watermark
     * ({@code wakeup_kswapd}). The implementation decides whether the node needs balancing.
     */
    default void wakeKswapd(int node, int order) {
    }

    /**
     * {@code wakeup_kswapd(zone, gfp_flags, order, highest_zoneidx)}: as
     * {@link #wakeKswapd(int, int)}, with the allocation's {@link Gfp} flags (an allocation
     * that will not reclaim itself wakes kcompactd when the node is balanced but fragmented).
     */
    default void wakeKswapd(int node, int order, int gfp) {
        wakeKswapd(node, order);
    }

    /** False while the caller is reclaim itself ({@code PF_MEMALLOC}): no direct reclaim, no OOM. */
    default boolean mayDirectReclaim() {
        return true;
    }

    /**
     * One direct reclaim for an allocation that may block ({@code __alloc_pages_direct_reclaim}):
     * Linux asks {@code try_to_free_pages()} for {@code SWAP_CLUSTER_MAX} pages.
     *
     * @return pages freed (Linux's {@code did_some_progress})
     */
    default long directReclaim(int gfp, int order, int node) {
        return 0;
    }

    /**
     * {@code zone_reclaimable_pages()}: pages of {@code zone} reclaim could still free, which
     * {@code should_reclaim_retry()} adds to its free pages to decide whether retrying can help.
     */
    default long zoneReclaimablePages(Zone zone) {
        return 0;
    }

    /**
     * Reclaim made no progress: kill something ({@code __alloc_pages_may_oom}). Not called for
     * {@link Gfp#__GFP_NORETRY}, {@link Gfp#__GFP_RETRY_MAYFAIL}, {@link Gfp#__GFP_THISNODE} or
     * costly orders (&gt; 3) unless {@link Gfp#__GFP_NOFAIL}.
     *
     * @return true if memory was freed and the allocation should be retried
     */
    default boolean outOfMemory(int gfp, int order, int node) {
        return false;
    }
}
