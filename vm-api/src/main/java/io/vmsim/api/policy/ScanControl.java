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
     * Tests and clears the accessed bit of every PTE that maps the page, through the reverse
     * map ({@code folio_referenced()}); returns true if any was set, or if the page was used
     * again through a system call since the last test (the second {@code folio_mark_accessed()},
     * where Linux would activate it; a single such use only sets PG_referenced, which, as in
     * {@code folio_check_references()}, does not keep an unmapped page). Charged to simulated time.
     */
    boolean testAndClearYoung(int pfn);

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
}
