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
     * map ({@code folio_referenced()}); returns true if any was set. Charged to simulated time.
     */
    boolean testAndClearYoung(int pfn);

    /** Counts a page the policy looked at, for {@code pgscan_*}. */
    void scanned(int pages);

    /**
     * Hands a victim to the core. Returns true if the core reclaims it; false if it cannot be
     * reclaimed now (pinned, under writeback), in which case the policy keeps tracking it.
     */
    boolean reclaim(int pfn);
}
