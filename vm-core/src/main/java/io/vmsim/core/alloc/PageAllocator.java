package io.vmsim.core.alloc;

import static io.vmsim.core.alloc.Gfp.__GFP_ATOMIC;
import static io.vmsim.core.alloc.Gfp.__GFP_COMP;
import static io.vmsim.core.alloc.Gfp.__GFP_DIRECT_RECLAIM;
import static io.vmsim.core.alloc.Gfp.__GFP_DMA32;
import static io.vmsim.core.alloc.Gfp.__GFP_HIGH;
import static io.vmsim.core.alloc.Gfp.__GFP_KSWAPD_RECLAIM;
import static io.vmsim.core.alloc.Gfp.__GFP_NOFAIL;
import static io.vmsim.core.alloc.Gfp.__GFP_NOMEMALLOC;
import static io.vmsim.core.alloc.Gfp.__GFP_NORETRY;
import static io.vmsim.core.alloc.Gfp.__GFP_RETRY_MAYFAIL;
import static io.vmsim.core.alloc.Gfp.__GFP_THISNODE;
import static io.vmsim.core.alloc.Zone.MAX_ORDER;
import static io.vmsim.core.alloc.Zone.NR_PAGE_ORDERS;
import static io.vmsim.core.alloc.Zone.PAGE_ALLOC_COSTLY_ORDER;
import static io.vmsim.core.alloc.Zone.WMARK_HIGH;
import static io.vmsim.core.alloc.Zone.WMARK_LOW;
import static io.vmsim.core.alloc.Zone.WMARK_MIN;
import static io.vmsim.core.alloc.Zone.ZONE_DMA32;
import static io.vmsim.core.alloc.Zone.ZONE_NORMAL;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The physical page allocator: the buddy system with per-CPU lists, migratetypes, pageblocks
 * and watermarks of {@code mm/page_alloc.c}, scaled down. Single-threaded; no allocation of
 * Java objects on {@link #allocPages} and {@link #freePages(int, int, int)}.
 *
 * <p>Layout ({@code zone_sizes_init()} on x86-64): ZONE_DMA32 spans PFNs below 4 GiB and
 * ZONE_NORMAL the rest, and each node gets the zones its PFN range intersects; so node 0 of a
 * machine smaller than 4 GiB is all DMA32, and a node that starts above 4 GiB is all Normal
 * (ZONE_DMA, HIGHMEM and MOVABLE are not modelled). At construction all frames are freed to
 * the buddy lists as {@code memblock_free_all()} does, in aligned blocks of at most order
 * {@value Zone#MAX_ORDER}, into MIGRATE_MOVABLE pageblocks; with deferred initialisation (the
 * default) the whole {@value Zone#MAX_ORDER} blocks are only counted, and initialised when the
 * allocator first takes one ({@link Zone}).
 *
 * <p>Allocated pages ({@code prep_new_page()}): the head has refcount 1 and no flags, other
 * frames refcount 0 and no flags; with {@link Gfp#__GFP_COMP} and order &gt; 0 the head has
 * {@link PageFrames#PG_HEAD}, each tail {@link PageFrames#PG_TAIL} with the head PFN in
 * {@link PageFrames#next} (Linux keeps {@code compound_head} in {@code lru.next}), and the
 * order is in the first tail's {@link PageFrames#prev} (as Linux keeps {@code compound_order}
 * in page[1]), leaving the head's {@code priv}, {@code mapping} and {@code index} to the caller.
 * See {@link #compoundOrder(int)} and {@link #compoundHead(int)}.
 *
 * <p>Simplifications: no lowmem_reserve, no MIGRATE_HIGHATOMIC/CMA/ISOLATE, no watermark
 * boosting, no ALLOC_NOFRAGMENT, no compaction, free blocks go to the head of their list.
 */
public final class PageAllocator {
    /** First PFN above 4 GiB: where ZONE_DMA32 ends ({@code MAX_DMA32_PFN}). */
    public static final int DMA32_END_PFN = 1 << 20;
    /** Retries of direct reclaim with progress for __GFP_RETRY_MAYFAIL/NOFAIL ({@code MAX_RECLAIM_RETRIES}). */
    public static final int MAX_RECLAIM_RETRIES = 16;

    private static final int PGALLOC_DMA32 = 0;
    private static final int PGALLOC_NORMAL = 1;
    private static final int PGFREE = 2;
    // zone_statistics() (mm/page_alloc.c): one count per allocation
    private static final int NUMA_HIT = 3;
    private static final int NUMA_MISS = 4;
    private static final int NUMA_FOREIGN = 5;
    /** {@code NUMA_INTERLEAVE_HIT}, counted by {@link #countInterleaveHit()} (mempolicy, issue 10). */
    private static final int NUMA_INTERLEAVE_HIT = 6;
    private static final int NUMA_LOCAL = 7;
    private static final int NUMA_OTHER = 8;
    private static final String[] EVENT_NAMES = {"pgalloc_dma32", "pgalloc_normal", "pgfree",
            "numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other"};
    /** Flags that make freeing a page a bug ({@code PAGE_FLAGS_CHECK_AT_FREE}, in part). */
    private static final int BAD_AT_FREE = PageFrames.PG_LRU | PageFrames.PG_RESERVED | PageFrames.PG_WRITEBACK;

    private final PageFrames frames;
    private final int nrCpus;
    private final Zone[] zones;
    private final List<Zone> zoneList;
    private final int[] zoneStart;
    private final int[][] zonelist;
    private final int[][] zonelistThisNode;
    private final long minFreeKbytes;
    private final long[] events = new long[EVENT_NAMES.length];
    private final int[] cpuNode;
    private AllocHooks hooks = AllocHooks.NONE;
    // mempolicy (issue 10): the running allocation's nodemask and preferred node (for zone_statistics())
    private long nodemask = -1L;
    private int preferredZoneNode;
    // THP (issue 5): direct compaction and kcompactd
    private CompactionHooks compaction = CompactionHooks.NONE;

    /**
     * An allocator over all of {@code frames}, with ZONE_DMA32 below 4 GiB.
     *
     * @param frames               the frames, with their node layout
     * @param nrCpus               number of CPUs (one set of per-CPU lists each, per zone)
     * @param minFreeKbytes        {@code vm.min_free_kbytes}, or -1 to compute it as Linux does
     * @param watermarkScaleFactor {@code vm.watermark_scale_factor} (units of 0.01%)
     * @param pcpBatch             per-CPU list batch; the high mark is 6 times it
     */
    public PageAllocator(PageFrames frames, int nrCpus, long minFreeKbytes, int watermarkScaleFactor, int pcpBatch) {
        this(frames, nrCpus, minFreeKbytes, watermarkScaleFactor, pcpBatch, DMA32_END_PFN);
    }

    /**
     * As {@link #PageAllocator(PageFrames, int, long, int, int)} with the DMA32 limit moved to
     * {@code dma32EndPfn}, so that small test machines have both zone types.
     */
    public PageAllocator(PageFrames frames, int nrCpus, long minFreeKbytes, int watermarkScaleFactor, int pcpBatch,
                         int dma32EndPfn) {
        this(frames, nrCpus, minFreeKbytes, watermarkScaleFactor, pcpBatch, dma32EndPfn,
                buildNodeOrder(uniformDistances(frames.nrNodes()), allHaveCpus(frames.nrNodes())));
    }

    /**
     * As {@link #PageAllocator(PageFrames, int, long, int, int, int)} with each node's fallback
     * order of nodes given: {@code nodeOrder[n]} starts with {@code n} and lists every node once
     * ({@link #buildNodeOrder}).
     */
    public PageAllocator(PageFrames frames, int nrCpus, long minFreeKbytes, int watermarkScaleFactor, int pcpBatch,
                         int dma32EndPfn, int[][] nodeOrder) {
        this(frames, nrCpus, minFreeKbytes, watermarkScaleFactor, pcpBatch, dma32EndPfn, nodeOrder, true);
    }

    /**
     * As {@link #PageAllocator(PageFrames, int, long, int, int, int, int[][])}; {@code deferredInit}
     * false initialises every frame at boot instead of when first needed (see {@link Zone}).
     */
    public PageAllocator(PageFrames frames, int nrCpus, long minFreeKbytes, int watermarkScaleFactor, int pcpBatch,
                         int dma32EndPfn, int[][] nodeOrder, boolean deferredInit) {
        this.frames = Objects.requireNonNull(frames, "frames");
        if (nrCpus < 1) {
            throw new IllegalArgumentException("nrCpus must be at least 1: " + nrCpus);
        }
        if (pcpBatch < 1) {
            throw new IllegalArgumentException("pcp batch must be at least 1: " + pcpBatch);
        }
        if (watermarkScaleFactor < 1) {
            throw new IllegalArgumentException("watermark_scale_factor must be at least 1: " + watermarkScaleFactor);
        }
        this.nrCpus = nrCpus;
        int nrNodes = frames.nrNodes();
        // CPUs spread evenly until setCpuNodes() says otherwise
        this.cpuNode = new int[nrCpus];
        int perNode = Math.max(1, (nrCpus + nrNodes - 1) / nrNodes);
        for (int c = 0; c < nrCpus; c++) {
            cpuNode[c] = Math.min(nrNodes - 1, c / perNode);
        }
        List<Zone> list = new ArrayList<>();
        for (int node = 0; node < nrNodes; node++) {
            int start = frames.nodeStartPfn(node);
            int end = frames.nodeEndPfn(node);
            int dmaEnd = Math.min(end, Math.max(start, dma32EndPfn));
            if (dmaEnd > start) {
                list.add(new Zone(frames, list.size(), node, ZONE_DMA32, start, dmaEnd, nrCpus, pcpBatch, deferredInit));
            }
            if (end > dmaEnd) {
                list.add(new Zone(frames, list.size(), node, ZONE_NORMAL, dmaEnd, end, nrCpus, pcpBatch, deferredInit));
            }
        }
        this.zones = list.toArray(new Zone[0]);
        this.zoneList = Collections.unmodifiableList(Arrays.asList(zones));
        this.zoneStart = new int[zones.length];
        for (int i = 0; i < zones.length; i++) {
            zoneStart[i] = zones[i].startPfn();
        }
        // build_zonelists_in_node_order(): the nodes in nodeOrder (the node itself first, then by
        // distance), each node's zones from highest to lowest.
        if (nodeOrder.length != nrNodes) {
            throw new IllegalArgumentException("a node order for each of " + nrNodes + " nodes: " + nodeOrder.length);
        }
        this.zonelist = new int[nrNodes][];
        this.zonelistThisNode = new int[nrNodes][];
        for (int node = 0; node < nrNodes; node++) {
            int[] all = new int[zones.length];
            int n = 0;
            if (nodeOrder[node].length != nrNodes || nodeOrder[node][0] != node) {
                throw new IllegalArgumentException("node " + node + "'s order must start with it and list every node: "
                        + Arrays.toString(nodeOrder[node]));
            }
            for (int k = 0; k < nrNodes; k++) {
                int other = nodeOrder[node][k];
                for (int z = zones.length - 1; z >= 0; z--) {
                    if (zones[z].node() == other) {
                        all[n++] = z;
                    }
                }
                if (k == 0) {
                    zonelistThisNode[node] = Arrays.copyOf(all, n);
                }
            }
            zonelist[node] = all;
        }
        long lowmemPages = 0;
        for (Zone z : zones) {
            lowmemPages += z.managedPages();
        }
        this.minFreeKbytes = minFreeKbytes < 0 ? calculateMinFreeKbytes(lowmemPages * 4) : minFreeKbytes;
        setupPerZoneWmarks(this.minFreeKbytes, watermarkScaleFactor);
        for (Zone z : zones) {
            z.freeAllAtBoot();
            events[PGFREE] += z.managedPages();
        }
    }

    /**
     * {@code calculate_min_free_kbytes()} in {@code mm/page_alloc.c}: {@code int_sqrt(lowmem_kbytes * 16)}
     * clamped to [128, 262144].
     */
    public static long calculateMinFreeKbytes(long lowmemKbytes) {
        long v = intSqrt(lowmemKbytes * 16);
        return Math.max(128, Math.min(262144, v));
    }

    static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    /**
     * {@code __setup_per_zone_wmarks()}: min_free_kbytes shared among zones by managed pages;
     * low and high lie {@code max(min/4, managed * watermark_scale_factor / 10000)} and twice
     * that above min.
     */
    private void setupPerZoneWmarks(long minFreeKbytes, int watermarkScaleFactor) {
        long pagesMin = minFreeKbytes >> 2; // PAGE_SHIFT - 10
        long lowmemPages = 0;
        for (Zone z : zones) {
            lowmemPages += z.managedPages();
        }
        for (Zone z : zones) {
            long managed = z.managedPages();
            long min = pagesMin * managed / lowmemPages;
            long dist = Math.max(min >> 2, multFrac(managed, watermarkScaleFactor, 10000));
            z.watermark[WMARK_MIN] = min;
            z.watermark[WMARK_LOW] = min + dist;
            z.watermark[WMARK_HIGH] = min + 2 * dist;
        }
    }

    /**
     * The high watermark, in pages, that {@link #setupPerZoneWmarks} gives memory of
     * {@code managedPages} taken as one zone (the zones' shares add up to no more than this).
     */
    public static long highWatermarkPages(long managedPages, long minFreeKbytes, int watermarkScaleFactor) {
        long min = minFreeKbytes >> 2;
        return min + 2 * Math.max(min >> 2, multFrac(managedPages, watermarkScaleFactor, 10000));
    }

    /** {@code mult_frac(x, n, d)} of {@code include/linux/math.h}: {@code x * n / d} without overflow. */
    static long multFrac(long x, long n, long d) {
        return (x / d) * n + ((x % d) * n) / d;
    }

    /** Installs the reclaim driver's hooks. */
    public void setHooks(AllocHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** Installs compaction's hooks (THP, issue 5). */
    public void setCompactionHooks(CompactionHooks compaction) {
        this.compaction = Objects.requireNonNull(compaction, "compaction");
    }

    // ---- allocation ----------------------------------------------------------------------------

    /**
     * {@code __alloc_pages()}: allocate {@code 2^order} contiguous frames.
     *
     * <p>Fast path: the zonelist against each zone's low watermark. Slow path: wake kswapd on
     * every node of the zonelist (with {@link Gfp#__GFP_KSWAPD_RECLAIM}), retry against the min
     * watermark (less with {@link Gfp#__GFP_HIGH} or {@link Gfp#__GFP_ATOMIC}); then, if the
     * caller may block, rounds of direct reclaim through {@link AllocHooks#directReclaim} (each
     * {@code SWAP_CLUSTER_MAX} pages, then the free lists and, for order &gt; 0, compaction
     * again). {@code should_reclaim_retry()} decides whether to go round again: not for
     * __GFP_NORETRY, nor for costly orders without __GFP_RETRY_MAYFAIL; otherwise while fewer
     * than {@value #MAX_RECLAIM_RETRIES} rounds in a row made no progress (every round counts
     * for a costly order) and some zone would pass its min watermark if its reclaimable pages
     * were free. Then the OOM hook ({@code __alloc_pages_may_oom()}); a kill starts the rounds
     * over. Even __GFP_NOFAIL fails eventually here rather than loop forever. Not modelled:
     * {@code should_compact_retry()} and the high-atomic reserves.
     *
     * @param gfp           {@link Gfp} flags
     * @param order         0..{@value Zone#MAX_ORDER}
     * @param cpu           the allocating CPU (its per-CPU lists serve order 0)
     * @param preferredNode the node to try first
     * @return the head PFN, or -1
     */
    public int allocPages(int gfp, int order, int cpu, int preferredNode) {
        return allocPages(gfp, order, cpu, preferredNode, -1L);
    }

    /**
     * As {@link #allocPages(int, int, int, int)} restricted to the nodes of {@code nodemask}
     * ({@code __alloc_pages(gfp, order, nid, nodemask)}; bit {@code n} is node {@code n}, -1 all):
     * the zonelist is still {@code preferredNode}'s, walked skipping zones of other nodes
     * ({@code for_next_zone_zonelist_nodemask}); its first eligible zone is the preferred zone
     * that {@code zone_statistics()} counts against. A mask without the preferred node is
     * allowed, as with {@code MPOL_BIND} from a CPU outside it.
     */
    public int allocPages(int gfp, int order, int cpu, int preferredNode, long nodemask) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be in 0.." + MAX_ORDER + ": " + order);
        }
        int[] zl = (gfp & __GFP_THISNODE) != 0 ? zonelistThisNode[preferredNode] : zonelist[preferredNode];
        int highestZone = (gfp & __GFP_DMA32) != 0 ? ZONE_DMA32 : ZONE_NORMAL;
        int mt = Gfp.gfpMigratetype(gfp);
        long savedMask = this.nodemask;
        int savedPref = this.preferredZoneNode;
        this.nodemask = nodemask;
        this.preferredZoneNode = firstZoneNode(zl, highestZone, nodemask);
        try {
            if (preferredZoneNode < 0 && nodemask != -1L) {
                return -1; // no eligible zone: the mask and the zonelist have no node in common
            }
            int pfn = getPageFromFreelist(zl, highestZone, gfp, order, cpu, mt, WMARK_LOW, 0);
            if (pfn >= 0) {
                return pfn;
            }
            return allocPagesSlowpath(zl, highestZone, gfp, order, cpu, mt,
                    (nodemask >>> preferredNode & 1) != 0 ? preferredNode : preferredZoneNode);
        } finally {
            this.nodemask = savedMask;
            this.preferredZoneNode = savedPref;
        }
    }

    /** The node of {@code ac->preferred_zoneref}: the first zone of the zonelist allowed by type and mask, or -1. */
    private int firstZoneNode(int[] zl, int highestZone, long mask) {
        for (int z : zl) {
            Zone zone = zones[z];
            if (zone.type() <= highestZone && (mask >>> zone.node() & 1) != 0) {
                return zone.node();
            }
        }
        return -1;
    }

    /** {@code NUMA_INTERLEAVE_HIT}: an interleave allocation got the node it asked for ({@code alloc_pages_mpol()}). */
    public void countInterleaveHit() {
        events[NUMA_INTERLEAVE_HIT]++;
    }

    /** The node of each CPU ({@code numa_node_id()} of the allocating CPU), for numa_local/numa_other. */
    public void setCpuNodes(int[] cpuToNode) {
        if (cpuToNode.length != nrCpus) {
            throw new IllegalArgumentException("a node for each of " + nrCpus + " CPUs: " + cpuToNode.length);
        }
        System.arraycopy(cpuToNode, 0, cpuNode, 0, nrCpus);
    }

    private int allocPagesSlowpath(int[] zl, int highestZone, int gfp, int order, int cpu, int mt, int node) {
        // gfp_to_alloc_flags()
        int allocFlags = 0;
        if ((gfp & __GFP_HIGH) != 0) {
            allocFlags |= Zone.ALLOC_HIGH;
        }
        if ((gfp & __GFP_ATOMIC) != 0 && (gfp & __GFP_NOMEMALLOC) == 0) {
            allocFlags |= Zone.ALLOC_HARDER;
        }
        if ((gfp & __GFP_KSWAPD_RECLAIM) != 0) {
            wakeAllKswapds(zl, highestZone, order, gfp);
        }
        int pfn = getPageFromFreelist(zl, highestZone, gfp, order, cpu, mt, WMARK_MIN, allocFlags);
        if (pfn >= 0 || (gfp & __GFP_DIRECT_RECLAIM) == 0) {
            return pfn;
        }
        boolean costly = order > PAGE_ALLOC_COSTLY_ORDER;
        if (order > 0) {
            // costly orders try async compaction before reclaim (__alloc_pages_slowpath)
            pfn = directCompact(zl, highestZone, gfp, order, cpu, mt, allocFlags, node, CompactionHooks.PRIO_ASYNC);
            if (pfn >= 0) {
                return pfn;
            }
        }
        if (!hooks.mayDirectReclaim()) {
            return -1; // PF_MEMALLOC: nopage
        }
        int noProgressLoops = 0;
        for (boolean retry = false; ; retry = true) {
            if (retry) {
                // retry: kswapd may have gone back to sleep while this task reclaimed
                if ((gfp & __GFP_KSWAPD_RECLAIM) != 0) {
                    wakeAllKswapds(zl, highestZone, order, gfp);
                }
                pfn = getPageFromFreelist(zl, highestZone, gfp, order, cpu, mt, WMARK_MIN, allocFlags);
                if (pfn >= 0) {
                    return pfn;
                }
            }
            long progress = hooks.directReclaim(gfp, order, node);
            pfn = getPageFromFreelist(zl, highestZone, gfp, order, cpu, mt, WMARK_MIN, allocFlags);
            if (pfn < 0 && order > 0) {
                // after reclaim, compaction again; __GFP_NORETRY stays async (COMPACT_PRIO_ASYNC)
                pfn = directCompact(zl, highestZone, gfp, order, cpu, mt, allocFlags, node,
                        (gfp & __GFP_NORETRY) != 0 ? CompactionHooks.PRIO_ASYNC : CompactionHooks.PRIO_SYNC);
            }
            if (pfn >= 0 || (gfp & __GFP_NORETRY) != 0) {
                return pfn;
            }
            if (costly && (gfp & __GFP_RETRY_MAYFAIL) == 0) {
                return -1; // costly orders are not retried unless __GFP_RETRY_MAYFAIL
            }
            // should_reclaim_retry(): progress of a cheap order resets the count of fruitless loops
            if (progress > 0 && !costly) {
                noProgressLoops = 0;
            } else {
                noProgressLoops++;
            }
            if (noProgressLoops <= MAX_RECLAIM_RETRIES && reclaimCouldSucceed(zl, highestZone, order, allocFlags)) {
                continue;
            }
            // __alloc_pages_may_oom(): a kill that freed memory is progress, and the loop starts over
            boolean mayOom = (gfp & __GFP_NOFAIL) != 0
                    || (!costly && (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE)) == 0);
            if (!mayOom || !hooks.outOfMemory(gfp, order, node)) {
                return -1; // Linux loops for __GFP_NOFAIL; here it fails rather than hang
            }
            noProgressLoops = 0;
        }
    }

    /**
     * The zone test of {@code should_reclaim_retry()}: would some eligible zone pass its min
     * watermark at {@code order} if every reclaimable page of it were free
     * ({@code __zone_watermark_ok()} with {@code free + zone_reclaimable_pages()})?
     */
    private boolean reclaimCouldSucceed(int[] zl, int highestZone, int order, int allocFlags) {
        for (int z : zl) {
            Zone zone = zones[z];
            if (zone.type() > highestZone || (nodemask >>> zone.node() & 1) == 0) {
                continue;
            }
            long available = zone.nrFreePages() + hooks.zoneReclaimablePages(zone);
            if (zone.watermarkOk(order, zone.watermark[WMARK_MIN], allocFlags, available)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fallback order of nodes for each node, as {@code build_zonelists()} and
     * {@code find_next_best_node()} compute it ({@code mm/page_alloc.c}, Linux 6.18): the node
     * itself, then repeatedly the unused node with the least
     * {@code (distance + (n < node) + (n has CPUs ? PENALTY_FOR_NODE_WITH_CPUS : 0)) * MAX_NUMNODES + node_load[n]},
     * the lowest id on a tie; the first node of each new distance group gets {@code node_load += 1}
     * so that nodes at equal distance are taken round robin across the nodes' lists. So nearer
     * nodes come first, a memory-only node beats a node with CPUs at the same distance, and with
     * equal distances node n falls back to n+1, n+2, ... in turn.
     *
     * @param distance flat SLIT, {@code distance[i * nrNodes + j]}
     * @param hasCpus  whether each node has CPUs
     */
    public static int[][] buildNodeOrder(int[] distance, boolean[] hasCpus) {
        final int penaltyForNodeWithCpus = 1;
        final long maxNumnodes = 1L << 10; // CONFIG_NODES_SHIFT=10, as x86_64 distribution kernels
        int nr = hasCpus.length;
        if (distance.length != nr * nr) {
            throw new IllegalArgumentException("distance table of " + distance.length + " entries for " + nr + " nodes");
        }
        long[] nodeLoad = new long[nr]; // __build_all_zonelists() clears node_load, then builds node by node
        int[][] order = new int[nr][];
        for (int local = 0; local < nr; local++) {
            boolean[] used = new boolean[nr];
            int[] o = new int[nr];
            int prev = local;
            for (int k = 0; k < nr; k++) {
                int best = -1;
                if (!used[local]) {
                    best = local;
                } else {
                    long min = Long.MAX_VALUE;
                    for (int n = 0; n < nr; n++) {
                        if (used[n]) {
                            continue;
                        }
                        long val = distance[local * nr + n];
                        val += n < local ? 1 : 0;
                        val += hasCpus[n] ? penaltyForNodeWithCpus : 0;
                        val = val * maxNumnodes + nodeLoad[n];
                        if (val < min) {
                            min = val;
                            best = n;
                        }
                    }
                }
                used[best] = true;
                if (distance[local * nr + best] != distance[local * nr + prev]) {
                    nodeLoad[best] += 1;
                }
                o[k] = best;
                prev = best;
            }
            order[local] = o;
        }
        return order;
    }

    /** The SLIT Linux assumes without firmware tables: 10 local, 20 remote. */
    public static int[] uniformDistances(int nrNodes) {
        int[] d = new int[nrNodes * nrNodes];
        for (int i = 0; i < nrNodes; i++) {
            for (int j = 0; j < nrNodes; j++) {
                d[i * nrNodes + j] = i == j ? 10 : 20;
            }
        }
        return d;
    }

    private static boolean[] allHaveCpus(int nrNodes) {
        boolean[] b = new boolean[nrNodes];
        Arrays.fill(b, true);
        return b;
    }

    /** The zone indexes of a node's zonelist, nearest first (a copy). */
    public int[] zonelistOf(int node) {
        return zonelist[node].clone();
    }

    /** {@code wakeup_kcompactd()}: kswapd asks kcompactd to compact {@code node} for {@code order}. */
    public void wakeKcompactd(int node, int order) {
        if (order > 0) {
            compaction.wakeKcompactd(node, order);
        }
    }

    /** {@code __alloc_pages_direct_compact()}: compact, then retry the free lists; counts the outcome. */
    private int directCompact(int[] zl, int highestZone, int gfp, int order, int cpu, int mt, int allocFlags,
                              int node, int priority) {
        if (!compaction.directCompact(gfp, order, node, priority)) {
            return -1;
        }
        int pfn = getPageFromFreelist(zl, highestZone, gfp, order, cpu, mt, WMARK_MIN, allocFlags);
        compaction.compactResult(pfn >= 0);
        return pfn;
    }

    /** {@code wake_all_kswapds()}: once per node of the eligible zonelist. */
    private void wakeAllKswapds(int[] zl, int highestZone, int order, int gfp) {
        int last = -1;
        for (int z : zl) {
            Zone zone = zones[z];
            if (zone.type() <= highestZone && zone.node() != last && (nodemask >>> zone.node() & 1) != 0) {
                last = zone.node();
                hooks.wakeKswapd(last, order, gfp);
            }
        }
    }

    /** {@code get_page_from_freelist()}: the first zone that passes the watermark and has a page. */
    private int getPageFromFreelist(int[] zl, int highestZone, int gfp, int order, int cpu, int mt,
                                    int wmark, int allocFlags) {
        for (int z : zl) {
            Zone zone = zones[z];
            if (zone.type() > highestZone || (nodemask >>> zone.node() & 1) == 0) {
                continue;
            }
            if (!zone.watermarkOk(order, zone.watermark[wmark], allocFlags)) {
                continue;
            }
            int pfn = order == 0 ? zone.pcpAlloc(cpu, mt) : zone.rmqueue(order, mt);
            if (pfn < 0) {
                continue;
            }
            prepNewPage(pfn, order, gfp);
            events[zone.type() == ZONE_DMA32 ? PGALLOC_DMA32 : PGALLOC_NORMAL] += 1L << order;
            zoneStatistics(zone.node(), cpu);
            return pfn;
        }
        return -1;
    }

    /**
     * {@code zone_statistics(preferred_zone, z, 1)} (mm/page_alloc.c, Linux 6.18): one count per
     * allocation whatever its order; a hit if the page's node is the preferred zone's, else a
     * miss on the page's node and a foreign on the preferred one; local or other by the
     * allocating CPU's node.
     */
    private void zoneStatistics(int node, int cpu) {
        if (node == preferredZoneNode) {
            events[NUMA_HIT]++;
        } else {
            events[NUMA_MISS]++;
            events[NUMA_FOREIGN]++;
        }
        events[node == cpuNode[cpu] ? NUMA_LOCAL : NUMA_OTHER]++;
    }

    /**
     * {@code prep_new_page()}: frames of a free block are clean (see {@link Zone}), so only the
     * head's refcount and, for a compound page, the head/tail links need setting.
     */
    private void prepNewPage(int pfn, int order, int gfp) {
        frames.setRefcount(pfn, 1);
        if ((gfp & __GFP_COMP) != 0 && order > 0) {
            frames.setFlags(pfn, PageFrames.PG_HEAD);
            int end = pfn + (1 << order);
            for (int p = pfn + 1; p < end; p++) {
                frames.setFlags(p, PageFrames.PG_TAIL);
                frames.setNext(p, pfn);
            }
            frames.setPrev(pfn + 1, order);
        }
    }

    /**
     * Allocates the shared zero page ({@code ZERO_PAGE(0)}): an order-0 kernel page marked
     * {@link PageFrames#PG_RESERVED}, so that freeing it is caught as a bad page.
     *
     * @return its PFN, or -1 if memory is exhausted
     */
    public int allocZeroPage() {
        int pfn = allocPages(Gfp.GFP_KERNEL, 0, 0, 0);
        if (pfn >= 0) {
            frames.setFlags(pfn, frames.flags(pfn) | (PageFrames.PG_RESERVED));
        }
        return pfn;
    }

    /** Order of the compound page headed at {@code pfn}, or 0 if it is not a compound head. */
    public int compoundOrder(int pfn) {
        return (frames.flags(pfn) & PageFrames.PG_HEAD) != 0 ? frames.prev(pfn + 1) : 0;
    }

    /** Head PFN of the compound page holding {@code pfn} ({@code compound_head()}); itself otherwise. */
    public int compoundHead(int pfn) {
        return (frames.flags(pfn) & PageFrames.PG_TAIL) != 0 ? frames.next(pfn) : pfn;
    }

    // ---- free ----------------------------------------------------------------------------------

    /**
     * {@code __free_pages()} once the refcount has dropped to 0: order 0 goes to {@code cpu}'s
     * per-CPU list, larger orders straight to the buddy lists. Frames are cleaned (flags,
     * mapcount, mapping, index, private, links); a compound page must be freed with its own order.
     *
     * @throws IllegalStateException on a bad page: refcount not 0, already free, a tail, a wrong
     *                               compound order, or PG_lru, PG_reserved or PG_writeback set
     */
    public void freePages(int pfn, int order, int cpu) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be in 0.." + MAX_ORDER + ": " + order);
        }
        if (pfn < 0 || pfn >= frames.nrFrames() || (pfn & ((1 << order) - 1)) != 0) {
            throw new IllegalArgumentException("PFN " + pfn + " is not a valid order-" + order + " block");
        }
        int fl = frames.flags(pfn);
        if (frames.refcount(pfn) != 0 || (fl & (PageFrames.PG_BUDDY | PageFrames.PG_PCP | PageFrames.PG_TAIL | BAD_AT_FREE)) != 0) {
            throw new IllegalStateException("bad page state freeing PFN " + pfn + " order " + order
                    + ": refcount " + frames.refcount(pfn) + ", flags 0x" + Integer.toHexString(fl));
        }
        if ((fl & PageFrames.PG_HEAD) != 0 && compoundOrder(pfn) != order) {
            throw new IllegalStateException("freeing compound page at PFN " + pfn + " of order "
                    + compoundOrder(pfn) + " as order " + order);
        }
        Zone zone = zoneOf(pfn);
        int end = pfn + (1 << order);
        if (end > zone.endPfn()) {
            throw new IllegalArgumentException("order-" + order + " block at PFN " + pfn + " crosses the end of " + zone);
        }
        for (int p = pfn; p < end; p++) {
            frames.setFlags(p, 0);
            frames.setMapcount(p, 0);
            frames.setMapping(p, 0);
            frames.setIndex(p, 0);
            frames.setPriv(p, 0);
            frames.setPrev(p, -1);
            frames.setNext(p, -1);
        }
        events[PGFREE] += 1L << order;
        if (order == 0) {
            zone.pcpFree(cpu, pfn);
        } else {
            zone.freeOnePage(pfn, order, zone.pageblockMigratetype(pfn));
        }
    }

    /** {@code drain_all_pages()}: every CPU's lists of every zone back to the buddy lists. */
    public void drainAll() {
        for (Zone z : zones) {
            for (int cpu = 0; cpu < nrCpus; cpu++) {
                z.drainPcp(cpu);
            }
        }
    }

    /** {@code drain_local_pages()}: one CPU's lists of every zone. */
    public void drainCpu(int cpu) {
        for (Zone z : zones) {
            z.drainPcp(cpu);
        }
    }

    // ---- queries -------------------------------------------------------------------------------

    /** The zones, by node and then zone type (ascending PFN). */
    public List<Zone> zones() {
        return zoneList;
    }

    /** Number of zones. */
    public int nrZones() {
        return zones.length;
    }

    /** A zone by its {@link Zone#id()}. */
    public Zone zone(int id) {
        return zones[id];
    }

    /** The zone that spans a PFN ({@code page_zone()}). */
    public Zone zoneOf(int pfn) {
        int lo = 0;
        int hi = zoneStart.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (zoneStart[mid] <= pfn) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return zones[lo];
    }

    /** The frames this allocator manages. */
    public PageFrames frames() {
        return frames;
    }

    /** Number of CPUs. */
    public int nrCpus() {
        return nrCpus;
    }

    /** The effective {@code vm.min_free_kbytes} (computed when configured as -1). */
    public long minFreeKbytes() {
        return minFreeKbytes;
    }

    /**
     * True if the frame is free: on a per-CPU list or anywhere inside a free buddy block
     * (cf. {@code is_free_buddy_page()}); {@link PageFrames#isFree} only knows block heads.
     */
    public boolean isFreeFrame(int pfn) {
        if ((frames.flags(pfn) & PageFrames.PG_PCP) != 0 || zoneOf(pfn).uninitialised(pfn)) {
            return true;
        }
        for (int order = 0; order < NR_PAGE_ORDERS; order++) {
            int head = pfn & ~((1 << order) - 1);
            if ((frames.flags(head) & PageFrames.PG_BUDDY) != 0 && frames.priv(head) >= order) {
                return true;
            }
        }
        return false;
    }

    /** True if the frame is in a free block never initialised (deferred struct page init, {@link Zone}). */
    public boolean uninitialised(int pfn) {
        return zoneOf(pfn).uninitialised(pfn);
    }

    /** All free pages, buddy and per-CPU lists (MemFree plus the pcp pages Linux leaves out). */
    public long freePages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.freePages();
        }
        return n;
    }

    /** {@code NR_FREE_PAGES} summed over zones: buddy pages only, as Linux's {@code nr_free_pages}. */
    public long nrFreePages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.nrFreePages();
        }
        return n;
    }

    /** Free pages of one node, buddy and per-CPU lists. */
    public long freePagesOfNode(int node) {
        long n = 0;
        for (Zone z : zones) {
            if (z.node() == node) {
                n += z.freePages();
            }
        }
        return n;
    }

    /** Managed pages of all zones ({@code totalram_pages}). */
    public long managedPages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.managedPages();
        }
        return n;
    }

    /**
     * A counter by its {@code /proc/vmstat} name: {@code nr_free_pages}, {@code pgalloc_dma32},
     * {@code pgalloc_normal}, {@code pgfree} (the latter counts pages, boot-time frees included,
     * as in Linux).
     *
     * @throws IllegalArgumentException for a name this allocator does not count
     */
    public long counter(String linuxName) {
        if ("nr_free_pages".equals(linuxName)) {
            return nrFreePages();
        }
        for (int i = 0; i < EVENT_NAMES.length; i++) {
            if (EVENT_NAMES[i].equals(linuxName)) {
                return events[i];
            }
        }
        throw new IllegalArgumentException("the page allocator does not count " + linuxName
                + "; it counts nr_free_pages, " + String.join(", ", EVENT_NAMES));
    }

    /** Everything this allocator counts, in {@code /proc/vmstat} order and names. */
    public Map<String, Long> vmstat() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("nr_free_pages", nrFreePages());
        for (int i = 0; i < EVENT_NAMES.length; i++) {
            m.put(EVENT_NAMES[i], events[i]);
        }
        return m;
    }

    /**
     * {@code /proc/buddyinfo} ({@code frag_show_print()} in {@code mm/vmstat.c}): per zone
     * {@code "Node %d, zone %8s "} and then {@code "%6lu "} free blocks of each order.
     */
    public String buddyinfo() {
        StringBuilder sb = new StringBuilder();
        for (Zone z : zones) {
            sb.append(String.format(Locale.ROOT, "Node %d, zone %8s ", z.node(), z.name()));
            for (int order = 0; order < NR_PAGE_ORDERS; order++) {
                sb.append(String.format(Locale.ROOT, "%6d ", z.nrFree(order)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code /proc/pagetypeinfo} ({@code pagetypeinfo_show()} in {@code mm/vmstat.c}): free
     * blocks per order and migratetype, then pageblocks per migratetype.
     */
    public String pagetypeinfo() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Page block order: %d\n", Zone.PAGEBLOCK_ORDER));
        sb.append(String.format(Locale.ROOT, "Pages per block:  %d\n\n", Zone.PAGEBLOCK_NR_PAGES));
        sb.append(String.format(Locale.ROOT, "%-43s ", "Free pages count per migrate type at order"));
        for (int order = 0; order < NR_PAGE_ORDERS; order++) {
            sb.append(String.format(Locale.ROOT, "%6d ", order));
        }
        sb.append('\n');
        for (Zone z : zones) {
            for (int mt = 0; mt < MigrateType.MIGRATE_TYPES; mt++) {
                sb.append(String.format(Locale.ROOT, "Node %4d, zone %8s, type %12s ", z.node(), z.name(), MigrateType.name(mt)));
                for (int order = 0; order < NR_PAGE_ORDERS; order++) {
                    sb.append(String.format(Locale.ROOT, "%6d ", z.countFreeList(order, mt)));
                }
                sb.append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "\n%-23s", "Number of blocks type "));
        for (int mt = 0; mt < MigrateType.MIGRATE_TYPES; mt++) {
            sb.append(String.format(Locale.ROOT, "%12s ", MigrateType.name(mt)));
        }
        sb.append('\n');
        for (Zone z : zones) {
            long[] count = new long[MigrateType.MIGRATE_TYPES];
            int first = z.startPfn() & ~(Zone.PAGEBLOCK_NR_PAGES - 1);
            for (long pb = first; pb < z.endPfn(); pb += Zone.PAGEBLOCK_NR_PAGES) {
                count[z.pageblockMigratetype((int) Math.max(pb, z.startPfn()))]++;
            }
            sb.append(String.format(Locale.ROOT, "Node %d, zone %8s ", z.node(), z.name()));
            for (long c : count) {
                sb.append(String.format(Locale.ROOT, "%12d ", c));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Checks that every frame is exactly one of: inside one free buddy block, on one per-CPU
     * list, or allocated; that counters match the lists; and that no two free buddies of the
     * same order were left uncoalesced.
     *
     * @throws IllegalStateException naming the zone, list and PFN of the first violation
     */
    public void verify() {
        byte[][] state = new byte[frames.nrSections()][];
        for (Zone z : zones) {
            z.verify(state);
        }
        for (int pfn = 0; pfn < frames.nrFrames(); pfn++) {
            if (!frames.sectionPresent(pfn)) {
                pfn = PageFrames.nextSectionPfn(pfn) - 1; // nothing written there: no flags
                continue;
            }
            int fl = frames.flags(pfn);
            boolean buddy = (fl & PageFrames.PG_BUDDY) != 0;
            boolean pcp = (fl & PageFrames.PG_PCP) != 0;
            int st = Zone.state(state, pfn);
            if (st == 0 && (buddy || pcp)) {
                throw new IllegalStateException("PFN " + pfn + " in " + zoneOf(pfn) + " has "
                        + (buddy ? "PG_BUDDY" : "PG_PCP") + " but is on no free list");
            }
            if (st == 1 && pcp) {
                throw new IllegalStateException("PFN " + pfn + " is in a free buddy block but has PG_PCP");
            }
        }
    }
}
