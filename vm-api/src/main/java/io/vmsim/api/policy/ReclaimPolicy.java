package io.vmsim.api.policy;

/**
 * Chooses which pages to evict. One instance serves one LRU domain (a node, or a node within a
 * memory cgroup), the way Linux keeps one {@code lruvec} per node and memcg; it learns the
 * capacity of that domain from {@link PolicyContext#capacity()} and {@link #capacityChanged}.
 *
 * <h2>The contract: what each call means</h2>
 * Every engine that drives a reclaim policy (the full machine of {@code vmsim run}, and both
 * engines of {@code vmsim mrc}) keeps these rules, and a test proves that they give the same
 * misses on the same references.
 * <ul>
 *   <li><b>One reference, one report.</b> Each reference to a page is reported at most once.
 *       A reference that finds the page absent (a demand fault, a {@code read()} or
 *       {@code write()} miss, a swap-in fault) brings it in and is reported by
 *       {@link #pageAdded} ({@link #pageAddedByWrite} for a whole-page {@code write()} to a
 *       disk file, which by default calls {@code pageAdded}): it is a miss, and no {@link #pageAccessed}, {@link #pageMarkedAccessed}
 *       or accessed bit reports it again. A reference that finds the page resident is a hit:
 *       {@link #pageAccessed} if the policy {@linkplain #observesEveryAccess observes every
 *       access}, else {@link #pageMarkedAccessed} for a use through a system call if it
 *       {@linkplain #observesMarkAccessed observes marks}, else the accessed bit that
 *       {@link ScanControl#testAndClearYoung} reads.</li>
 *   <li><b>Pages that arrive unused.</b> A page that enters without being referenced
 *       (readahead, a huge page built by khugepaged, the base pages of a split huge page) comes
 *       through {@link #pageAddedUnreferenced}; its first use, if any, is then reported as a hit.</li>
 *   <li><b>Refaults.</b> When a page returns to a slot that holds a shadow entry,
 *       {@link #pageRefaulted} comes first, then {@link #pageAdded} for the same frame (the
 *       order of {@code workingset_refault()} and {@code folio_add_lru()} in
 *       {@code filemap_add_folio()}).</li>
 *   <li><b>Pages that move.</b> Migration hands the page to a new frame through
 *       {@link #pageMigrated}; a page freed, mlocked or otherwise taken away goes through
 *       {@link #pageRemoved}.</li>
 *   <li><b>Victims.</b> In {@link #shrink}, the policy takes a victim off its own lists and
 *       offers it with {@link ScanControl#reclaim}. If that returns true the page is gone
 *       ({@link #pageEvicted} was called during it) and the policy forgets it. If it returns
 *       false the page could not be reclaimed now (pinned, dirty, under writeback) and it is
 *       still the policy's: the policy puts it back on its lists where it chooses, and the
 *       core never hands it back through {@link #pageAdded}.</li>
 *   <li><b>Advice.</b> An application may say which pages it no longer needs soon.
 *       {@link #pageDeactivated} is {@code MADV_COLD}'s hint, which a policy may ignore;
 *       {@link #pageEvictedOnRequest} is {@code MADV_PAGEOUT}'s eviction of a page the policy
 *       did not choose.</li>
 * </ul>
 * Knowledge that only an offline replacement study has (the page about to come in, the
 * future of the reference string) is offered through {@link OfflineStudy}, never in a run.
 */
public interface ReclaimPolicy extends Policy {
    /**
     * True if the policy wants {@link #pageAccessed} on every hit. Read once when the
     * policy is installed; a policy that returns false costs nothing on the access path.
     */
    default boolean observesEveryAccess() {
        return false;
    }

    /**
     * True if the policy wants {@link #pageMarkedAccessed} when a resident page is used through
     * a system call. Otherwise the core keeps Linux's two steps in the page's flags
     * (PG_referenced, then activation), and {@link ScanControl#testAndClearYoung} reports the
     * second. Read once.
     */
    default boolean observesMarkAccessed() {
        return false;
    }

