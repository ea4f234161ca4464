package io.vmsim.api.policy;

/**
 * One reclaim request ({@code struct scan_control} in {@code mm/vmscan.c}): how much to
 * reclaim and which operations the policy may use while choosing. Operations that a real
 * kernel pays for (walking the rmap to test accessed bits) are charged to simulated time.
 */
public interface ScanControl {
    /** Pages still wanted. */
    int nrToReclaim();

    /** Scan priority, from 12 (gentle) down to 0 (desperate), as {@code sc->priority}. */
    int priority();

    /** {@code vm.swappiness} in effect, 0..200. */
    int swappiness();

    /** True if anonymous pages may be reclaimed (swap space is available). */
    boolean mayReclaimAnon();

    /** True if kswapd, false for direct reclaim. */
    boolean isKswapd();

    /**
     * True for a memory cgroup's own reclaim ({@code cgroup_reclaim(sc)}: limit reclaim of one
     * group), false for global reclaim. {@code shrink_lruvec()} (Linux 6.18) keeps scanning in
     * proportion only for global direct reclaim at {@code DEF_PRIORITY}; kswapd and a group's
     * reclaim stop once they have reclaimed {@link #nrToReclaim()} pages.
     */
    default boolean isCgroupReclaim() {
        return false;
    }

    /**
     * True for the kernel's reclaim: {@code shrink_folio_list()} deals with every page of the batch
     * {@code shrink_inactive_list()} isolated (up to {@code SWAP_CLUSTER_MAX}) whatever was
     * reclaimed meanwhile, and {@code shrink_lruvec()} compares the pages reclaimed with
     * {@link #nrToReclaim()} only between rounds, so a pass may reclaim more than was asked
     * (Linux 6.18). False (the default) for a caller that takes exactly {@link #nrToReclaim()}
     * pages: a cache of a fixed size, as {@code vmsim mrc}, which replaces one page a miss.
     */
    default boolean wholeBatches() {
        return false;
    }

    /**
     * The policy took page {@code pfn} off its lists with the rest of a batch, before looking at
     * any page of it ({@code isolate_lru_folios()} clears PG_lru, mm/vmscan.c). Until
     * {@link #putBack} the page is off the LRU: a swap write of it that completes meanwhile does
     * not rotate it to the inactive tail ({@code folio_rotate_reclaimable()} skips a folio without
     * PG_lru, mm/swap.c), so the pass that holds it can free it. For a policy that isolates whole
     * batches ({@link #wholeBatches()}); the default does nothing.
     */
    default void isolate(int pfn) {
    }

    /**
     * Page {@code pfn}, taken off by {@link #isolate}, is on the LRU again: back on the policy's
     * lists ({@code move_folios_to_lru()}), or in the policy's hand to give to {@link #reclaim}.
     */
    default void putBack(int pfn) {
    }

    /**
     * Tests and clears the accessed bit of every PTE that maps the page, through the reverse
     * map ({@code folio_referenced()}); returns true if any was set, or if the page was used
     * again through a system call since the last test (the second {@code folio_mark_accessed()},
     * where Linux would activate it; a single such use only sets PG_referenced, which, as in
     * {@code folio_check_references()}, does not keep an unmapped page). Charged to simulated time.
     */
    boolean testAndClearYoung(int pfn);

    /** Receives a page whose accessed bit a page-table walk found set (and cleared). */
    @FunctionalInterface
    interface YoungVisitor {
        /** The page {@code pfn}, of the domain being reclaimed, was mapped by a young entry. */
        void young(int pfn);
    }

    /**
     * The page-table walk of the multi-gen LRU's aging ({@code walk_mm()} under
     * {@code try_to_inc_max_seq()} in {@code mm/vmscan.c}): visits the page tables of every
     * address space, one after the other, and in each every present entry in address order (a
     * PTE, or a PMD that maps a huge page); an entry that maps an evictable page of the domain
     * being reclaimed and has its accessed bit set has the bit cleared (as
     * {@code ptep_test_and_clear_young()}, without a TLB flush) and {@code visitor.young(pfn)} is
     * called for the page (the folio's head for a huge page), once per such entry. Anonymous pages
     * are skipped, their bits left set, when {@code anon} is false (the kernel's
     * {@code should_skip_vma()} with swappiness 0). Entries of other domains, of the zero page and
     * of unevictable pages are not touched. Allocates nothing. Returns the number of young
     * entries found; each is charged to simulated time as one reverse-map visit. An engine without
     * page tables visits nothing.
     */
    default int walkYoung(boolean anon, YoungVisitor visitor) {
        return 0;
    }

    /**
     * {@code lru_gen_look_around()} ({@code mm/vmscan.c}): as {@link #testAndClearYoung}, and for
     * each PTE of the page found young, also test and clear the accessed bits of the other present
     * PTEs around it in the same page table (at most {@code MIN_LRU_BATCH} = 64 entries, within the
     * area), calling {@code neighbours.young(pfn)} for each page of
     * the domain being reclaimed found young there, as {@link #walkYoung} does. Spatial locality:
     * pages mapped next to a young page are likely young too. The default tests the page alone.
     */
    default boolean lookAround(int pfn, YoungVisitor neighbours) {
        return testAndClearYoung(pfn);
    }

    /** Counts a page the policy looked at, for {@code pgscan_*}. */
    void scanned(int pages);

    /**
     * Offers a victim, which the policy has already taken off its own lists. Returns true if
     * the core reclaimed it: the page left the domain ({@link ReclaimPolicy#pageEvicted} was
     * called) and the policy forgets it. Returns false if it cannot be reclaimed now (pinned,
     * dirty, under writeback): the page is still the policy's, which puts it back on its lists;
     * the core never hands it back through {@code pageAdded}.
     */
    boolean reclaim(int pfn);

    /**
     * After {@link #reclaim} refused {@code pfn}: true if {@code shrink_folio_list()} sends the
     * page to {@code activate_locked} (Linux 6.18: a dirty file page, or a page under writeback,
     * that reclaim marked PG_reclaim so that its write's completion rotates it to the inactive
     * tail), in which case a policy with active and inactive lists puts it at the head of its
     * active list and counts {@code pgactivate}; false for {@code keep_locked} (back where the
     * policy chooses, as before). The default says false.
     */
    default boolean activateRefused(int pfn) {
        return false;
    }
}
