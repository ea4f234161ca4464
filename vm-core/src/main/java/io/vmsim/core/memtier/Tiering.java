package io.vmsim.core.memtier;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaPromotion;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmscan.Demotion;
import io.vmsim.core.vmscan.Vmscan;
import io.vmsim.core.vmstat.VmEvent;

/**
 * Memory tiering's mechanisms (Linux 6.18): demotion of reclaim victims to a slower tier and
 * promotion of hot slow-tier pages on NUMA hinting faults.
 *
 * <p><b>Demotion</b> ({@code mm/vmscan.c}): when {@code mm.numa.demotion_enabled} is on
 * ({@code /sys/kernel/mm/numa/demotion_enabled}) a node with a demotion target may reclaim its
 * anonymous pages even without swap ({@code can_reclaim_anon_pages()}, {@code can_demote()}), and
 * a victim is first migrated to {@code next_demotion_node()} ({@code demote_folio_list()},
 * {@code alloc_demote_folio()}: the target alone, without direct reclaim but waking its kswapd,
 * then the other nodes of lower tiers), counting {@code pgdemote_kswapd} or
 * {@code pgdemote_direct}. When every lower node is full the page is reclaimed as without
 * demotion (swapped if swap has room, else kept). Simplifications: only order-0 anonymous pages
 * are demoted (page-cache pages are evicted as before, and a THP is not split for demotion);
 * reclaim by khugepaged counts as direct ({@code pgdemote_khugepaged} stays 0).
 *
 * <p><b>Promotion</b> ({@code kernel.numa_balancing=2}, {@code NUMA_BALANCING_MEMORY_TIERING}):
 * the scanner marks only pages of nodes outside the top tier and records the scan time in the
 * page's {@code last_cpupid} field ({@code folio_xchg_access_time()}); a hinting fault on such a
 * page asks the policy ({@link NumaPolicy#promotion}, Linux's rule by default) with the hint-fault
 * latency ({@code numa_hint_fault_latency()}), the target node's hot threshold, adjusted every
 * {@code scan_period_max_ms} so that candidates match the rate limit
 * ({@code numa_promotion_adjust_threshold()}), and whether the target has free space enough
 * ({@code pgdat_free_space_enough()}); rate-limited candidates pass while the target's candidates
 * in the current window of at least one second stay below
 * {@code kernel.numa_balancing_promote_rate_limit_MBps} ({@code numa_promotion_rate_limit()}).
 * The page moves when the target has its high watermark plus the page free
 * ({@code migrate_balanced_pgdat()}); otherwise the target's kswapd is woken and, in tiering
 * mode, balances to the promo watermark ({@code high + (high - low)}), demoting cold pages to make
 * room. Times are jiffies at HZ=250 in ms, kept modulo {@code PAGE_ACCESS_TIME_MASK} (21 bits with
 * {@code NR_CPUS} = 8192).
 */
public final class Tiering implements Demotion, Daemons.Daemon {
    /** {@code NUMA_BALANCING_NORMAL}. */
    public static final int NUMA_BALANCING_NORMAL = 1;
    /** {@code NUMA_BALANCING_MEMORY_TIERING}. */
    public static final int NUMA_BALANCING_MEMORY_TIERING = 2;
    /** {@code NUMA_MIGRATION_ADJUST_STEPS}. */
    static final int NUMA_MIGRATION_ADJUST_STEPS = 16;
    /** {@code LAST_CPUPID_SHIFT} (8 pid bits + 13 CPU bits): the bits of a page's access time. */
    static final int LAST_CPUPID_SHIFT = 21;
    /** {@code PAGE_ACCESS_TIME_MASK}. */
    static final int PAGE_ACCESS_TIME_MASK = (1 << LAST_CPUPID_SHIFT) - 1;
    /** A jiffy at HZ=250, ns. */
    static final long JIFFY_NS = 4_000_000L;
    private static final long MSEC_PER_SEC = 1000;

    private final Kernel k;
    private final PageFrames frames;
    private final MemoryTiers tiers;
    private final NumaPolicy policy;
    private final Vmscan vmscan;
    private final Migrator migrator;
    private final int mode;
    private final boolean demotionEnabled;
    private final long rateLimitPages;
    private final long hotThresholdMs;
    private final long scanPeriodMaxMs;
    /** Per node: pages the policy's demotion watermark adds to Linux's mark (0 following Linux). */
    private final long[] extraMark;
    private final long[] nodeManaged;
    private final int[] nodeCpu;
    // per target node (struct pglist_data): the promotion rate limit and threshold state
    private final long[] candidates;
    private final long[] rlStartMs;
    private final long[] rlNrCand;
    private final long[] thStartMs;
    private final long[] thNrCand;
    private final long[] threshold;
    private final Promotion view = new Promotion();

