package io.vmsim.core.alloc;

/**
 * GFP ("get free pages") flags: how an allocation may behave. The bit values and the composite
 * masks follow {@code include/linux/gfp.h} (5.x, before the {@code gfp_types.h} split), so a
 * reader who knows the kernel recognises them; only the flags the simulator acts on are
 * defined.
 */
public final class Gfp {
    private Gfp() {
    }

    /** Allocate from ZONE_DMA32 (below 4 GiB) only. */
    public static final int __GFP_DMA32 = 0x04;
    /** Highmem allowed; on 64-bit this just means "any zone up to Normal". */
    public static final int __GFP_HIGHMEM = 0x02;
    /** The page can be migrated or reclaimed: MIGRATE_MOVABLE. */
    public static final int __GFP_MOVABLE = 0x08;
    /** Slab-like reclaimable kernel memory: MIGRATE_RECLAIMABLE. */
    public static final int __GFP_RECLAIMABLE = 0x10;
    /** High priority: may dip to half the min watermark ({@code ALLOC_HIGH}). */
    public static final int __GFP_HIGH = 0x20;
    /** May start physical I/O. */
    public static final int __GFP_IO = 0x40;
    /** May call into the filesystem. */
    public static final int __GFP_FS = 0x80;
    /** Return zeroed memory (the caller charges the cost of clearing). */
    public static final int __GFP_ZERO = 0x100;
    /** Caller cannot sleep or reclaim. */
    public static final int __GFP_ATOMIC = 0x200;
    /** May enter direct reclaim (and compaction). */
    public static final int __GFP_DIRECT_RECLAIM = 0x400;
    /** Wake kswapd when the low watermark is reached. */
    public static final int __GFP_KSWAPD_RECLAIM = 0x800;
    /** Do not warn on failure. */
    public static final int __GFP_NOWARN = 0x2000;
    /** Retry reclaim harder, but may still fail. */
    public static final int __GFP_RETRY_MAYFAIL = 0x4000;
    /** Must not fail: retry indefinitely (bounded in the simulator, see {@link PageAllocator}). */
    public static final int __GFP_NOFAIL = 0x8000;
    /** Give up after one round of direct reclaim; never invoke the OOM killer. */
    public static final int __GFP_NORETRY = 0x10000;
    /** Return a compound page (head + tails) for order &gt; 0. */
    public static final int __GFP_COMP = 0x40000;
    /** Do not use emergency reserves. */
    public static final int __GFP_NOMEMALLOC = 0x80000;
    /** Enforce the cpuset memory policy. */
    public static final int __GFP_HARDWALL = 0x100000;
    /** Allocate on the preferred node only, with no fallback to other nodes. */
    public static final int __GFP_THISNODE = 0x200000;

    /** Both kinds of reclaim. */
    public static final int __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
    /** Mask of the mobility bits; {@link #gfpMigratetype} shifts them down. */
    public static final int GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
    /** Shift from the mobility bits to a migratetype. */
    public static final int GFP_MOVABLE_SHIFT = 3;

    /** Interrupt context: cannot sleep, may use part of the reserves. */
    public static final int GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
    /** Typical kernel allocation. */
    public static final int GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    /** Cannot sleep, but wakes kswapd. */
    public static final int GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
    /** Reclaim without I/O. */
    public static final int GFP_NOIO = __GFP_RECLAIM;
    /** Reclaim without filesystem calls. */
    public static final int GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
    /** User-space allocation that the kernel also accesses directly. */
    public static final int GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
    /** User-space page, possibly in highmem. */
    public static final int GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    /** Anonymous and page-cache pages of user space: movable. */
    public static final int GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
    /** THP allocation that neither reclaims nor wakes kswapd (defrag=never/defer). */
    public static final int GFP_TRANSHUGE_LIGHT =
            (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
    /** THP allocation with direct reclaim/compaction (defrag=always). */
    public static final int GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;
    /** Page-table pages of user address spaces ({@code GFP_PGTABLE_USER}: GFP_KERNEL | __GFP_ZERO, memcg-accounted). */
    public static final int GFP_PGTABLE_USER = GFP_KERNEL | __GFP_ZERO;

    /**
     * The migratetype of an allocation ({@code gfp_migratetype()} in {@code include/linux/gfp.h}).
     *
     * @return {@link MigrateType#MIGRATE_UNMOVABLE}, {@link MigrateType#MIGRATE_MOVABLE} or
     *         {@link MigrateType#MIGRATE_RECLAIMABLE}
     */
    public static int gfpMigratetype(int gfp) {
        int mt = (gfp & GFP_MOVABLE_MASK) >>> GFP_MOVABLE_SHIFT;
        // Both bits set is a caller bug in Linux (VM_WARN_ON); treat it as movable.
        return mt == 3 ? MigrateType.MIGRATE_MOVABLE : mt;
    }

    /** True if the allocation may sleep in direct reclaim ({@code gfpflags_allow_blocking()}). */
    public static boolean allowsBlocking(int gfp) {
        return (gfp & __GFP_DIRECT_RECLAIM) != 0;
    }
}
