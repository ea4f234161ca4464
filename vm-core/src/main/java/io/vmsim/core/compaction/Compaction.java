package io.vmsim.core.compaction;

import io.vmsim.core.alloc.CompactionHooks;
import io.vmsim.core.alloc.MigrateType;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.hugepage.HugePageSplitter;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.vmstat.VmEvent;

import java.util.Arrays;

/**
 * Memory compaction ({@code mm/compaction.c}): a migrate scanner walks a zone's pageblocks
 * upwards from its start isolating movable pages, a free scanner walks down from its end
 * isolating free pages, and each movable page is migrated into a free one, until the scanners
 * meet or a free block of the wanted order exists ({@code compact_zone()}).
 *
 * <p>Rules kept from the kernel: the migrate scanner takes order-0 anonymous LRU pages only
 * (compound pages are skipped, {@code isolate_migratepages_block()}); async compaction
 * ({@link CompactionHooks#PRIO_ASYNC}) only empties MOVABLE pageblocks
 * ({@code suitable_migration_source()}), sync compaction any; the free scanner only takes free
 * pages from MOVABLE pageblocks that are not wholly free ({@code suitable_migration_target()});
 * a zone is not compacted when the failure is for lack of memory rather than fragmentation:
 * a fragmentation index at or below {@code vm.extfrag_threshold} ({@code compaction_suitable()}).
 *
 * <p>Each zone remembers where its scanners stopped and the next compaction resumes there,
 * until they meet and start over ({@code compact_cached_migrate_pfn},
 * {@code compact_cached_free_pfn}, {@code reset_cached_positions()}).
 *
 * <p>Direct compaction counts {@code compact_stall} and then {@code compact_success} or
 * {@code compact_fail} by whether the allocation that follows succeeds. Before compacting, the
 * deferred split queue is emptied: partially unmapped THPs give back their unmapped subpages
 * (Linux does this from its shrinker under the same pressure).
 */
public final class Compaction implements CompactionHooks {
    /** {@code COMPACT_CLUSTER_MAX}: pages isolated per batch. */
    static final int COMPACT_CLUSTER_MAX = 32;

    private final Kernel k;
    private final PageAllocator allocator;
    private final PageFrames frames;
    private final Migrator migrator;
    private final HugePageSplitter splitter;
    private final int extfragThreshold;
    private final long scanPs;
    private Kcompactd[] kcompactd = new Kcompactd[0];
    private int[] freeList = new int[1024];
    private int nrFree;
    private final int[] migrateList = new int[COMPACT_CLUSTER_MAX];
    // zone->compact_cached_migrate_pfn / compact_cached_free_pfn, by zone id; -1 = reset
    private final int[] cachedMigrate;
    private final int[] cachedFree;

    /** What one {@link #compactZone} achieved. */
    public enum Result {
        /** Not run: enough free blocks already, or too little free memory ({@code COMPACT_SKIPPED}, {@code COMPACT_NOT_SUITABLE_ZONE}). */
        SKIPPED,
        /** A free block of the order exists now ({@code COMPACT_SUCCESS}). */
        SUCCESS,
        /** The scanners met without making one ({@code COMPACT_COMPLETE}). */
        COMPLETE
    }

    /**
     * @param kernel           the kernel
     * @param migrator         moves pages
     * @param splitter         the deferred split queue, emptied before compacting
     * @param extfragThreshold {@code vm.extfrag_threshold}
     * @param scanPs           cost of examining one PFN
     */
    public Compaction(Kernel kernel, Migrator migrator, HugePageSplitter splitter, int extfragThreshold, long scanPs) {
        this.k = kernel;
        this.allocator = kernel.allocator;
        this.frames = kernel.frames;
        this.migrator = migrator;
        this.splitter = splitter;
        this.extfragThreshold = extfragThreshold;
        this.scanPs = scanPs;
        this.cachedMigrate = new int[allocator.nrZones()];
        this.cachedFree = new int[allocator.nrZones()];
        java.util.Arrays.fill(cachedMigrate, -1);
        java.util.Arrays.fill(cachedFree, -1);
    }

    void setKcompactd(Kcompactd[] perNode) {
        this.kcompactd = perNode;
    }

    // ---------------------------------------------------------------- hooks of the allocator

    @Override
    public void wakeKcompactd(int node, int order) {
        if (node >= 0 && node < kcompactd.length) {
            kcompactd[node].wake(order);
        }
    }

