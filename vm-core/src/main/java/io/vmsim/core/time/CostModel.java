package io.vmsim.core.time;

import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;

/**
 * What each simulated action costs, in picoseconds, from the {@code cost.*} keys of
 * {@link CoreKeys}. Fields are public and final: they are read on the hot path.
 */
public final class CostModel {
    /** A reference that hits the L1 DTLB. */
    public final long accessPs;
    /** Extra cost when the L1 DTLB misses and the STLB hits. */
    public final long stlbHitPs;
    /** One memory reference of the page walker. */
    public final long walkRefPs;
    /** Entering and leaving the page-fault handler. */
    public final long faultPs;
    /** clear_page() of 4 KiB. */
    public final long zero4kPs;
    /** clear_huge_page() of 2 MiB. */
    public final long zero2mPs;
    /** copy_user_highpage() of 4 KiB. */
    public final long copy4kPs;
    /** What a write() spends on a page besides copying it ({@code cost.write_page_ns}). */
    public final long writePagePs;
    /** Allocating and zeroing a page-table page. */
    public final long pgtableAllocPs;
    /** Per byte stored by a memset beyond the per-reference cost. */
    public final long storeBytePs;
    /** A reference that misses the CPU caches ({@code cost.cache_miss_ns}). */
    public final long cacheMissPs;
    /** Fraction of a TLB miss hidden when the same independent reference also misses the caches. */
    public final double walkMissOverlap;

    public CostModel(CoreConfig c) {
        accessPs = ps(c, CoreKeys.COST_ACCESS);
        stlbHitPs = ps(c, CoreKeys.COST_STLB_HIT);
        walkRefPs = ps(c, CoreKeys.COST_WALK_REF);
        faultPs = ps(c, CoreKeys.COST_FAULT);
        zero4kPs = ps(c, CoreKeys.COST_ZERO_4K);
        zero2mPs = ps(c, CoreKeys.COST_ZERO_2M);
        copy4kPs = ps(c, CoreKeys.COST_COPY_4K);
        writePagePs = ps(c, CoreKeys.COST_WRITE_PAGE);
        pgtableAllocPs = ps(c, CoreKeys.COST_PGTABLE_ALLOC);
        storeBytePs = ps(c, CoreKeys.COST_STORE_BYTE);
        cacheMissPs = ps(c, CoreKeys.COST_CACHE_MISS);
        walkMissOverlap = c.getDouble(CoreKeys.COST_WALK_MISS_OVERLAP);
    }

    /**
     * What a cache miss of {@code missPs} adds to a reference whose translation already charged
     * {@code tlbMissPs} (STLB lookup and page walk). The reference is independent of the ones
     * before it (a store, or a load whose address does not come from a load), so an out-of-order
     * core keeps its walk in flight with this and the other references' misses and walks: the
     * fraction {@code cost.walk_miss_overlap} of the TLB miss is hidden, and the reference costs
     * {@code (1 - overlap) * tlbMissPs + missPs} in all (overlap 0: the sum of the two; 1: the
     * miss alone). Only a reference that misses the caches overlaps its walk: a hit pays the
     * whole walk.
     */
    public long overlappedMissPs(long tlbMissPs, long missPs) {
        return missPs - Math.round(walkMissOverlap * tlbMissPs);
    }

    private static long ps(CoreConfig c, String key) {
        return Math.round(c.getDouble(key) * 1000.0);
    }
}