    /**
     * A resident page was used through a system call rather than through a mapping:
     * {@code read()} or {@code write()} of a cached file page, what Linux reports with
     * {@code folio_mark_accessed()} ({@code mm/swap.c}). Called only when
     * {@link #observesMarkAccessed()} is true (and not for policies that see every access,
     * which get {@link #pageAccessed}); never for the reference that brought the page in.
     */
    default void pageMarkedAccessed(int pfn) {
    }

    /**
     * A page became resident and evictable in this domain because it was referenced (Linux:
     * {@code folio_add_lru} after a demand fault, a {@code read()}/{@code write()} miss or a
     * swap-in). The call stands for that reference: it is a miss, never reported again.
     */
    void pageAdded(int pfn, boolean anon);

    /**
     * A page of a disk file became resident because a {@code write()} of the whole page missed:
     * a reference and a miss, as for {@link #pageAdded} (with {@code anon} false), but one Linux
     * marks nothing for. {@code generic_perform_write()} gets the new folio through
     * {@code write_begin} with {@code FGP_WRITEBEGIN}, which has no {@code FGP_ACCESSED}, so no
     * {@code folio_mark_accessed()} runs (Linux 6.18; recorded in
     * {@code conformance/flags/pagecache-marks.json}: a {@code write()} miss plus one later mark
     * is PG_referenced, where a {@code read()} miss plus one is active). A policy that keeps
     * Linux's marks overrides this; the default is {@code pageAdded(pfn, false)}, right for one
     * that counts every reference alike.
     */
    default void pageAddedByWrite(int pfn) {
        pageAdded(pfn, false);
    }

    /**
     * Pages of one type on the policy's active list, as {@code nr_active_anon} or
     * {@code nr_active_file} count them in {@code /proc/vmstat}; reports only (the time series of
     * {@code run --report}), never on the reference path. The default, -1, says the policy keeps
     * no active list: reports then show every LRU page of the type as inactive.
     */
    default long activePages(boolean anon) {
        return -1;
    }

    /**
     * A page became resident and evictable in this domain without being referenced: readahead
     * ({@code mm/readahead.c}: Linux adds it to the inactive list with no PG_referenced), a
     * huge page built by khugepaged, or one of the base pages of a split huge page. Its first
     * use, if any, is reported later as a hit.
     *
     * <p>The default calls {@link #pageAdded}, so the page counts as used once. That is right
     * for a policy that learns of use from accessed bits (the core sets none for such a page),
     * and wrong for one that observes every access: the core warns in the run's summary when
     * such a policy keeps this default and pages did arrive unreferenced.
     */
    default void pageAddedUnreferenced(int pfn, boolean anon) {
        pageAdded(pfn, anon);
    }

    /**
     * An evictable page left the domain for a reason the policy did not choose: it was freed
     * (unmapped and released), became unevictable (mlock), or was split or collapsed.
     */
    void pageRemoved(int pfn);

    /**
     * The page of frame {@code from} now lives in frame {@code to} of this domain (page
     * migration, {@code mm/migrate.c}, which carries PG_active, PG_referenced and PG_workingset
     * over): the policy should keep the page's place and history. The default forgets them:
     * {@code pageRemoved(from)} then {@code pageAddedUnreferenced(to, anon)}.
     */
    default void pageMigrated(int from, int to, boolean anon) {
        pageRemoved(from);
        pageAddedUnreferenced(to, anon);
    }

    /** A hit on a resident page; called only when {@link #observesEveryAccess()} is true. */
    default void pageAccessed(int pfn, boolean write) {
    }

    /**
     * Picks victims for a reclaim request, following the victim rule of the class comment:
     * take each off the policy's lists, offer it with {@link ScanControl#reclaim(int)}, forget
     * it on true and put it back on false. Returns when {@link ScanControl#nrToReclaim()}
     * pages were taken or nothing more can be found.
     */
    void shrink(ScanControl sc);