    @Override
    public boolean directCompact(int gfp, int order, int node, int priority) {
        splitter.scanDeferred(Integer.MAX_VALUE, 0);
        boolean ran = false;
        for (Zone z : allocator.zones()) {
            if (z.node() != node) {
                continue;
            }
            Result r = compactZone(z, order, priority, false, 0);
            ran |= r != Result.SKIPPED;
            if (r == Result.SUCCESS) {
                break;
            }
        }
        if (ran) {
            k.vmstat.count(VmEvent.COMPACT_STALL);
        }
        return ran;
    }

    @Override
    public void compactResult(boolean allocated) {
        k.vmstat.count(allocated ? VmEvent.COMPACT_SUCCESS : VmEvent.COMPACT_FAIL);
    }

    // ---------------------------------------------------------------- the fragmentation index

    /**
     * {@code fragmentation_index()} of {@code mm/vmstat.c} for an allocation of {@code order}:
     * 0 when no block is free at all, -1000 when a suitable block exists, otherwise towards 0
     * when a failure would be for lack of memory and towards 1000 when for fragmentation.
     */
    public static int fragmentationIndex(Zone z, int order) {
        long freePages = 0;
        long blocksTotal = 0;
        long blocksSuitable = 0;
        for (int o = 0; o <= Zone.MAX_ORDER; o++) {
            long blocks = z.nrFree(o);
            blocksTotal += blocks;
            freePages += blocks << o;
            if (o >= order) {
                blocksSuitable += blocks << (o - order);
            }
        }
        if (blocksTotal == 0) {
            return 0;
        }
        if (blocksSuitable > 0) {
            return -1000;
        }
        long requested = 1L << order;
        return (int) (1000 - (1000 + freePages * 1000 / requested) / blocksTotal);
    }

    /**
     * {@code compaction_suitable()}: false if the zone already has a block of {@code order}
     * above the min watermark, if it lacks the free pages to compact into
     * ({@code compact_gap()}), or if its fragmentation index says memory, not fragmentation, is short.
     */
    boolean suitable(Zone z, int order) {
        if (z.watermarkOk(order, z.watermark(Zone.WMARK_MIN))) {
            return false;
        }
        if (!z.watermarkOk(0, z.watermark(Zone.WMARK_MIN) + (2L << order))) {
            return false;
        }
        int fragindex = fragmentationIndex(z, order);
        return !(order > Zone.PAGE_ALLOC_COSTLY_ORDER && fragindex >= 0 && fragindex <= extfragThreshold);
    }

    // ---------------------------------------------------------------- compact_zone()