    /**
     * @param mode            {@code kernel.numa_balancing} (its bits)
     * @param demotionEnabled {@code mm.numa.demotion_enabled}
     * @param rateLimitMBps   {@code kernel.numa_balancing_promote_rate_limit_MBps}
     * @param hotThresholdMs  {@code kernel.numa_balancing_hot_threshold_ms}
     * @param scanPeriodMaxMs {@code kernel.numa_balancing_scan_period_max_ms}, the threshold's adjustment period
     */
    public Tiering(Kernel kernel, Vmscan vmscan, Daemons daemons, int mode, boolean demotionEnabled, long rateLimitMBps,
                   long hotThresholdMs, long scanPeriodMaxMs) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.tiers = new MemoryTiers(kernel.topology);
        this.policy = kernel.numa;
        this.vmscan = vmscan;
        this.migrator = new Migrator(kernel);
        this.mode = mode;
        this.demotionEnabled = demotionEnabled;
        this.rateLimitPages = rateLimitMBps << (20 - 12); // MB_TO_PAGES()
        this.hotThresholdMs = hotThresholdMs;
        this.scanPeriodMaxMs = scanPeriodMaxMs;
        int n = tiers.nrNodes();
        this.candidates = new long[n];
        this.rlStartMs = new long[n];
        this.rlNrCand = new long[n];
        this.thStartMs = new long[n];
        this.thNrCand = new long[n];
        this.threshold = new long[n];
        this.extraMark = new long[n];
        this.nodeManaged = new long[n];
        this.nodeCpu = new int[n];
        for (Zone z : kernel.allocator.zones()) {
            nodeManaged[z.node()] += z.managedPages();
        }
        boolean anyTarget = false;
        for (int node = 0; node < n; node++) {
            int[] cpus = kernel.topology.cpusOfNode(node);
            nodeCpu[node] = cpus.length > 0 ? cpus[0] : 0;
            if (canDemote(node)) {
                anyTarget = true;
                long linux = 0;
                for (Zone z : kernel.allocator.zones()) {
                    if (z.node() == node && z.managedPages() > 0) {
                        linux += linuxMark(z);
                    }
                }
                extraMark[node] = Math.max(0, policy.demotionWatermarkPages(node, linux) - linux);
            }
        }
        if (anyTarget) {
            // anonymous pages go on the LRU without swap: reclaim may demote them
            kernel.anonEvictable = true;
        }
        vmscan.setDemotion(this);
        boolean headroom = false;
        for (long e : extraMark) {
            headroom |= e > 0;
        }
        if (headroom) {
            daemons.register(this, JIFFY_NS);
        }
    }

    public MemoryTiers tiers() {
        return tiers;
    }

    /** True if {@code kernel.numa_balancing} has the memory-tiering bit. */
    public boolean tieringMode() {
        return (mode & NUMA_BALANCING_MEMORY_TIERING) != 0;
    }

    /** True if {@code kernel.numa_balancing} has the normal-balancing bit (1 or 3). */
    public boolean normalMode() {
        return (mode & NUMA_BALANCING_NORMAL) != 0;
    }

    // ---------------------------------------------------------------- demotion

    @Override
    public boolean canDemote(int node) {
        return demotionEnabled && node >= 0 && tiers.hasDemotionTarget(node);
    }

    /** {@code WMARK_PROMO} in tiering mode ({@code high + (high - low)}, __setup_per_zone_wmarks()), else the high watermark. */
    private long linuxMark(Zone z) {
        long high = z.watermark(Zone.WMARK_HIGH);
        return tieringMode() ? high + (high - z.watermark(Zone.WMARK_LOW)) : high;
    }

    @Override
    public long balanceMark(Zone z) {
        int node = z.node();
        long extra = extraMark[node];
        return linuxMark(z) + (extra == 0 || nodeManaged[node] == 0 ? 0 : extra * z.managedPages() / nodeManaged[node]);
    }

    @Override
    public boolean demote(int pfn, boolean kswapd) {
        int node = frames.nodeOf(pfn);
        if (!canDemote(node) || !migrator.movable(pfn)) {
            return false;
        }
        int cpu = nodeCpu[node];
        int to = allocDemote(node, cpu);
        if (to < 0) {
            return false;
        }
        if (!migrator.migrateIsolated(pfn, to, cpu)) {
            frames.setRefcount(to, 0);
            k.allocator.freePages(to, 0, cpu);
            return false;
        }
        migrateCpupid(pfn, to);
        k.vmstat.count(kswapd ? VmEvent.PGDEMOTE_KSWAPD : VmEvent.PGDEMOTE_DIRECT);
        return true;
    }

    /** {@code alloc_demote_folio()}: the target node alone, then the nodes of lower tiers, none with direct reclaim. */
    private int allocDemote(int node, int cpu) {
        int gfp = (Gfp.GFP_HIGHUSER_MOVABLE & ~Gfp.__GFP_RECLAIM) | Gfp.__GFP_NOWARN | Gfp.__GFP_NOMEMALLOC | Gfp.GFP_NOWAIT
                | Gfp.__GFP_THISNODE;
        int target = tiers.nextDemotionNode(node);
        int pfn = k.allocator.allocPages(gfp, 0, cpu, target);
        if (pfn >= 0) {
            return pfn;
        }
        for (int other : tiers.lowerTierNodesShared(node)) {
            if (other != target) {
                pfn = k.allocator.allocPages(gfp, 0, cpu, other);
                if (pfn >= 0) {
                    return pfn;
                }
            }
        }
        return -1;
    }

    /**
     * {@code folio_migrate_flags()}: the page's cpupid moves with it, except in tiering mode, where a
     * page moving between the top tier and another forgets it (it holds the access time).
     */
    private void migrateCpupid(int from, int to) {
        if (k.lastCpupid != null) {
            k.lastCpupid[to] = tieringMode() ? -1 : k.lastCpupid[from];
            k.lastCpupid[from] = -1;
        }
    }

    @Override
    public String name() {
        return "memtier";
    }

    /** A demotion watermark above Linux's: wake kswapd as soon as a node's free pages drop below it. */
    @Override
    public long run(long nowNs) {
        for (int node = 0; node < extraMark.length; node++) {
            if (extraMark[node] > 0 && !vmscan.balanced(node) && vmscan.kswapdSleeping(node)) {
                vmscan.wakeKswapd(node, 0, Gfp.GFP_NOWAIT);
            }
        }
        return JIFFY_NS;
    }

    // ---------------------------------------------------------------- promotion

    /** {@code jiffies_to_msecs(jiffies)} now. */
    public long nowMs() {
        return k.clock.nanoTime() / JIFFY_NS * (JIFFY_NS / 1_000_000L);
    }

    /** True if the page's {@code last_cpupid} holds its access time ({@code folio_use_access_time()}). */
    public boolean usesAccessTime(int pageNode) {
        return tieringMode() && !tiers.isToptier(pageNode);
    }

    /** {@code folio_xchg_access_time()} at scan time: records now as the page's access time. */
    public void markScanned(int pfn) {
        k.lastCpupid[pfn] = (int) (nowMs() & PAGE_ACCESS_TIME_MASK);
    }

    /**
     * The promotion decision of a hinting fault on slow-tier page {@code pfn} by {@code task} on
     * {@code cpu}, whose node {@code dst} is the target: the tiering branch of
     * {@code should_numa_migrate_memory()}. Returns {@code dst} to promote, or -1.
     */
    public int promotionTarget(TaskView task, int pfn, int pageNode, int cpu, int dst) {
        if (!tiers.isToptier(dst)) {
            return -1;
        }
        long now = nowMs();
        boolean enough = freeSpaceEnough(dst);
        long latency = -1;
        if (!enough) {
            numaPromotionAdjustThreshold(dst, now);
            latency = numaHintFaultLatency(pfn, now);
        }
        long th = threshold[dst] != 0 ? threshold[dst] : hotThresholdMs;
        view.set(pfn, pageNode, dst, cpu, latency >= 0 ? latency : peekLatency(pfn, now), th, enough);
        int verdict = policy.promotion(task, view);
        if (verdict == NumaPolicy.PROMOTION_NOW) {
            if (enough) {
                threshold[dst] = 0; // workload changed, reset the hot threshold
            }
            k.vmstat.count(VmEvent.PGPROMOTE_CANDIDATE_NRL);
            return dst;
        }
        if (verdict == NumaPolicy.PROMOTION_RATE_LIMITED) {
            return numaPromotionRateLimit(dst, now, 1) ? -1 : dst;
        }
        return -1;
    }

    /** {@code numa_hint_fault_latency()}: ms since the recorded access time, which becomes now. */
    long numaHintFaultLatency(int pfn, long now) {
        long l = peekLatency(pfn, now);
        k.lastCpupid[pfn] = (int) (now & PAGE_ACCESS_TIME_MASK);
        return l;
    }

    private long peekLatency(int pfn, long now) {
        int last = k.lastCpupid[pfn];
        long lastTime = last == -1 ? PAGE_ACCESS_TIME_MASK : last; // an unset cpupid reads as all ones
        return (now - lastTime) & PAGE_ACCESS_TIME_MASK;
    }

    /** {@code pgdat_free_space_enough()}: a zone above its promo watermark plus max(1 GiB, node pages / 16). */
    boolean freeSpaceEnough(int node) {
        long enough = Math.max((1L << 30) >> 12, nodeManaged[node] >> 4);
        for (Zone z : k.allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0) {
                long high = z.watermark(Zone.WMARK_HIGH);
                long promo = high + (high - z.watermark(Zone.WMARK_LOW));
                if (z.watermarkOk(0, promo + enough)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code numa_promotion_rate_limit()}: counts the candidate; true if over the limit in this window. */
    boolean numaPromotionRateLimit(int node, long now, int nr) {
        candidates[node] += nr;
        k.vmstat.add(VmEvent.PGPROMOTE_CANDIDATE, nr);
        long nrCand = candidates[node];
        if (now - rlStartMs[node] > MSEC_PER_SEC) {
            rlStartMs[node] = now;
            rlNrCand[node] = nrCand;
        }
        return nrCand - rlNrCand[node] >= rateLimitPages;
    }

    /**
     * {@code numa_promotion_adjust_threshold()}: every scan_period_max_ms, lower the threshold by
     * one of 16 steps of twice the default when candidates exceeded the rate limit's share by a
     * tenth, raise it when they fell a tenth short.
     */
    void numaPromotionAdjustThreshold(int node, long now) {
        if (now - thStartMs[node] <= scanPeriodMaxMs) {
            return;
        }
        thStartMs[node] = now;
        long refCand = rateLimitPages * scanPeriodMaxMs / MSEC_PER_SEC;
        long nrCand = candidates[node];
        long diff = nrCand - thNrCand[node];
        long unit = hotThresholdMs * 2 / NUMA_MIGRATION_ADJUST_STEPS;
        long th = threshold[node] != 0 ? threshold[node] : hotThresholdMs;
        if (diff > refCand * 11 / 10) {
            th = Math.max(th - unit, unit);
        } else if (diff < refCand * 9 / 10) {
            th = Math.min(th + unit, hotThresholdMs * 2);
        }
        thNrCand[node] = nrCand;
        threshold[node] = th;
    }

    /** The node's current hot threshold in ms ({@code nbp_threshold}, or the default before any adjustment). */
    public long hotThresholdMs(int node) {
        return threshold[node] != 0 ? threshold[node] : hotThresholdMs;
    }

    /** {@code migrate_balanced_pgdat()}: a zone of {@code node} keeps its high watermark with {@code nr} more pages taken. */
    public boolean migrateBalanced(int node, int nr) {
        for (Zone z : k.allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0 && z.watermarkOk(0, z.watermark(Zone.WMARK_HIGH) + nr)) {
                return true;
            }
        }
        return false;
    }

    /** {@code migrate_misplaced_folio_prepare()} on a full target in tiering mode: wake its kswapd to make room. */
    public void wakeKswapdForPromotion(int node) {
        vmscan.wakeKswapd(node, 0, Gfp.GFP_NOWAIT);
    }

    /** Counts a page promoted to the top tier ({@code pgpromote_success}). */
    public void promoted() {
        k.vmstat.count(VmEvent.PGPROMOTE_SUCCESS);
    }

    /** The view handed to the policy; one instance, reused. */
    private static final class Promotion implements NumaPromotion {
        private int pfn;
        private int pageNode;
        private int target;
        private int cpu;
        private long latency;
        private long th;
        private boolean enough;

        void set(int pfn, int pageNode, int target, int cpu, long latency, long th, boolean enough) {
            this.pfn = pfn;
            this.pageNode = pageNode;
            this.target = target;
            this.cpu = cpu;
            this.latency = latency;
            this.th = th;
            this.enough = enough;
        }

        @Override
        public int pfn() {
            return pfn;
        }

        @Override
        public int pageNode() {
            return pageNode;
        }

        @Override
        public int targetNode() {
            return target;
        }

        @Override
        public int cpu() {
            return cpu;
        }

        @Override
        public long latencyMs() {
            return latency;
        }

        @Override
        public long hotThresholdMs() {
            return th;
        }

        @Override
        public boolean freeSpaceEnough() {
            return enough;
        }
    }
}
