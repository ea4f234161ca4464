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
     * Reclaim synchronously for an allocation that may block ({@code __alloc_pages_direct_reclaim}).
     *
     * @return true if any pages were freed (Linux's {@code did_some_progress})
     */
    default boolean directReclaim(int gfp, int order, int node) {
        return false;
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