    /**
     * Called as a victim is evicted (during {@link ScanControl#reclaim}); the value returned is
     * stored in the page-cache or swap slot as a shadow entry and handed back to
     * {@link #pageRefaulted} if the page returns (the mechanism of {@code mm/workingset.c}).
     * The default stores no information.
     */
    default long pageEvicted(int pfn) {
        return 0L;
    }

    /**
     * The core reclaims the page at the application's request, not as the policy's victim:
     * {@code MADV_PAGEOUT} ({@code reclaim_pages()} in {@code mm/vmscan.c}, which takes the page
     * off its list and reclaims it without asking about its references). Called while the page is
     * still on the policy's lists, once the core knows it can reclaim it (a page it cannot
     * reclaim, pinned, dirty, or anonymous without swap, is not touched and stays where it is);
     * the policy takes it off its lists and returns the shadow entry to store, as
     * {@link #pageEvicted} does. An anonymous page that {@code MADV_PAGEOUT} writes to swap is not
     * evicted by it: it stays resident in the swap cache and on the LRU (Linux's
     * {@code folio_putback_lru()} after {@code pageout()}), and the policy hears
     * {@link #pageRemoved} then {@link #pageAddedUnreferenced} instead of this call; a later
     * reclaim of it is an ordinary victim. The default is {@code pageEvicted(pfn)} then
     * {@code pageRemoved(pfn)}: the shadow is computed while the policy still knows the page.
     */
    default long pageEvictedOnRequest(int pfn) {
        long shadow = pageEvicted(pfn);
        pageRemoved(pfn);
        return shadow;
    }

    /**
     * A hint that the page went cold: {@code MADV_COLD} ({@code madvise_cold_or_pageout_pte_range()}
     * in {@code mm/madvise.c}, then {@code folio_deactivate()} in {@code mm/swap.c}). The core has
     * already cleared the accessed bits of the PTEs that map the page and any use through a
     * system call (PG_referenced), and calls this only for a page on the policy's lists mapped
     * by no other process. Linux moves an active page to the head of the inactive list, clears
     * PG_active and PG_referenced and counts {@code pgdeactivate}; a policy with a notion of
     * active pages does the same. The default ignores the hint, which is correct for every
     * policy: the page stays resident and keeps its place, and an application's advice may
     * always go unheeded.
     */
    default void pageDeactivated(int pfn) {
    }

    /**
     * The write of a page reclaim marked PG_reclaim (its own write to swap, or a file page's
     * write by the flusher) has completed ({@code folio_end_writeback()} then
     * {@code folio_rotate_reclaimable()} in {@code mm/swap.c}, Linux 6.18): the page, which
     * {@link ScanControl#reclaim} refused while its write was in flight, is clean now and can be
     * freed without I/O. Linux moves it to the tail of its inactive list, from the active list
     * too ({@code lru_move_tail()} clears PG_active), so that the next reclaim takes it first, and
     * counts {@code pgrotated}; a policy with
     * a notion of an eviction order may do the same. Returns true if the page was moved (the core
     * then counts {@code pgrotated}). The default leaves the page where it is and returns false,
     * which is correct for every policy: the page is simply reclaimed in its turn.
     */
    default boolean pageRotated(int pfn) {
        return false;
    }

    /**
     * An evicted page is coming back; {@code shadow} is what {@link #pageEvicted} returned.
     * Called just before {@link #pageAdded} for the same frame.
     */
    default void pageRefaulted(int pfn, long shadow) {
    }

    /**
     * The capacity of this policy's domain changed (a memory cgroup's {@code memory.max} was
     * set, memory was added or removed): {@code pages} is the new
     * {@link PolicyContext#capacity()}. Policies that size lists or ghost lists from the
     * capacity adapt here; the default ignores it.
     */
    default void capacityChanged(long pages) {
    }

    /** Number of pages the policy is tracking. */
    int size();
}
