package io.vmsim.core.vmscan;

import io.vmsim.core.alloc.Zone;

/**
 * What reclaim asks of memory tiering ({@code mm/memory-tiers.c}, {@code demote_folio_list()} in
 * {@code mm/vmscan.c}, Linux 6.18): whether a node's pages can be demoted, the watermark kswapd
 * balances a zone to, and the demotion of one victim. {@link #NONE} is a machine without it.
 */
public interface Demotion {
    /** No demotion: reclaim as before, kswapd balancing to the high watermark. */
    Demotion NONE = new Demotion() {
        @Override
        public boolean canDemote(int node) {
            return false;
        }

        @Override
        public long balanceMark(Zone zone) {
            return zone.watermark(Zone.WMARK_HIGH);
        }

        @Override
        public boolean demote(int pfn, boolean kswapd) {
            return false;
        }
    };

    /** {@code can_demote()}: demotion is enabled and {@code node} has a demotion target. */
    boolean canDemote(int node);

    /** The free pages above which {@code pgdat_balanced()} deems the zone balanced. */
    long balanceMark(Zone zone);

    /**
     * Moves the reclaim victim {@code pfn} (an order-0 anonymous page the reclaim policy has let
     * go of) to the demotion target of its node; true if it moved, counting {@code pgdemote_*}.
     * False leaves it untouched, for reclaim to go on without demotion.
     */
    boolean demote(int pfn, boolean kswapd);
}