    /**
     * {@code compact_zone()}: runs both scanners over {@code z} until a free block of
     * {@code order} exists or they meet.
     */
    public Result compactZone(Zone z, int order, int priority, boolean daemon, int cpu) {
        allocator.drainAll();
        if (!suitable(z, order)) {
            return Result.SKIPPED;
        }
        boolean async = priority == PRIO_ASYNC;
        int pb = Zone.PAGEBLOCK_NR_PAGES;
        // resume where the last compaction of the zone stopped (compact_cached_*_pfn)
        int migratePfn = cachedMigrate[z.id()] >= 0 ? cachedMigrate[z.id()] : z.startPfn();
        int freePfn = cachedFree[z.id()] >= 0 ? cachedFree[z.id()] : (z.endPfn() - 1) & ~(pb - 1);
        long migrateScanned = 0;
        long freeScanned = 0;
        long isolated = 0;
        Result result = Result.COMPLETE;
        nrFree = 0;
        outer:
        while (migratePfn < freePfn) {
            int blockEnd = Math.min((migratePfn & ~(pb - 1)) + pb, z.endPfn());
            if (async && z.pageblockMigratetype(migratePfn) != MigrateType.MIGRATE_MOVABLE) {
                migratePfn = blockEnd;
                continue;
            }
            if (z.uninitialised(migratePfn)) {
                // a block never initialised (deferred struct page init): its frames are as free as
                // at boot, the head of a free MAX_ORDER block then clean tail frames, and are
                // counted as the scan of an initialised one would count them
                migrateScanned += (migratePfn & (Zone.MAX_ORDER_NR_PAGES - 1)) == 0 ? 1 : blockEnd - migratePfn;
                migratePfn = blockEnd;
                continue;
            }
            // isolate_migratepages_block(), in batches of COMPACT_CLUSTER_MAX
            int pfn = migratePfn;
            while (pfn < blockEnd) {
                int n = 0;
                while (pfn < blockEnd && n < COMPACT_CLUSTER_MAX) {
                    migrateScanned++;
                    int fl = frames.flags(pfn);
                    if ((fl & PageFrames.PG_BUDDY) != 0) {
                        pfn += 1 << frames.priv(pfn);
                        continue;
                    }
                    if ((fl & PageFrames.PG_HEAD) != 0) {
                        pfn += 1 << allocator.compoundOrder(pfn);
                        continue;
                    }
                    if (migrator.movable(pfn)) {
                        migrateList[n++] = pfn;
                    }
                    pfn++;
                }
                isolated += n;
                for (int i = 0; i < n; i++) {
                    if (nrFree == 0) {
                        freePfn = isolateFreepages(z, freePfn, blockEnd);
                        freeScanned += lastFreeScanned;
                        isolated += nrFree;
                        if (nrFree == 0) {
                            migratePfn = pfn;
                            break outer;
                        }
                    }
                    if (migrator.migrate(migrateList[i], freeList[nrFree - 1], cpu)) {
                        nrFree--;
                    }
                }
                if (n > 0) {
                    allocator.drainCpu(cpu);
                    if (finished(z, order)) {
                        result = Result.SUCCESS;
                        migratePfn = pfn;
                        break outer;
                    }
                }
            }
            migratePfn = blockEnd;
        }
        // release_freepages()
        for (int i = 0; i < nrFree; i++) {
            allocator.freePages(freeList[i], 0, cpu);
        }
        nrFree = 0;
        allocator.drainAll();
        if (result != Result.SUCCESS && finished(z, order)) {
            result = Result.SUCCESS;
        }
        if (migratePfn >= freePfn) {
            // the scanners met: the next compaction starts over (reset_cached_positions())
            cachedMigrate[z.id()] = -1;
            cachedFree[z.id()] = -1;
        } else {
            cachedMigrate[z.id()] = migratePfn & ~(pb - 1);
            cachedFree[z.id()] = freePfn;
        }
        k.clock.advance((migrateScanned + freeScanned) * scanPs);
        k.vmstat.add(VmEvent.COMPACT_MIGRATE_SCANNED, migrateScanned);
        k.vmstat.add(VmEvent.COMPACT_FREE_SCANNED, freeScanned);
        k.vmstat.add(VmEvent.COMPACT_ISOLATED, isolated);
        if (daemon) {
            k.vmstat.add(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED, migrateScanned);
            k.vmstat.add(VmEvent.COMPACT_DAEMON_FREE_SCANNED, freeScanned);
        }
        return result;
    }

    private long lastFreeScanned;

    /**
     * {@code isolate_freepages()}: from the pageblock at {@code freePfn} downwards, above the
     * migrate scanner's block, take the free pages of suitable pageblocks as order-0 pages.
     * Returns where the free scanner stopped.
     */
    private int isolateFreepages(Zone z, int freePfn, int migrateBlockEnd) {
        int pb = Zone.PAGEBLOCK_NR_PAGES;
        lastFreeScanned = 0;
        int block = freePfn;
        while (block >= migrateBlockEnd && nrFree < COMPACT_CLUSTER_MAX) {
            int start = Math.max(block, z.startPfn());
            int end = Math.min(block + pb, z.endPfn());
            if (z.uninitialised(start)) {
                // never initialised: the first pageblock of its MAX_ORDER block is wholly free and
                // skipped, the second holds no free block head and is scanned in vain
                if ((start & (Zone.MAX_ORDER_NR_PAGES - 1)) != 0) {
                    lastFreeScanned += end - start;
                }
            } else if (z.pageblockMigratetype(start) == MigrateType.MIGRATE_MOVABLE && !wholeBlockFree(start)) {
                for (int p = start; p < end; ) {
                    lastFreeScanned++;
                    int order = z.isolateFreeBlock(p);
                    if (order < 0) {
                        p++;
                        continue;
                    }
                    for (int i = 0; i < 1 << order; i++) {
                        push(p + i);
                    }
                    p += 1 << order;
                }
            }
            block -= pb;
        }
        return block;
    }

    private boolean wholeBlockFree(int start) {
        return frames.test(start, PageFrames.PG_BUDDY) && frames.priv(start) >= Zone.PAGEBLOCK_ORDER;
    }

    private void push(int pfn) {
        if (nrFree == freeList.length) {
            freeList = Arrays.copyOf(freeList, nrFree * 2);
        }
        freeList[nrFree++] = pfn;
    }

    /** {@code __compact_finished()}: a free block of the order exists above the min watermark. */
    private boolean finished(Zone z, int order) {
        return z.watermarkOk(order, z.watermark(Zone.WMARK_MIN));
    }
}
