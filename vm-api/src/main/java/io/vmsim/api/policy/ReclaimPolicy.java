package io.vmsim.api.policy;

/**
 * Chooses which pages to evict. One instance serves one LRU domain (a node, or a node within a
 * memory cgroup), the way Linux keeps one {@code lruvec} per node and memcg.
 *
 * <p>The core tells the policy when an evictable page enters or leaves its domain, and asks
 * it for victims under memory pressure. Like the kernel, a policy normally learns about use
 * by testing and clearing accessed bits through {@link ScanControl#testAndClearYoung}; a
 * policy that needs to see every reference (exact LRU, ARC, LIRS, OPT) opts in with
 * {@link #observesEveryAccess()}, and only then does the core call {@link #pageAccessed}.
 */
public interface ReclaimPolicy extends Policy {
    /**
     * True if the policy wants {@link #pageAccessed} on every reference. Read once when the
     * policy is installed; a policy that returns false costs nothing on the access path.
     */
    default boolean observesEveryAccess() {
        return false;
    }

    /**
     * True if the policy wants {@link #pageMarkedAccessed} when a page is used through a system
     * call. Otherwise the core keeps Linux's two steps in the page's flags (PG_referenced, then
     * activation), and {@link ScanControl#testAndClearYoung} reports the second. Read once.
     */
    default boolean observesMarkAccessed() {
        return false;
    }

    /**
     * A page was used through a system call rather than through a mapping: {@code read()} or
     * {@code write()} of a cached file page, what Linux reports with {@code folio_mark_accessed()}
     * ({@code mm/swap.c}): the first use sets PG_referenced, the second activates an inactive
     * page. Called only when {@link #observesMarkAccessed()} is true (and not for policies that
     * see every access, which get {@link #pageAccessed}); never on the TLB-hit path.
     */
    default void pageMarkedAccessed(int pfn) {
    }

    /** A page became resident and evictable in this domain (Linux: {@code folio_add_lru}). */
    void pageAdded(int pfn, boolean anon);

    /**
     * An evictable page left the domain for a reason the policy did not choose: it was freed
     * (unmapped and released), migrated, or became unevictable.
     */
    void pageRemoved(int pfn);

    /** A reference to a resident page; called only when {@link #observesEveryAccess()} is true. */
    default void pageAccessed(int pfn, boolean write) {
    }

    /**
     * Picks victims for a reclaim request. The policy removes each victim from its own
     * bookkeeping and hands it to {@link ScanControl#reclaim(int)}; the core then unmaps and
     * frees it (or, if the page cannot be reclaimed right now, hands it back with
     * {@link #pageAdded}). Returns when {@link ScanControl#nrToReclaim()} pages were taken or
     * nothing more can be found.
     */
    void shrink(ScanControl sc);

    /**
     * Called as a victim is evicted; the value returned is stored in the page-cache or swap
     * slot as a shadow entry and handed back to {@link #pageRefaulted} if the page returns
     * (the mechanism of {@code mm/workingset.c}). The default stores no information.
     */
    default long pageEvicted(int pfn) {
        return 0L;
    }

    /** An evicted page was faulted back in; {@code shadow} is what {@link #pageEvicted} returned. */
    default void pageRefaulted(int pfn, long shadow) {
    }

    /** Number of pages the policy is tracking. */
    int size();
}
