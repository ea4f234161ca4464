package io.vmsim.core.alloc;

/**
 * What the page allocator's slow path asks of memory compaction ({@code mm/compaction.c}):
 * waking kcompactd for a high-order allocation that could not be served, and direct
 * compaction for one that may stall ({@code __alloc_pages_direct_compact()} in
 * {@code mm/page_alloc.c}). Kept apart from {@link AllocHooks}, which belongs to reclaim.
 */
public interface CompactionHooks {
    /** No compaction: high-order allocations simply fail when no free block is large enough. */
    CompactionHooks NONE = new CompactionHooks() {
    };

    /** Compaction priority: async (movable pageblocks only, give up early). {@code COMPACT_PRIO_ASYNC}. */
    int PRIO_ASYNC = 2;
    /** Compaction priority: synchronous, every pageblock. {@code COMPACT_PRIO_SYNC_LIGHT}. */
    int PRIO_SYNC = 1;

    /** {@code wakeup_kcompactd()}: an allocation of {@code order} on {@code node} failed its fast path. */
    default void wakeKcompactd(int node, int order) {
    }

    /**
     * {@code try_to_compact_pages()} for a stalled allocation; the allocator retries its free
     * lists afterwards.
     *
     * @param priority {@link #PRIO_ASYNC} or {@link #PRIO_SYNC}
     * @return true if compaction ran (a {@code compact_stall}); false if it was skipped as unsuitable
     */
    default boolean directCompact(int gfp, int order, int node, int priority) {
        return false;
    }

    /** The outcome of the allocation that followed a direct compaction ({@code compact_success}/{@code compact_fail}). */
    default void compactResult(boolean allocated) {
    }
}
