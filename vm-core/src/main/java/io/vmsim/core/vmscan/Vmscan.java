package io.vmsim.core.vmscan;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.alloc.AllocHooks;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.memcg.MemcgStock;
import io.vmsim.core.filemap.StorageCosts;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.oom.OomKiller;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemPages;
import io.vmsim.core.shrinker.ShrinkerRegistry;
import io.vmsim.core.swap.SwapSpace;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;

import java.util.List;

/**
 * The reclaim driver ({@code mm/vmscan.c}): kswapd per node, direct reclaim, and the
 * {@link ScanControl} through which the reclaim policy chooses victims while the core does the
 * unmapping, swapping and freeing.
 *
 * <ul>
 *   <li><b>kswapd</b> ({@code wakeup_kswapd()}, {@code kswapd()}, {@code balance_pgdat()}):
 *       woken by the allocator, with the allocation's order, when the node is not balanced for
 *       that order (no zone passes its high watermark with a free block of the order), it
 *       reclaims, lowering the priority from 12 to 0, until the node is balanced; after
 *       reclaiming 2^(order+1) pages for a high order it settles for order 0
 *       ({@code kswapd_shrink_node()}), and going back to sleep it wakes kcompactd for the order
 *       it was woken for. A node balanced but fragmented for a high order wakes kcompactd
 *       directly when the allocation will not reclaim itself. Its work is not charged to the
 *       workload ({@link Daemons}).</li>
 *   <li><b>direct reclaim</b> ({@code try_to_free_pages()}): each round of the allocator's slow
 *       path counts {@code allocstall} and asks for {@value #SWAP_CLUSTER_MAX} pages, priority
 *       12 down until it has them, charged to the task; the allocator retries its free lists
 *       and decides whether to go round again ({@code should_reclaim_retry()}).</li>
 *   <li><b>anon/file balance</b> ({@code get_scan_count()} simplified): anonymous pages may be
 *       reclaimed when swap has free slots and either {@code vm.swappiness} &gt; 0 or, in node
 *       reclaim, the file LRU pages and free pages of the node being reclaimed are at most its
 *       high watermarks ({@code file_is_tiny} of {@code prepare_scan_control()}; a memory
 *       cgroup's reclaim never swaps at swappiness 0); within that, the proportion is the
 *       policy's to choose from {@link ScanControl#swappiness()}, as the kernel's lists do.</li>
 *   <li><b>reclaiming a page</b> ({@code shrink_folio_list()}): pinned pages (extra
 *       references), pages under writeback, mlocked pages and hugetlb or file compound pages are
 *       refused, an anonymous THP is split first ({@code split_folio_to_list()});
 *       a file page that is dirty, or mapped by a dirty PTE, is not written (only kswapd writes
 *       file pages in Linux, and vmsim's does not): it is marked PG_reclaim
 *       ({@code nr_vmscan_immediate_reclaim}) and activated ({@link ScanControl#activateRefused});
 *       when every file page a pass offered was such a page, the flusher is woken to write every
 *       dirty page ({@code wakeup_flusher_threads(WB_REASON_VMSCAN)}) and a memory cgroup's
 *       reclaim sleeps until more than {@value #SWAP_CLUSTER_MAX} writes completed or 100 ms
 *       passed ({@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}, cgroup v1; Linux decides
 *       this per batch of {@code shrink_inactive_list()}, vmsim per pass of a policy). A file page
 *       under writeback is marked PG_reclaim and activated too, unless it carries the mark
 *       already and the reclaim is a memory cgroup's: then it waits for the write
 *       ({@code folio_wait_writeback()}) and frees the page. The write's completion rotates a
 *       marked page to the inactive tail ({@code folio_rotate_reclaimable()}, {@code pgrotated});
 *       otherwise every PTE is unmapped through the rmap ({@code try_to_unmap()}) and the page
 *       is freed: an anonymous page is written to a swap slot ({@code pswpout},
 *       {@code nr_vmscan_write}) and its PTEs become swap entries; a file page leaves the page
 *       cache. The policy's {@link ReclaimPolicy#pageEvicted} value is stored as the shadow
 *       entry of the slot. How the swap write ends depends on the device
 *       ({@code swap.synchronous_io}): on a SWP_SYNCHRONOUS_IO device (zram, pmem, brd; the
 *       default) it completes at once and the page is freed in the same pass ("a synchronous
 *       write - probably a ramdisk" in {@code shrink_folio_list()}); on a disk or a swap file the
 *       write is asynchronous ({@link SwapWriteback}): the page stays in the swap cache under
 *       writeback, charged and on the LRU (the victim is refused, so the policy puts it back),
 *       its completion rotates it to the inactive tail ({@code pgrotated}) and a later pass frees
 *       it without writing ({@code pgsteal_*} count it then). A memory cgroup's reclaim that meets
 *       a page under the writeback reclaim started waits for it ({@code folio_wait_writeback()},
 *       shrink_folio_list()'s case 3: cgroup v1 has no sane writeback throttling), then frees it;
 *       direct reclaim that got less than it asked while writes are in flight sleeps until
 *       {@value #SWAP_CLUSTER_MAX} of them complete and tries again, and kswapd sleeps until the
 *       first completes ({@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}). Shmem pages are
 *       written synchronously either way. {@code MADV_PAGEOUT} ({@link #reclaimOnRequest}) keeps
 *       the written page in the swap cache in both cases, as below.
 *       A refused page stays the policy's: {@link ScanControl#reclaim} returns false, the
 *       policy (which took it off its lists before offering it) puts it back where it chooses,
 *       and the core never hands it back with {@code pageAdded} (the victim rule of
 *       {@link ReclaimPolicy}).</li>
 * </ul>
 * Freed pages go to the per-CPU lists and are drained after each batch so that the watermark
 * checks see them, as the allocator's drain before OOM does.
 */
public final class Vmscan implements AllocHooks {
    /** Pages per reclaim batch ({@code SWAP_CLUSTER_MAX}). */
    public static final int SWAP_CLUSTER_MAX = 32;
    /** Least pages a memory cgroup's limit reclaim asks for ({@code memcg.reclaim_batch}, SWAP_CLUSTER_MAX in Linux). */
    private int memcgBatch = SWAP_CLUSTER_MAX;
    /** {@code DEF_PRIORITY}. */
    public static final int DEF_PRIORITY = 12;
    /** Largest charge {@code try_charge_memcg()} retries after reclaim freed anything (order {@code PAGE_ALLOC_COSTLY_ORDER}). */
    static final int PAGE_ALLOC_COSTLY_ORDER = 3;
    /** Reclaim rounds a failing memory cgroup charge retries ({@code MAX_RECLAIM_RETRIES}, mm/memcontrol.c). */
    static final int MAX_RECLAIM_RETRIES = 16;

    private final Kernel k;
    private final PageFrames frames;
    private final PageAllocator allocator;
    private final ReclaimPolicy policy;
    /** The per-domain instances behind {@link #policy}, or null if the kernel has a single instance. */
    private final LruDomains lru;
    private final String policyName;
    private final Rmap rmap;
    private final PageCache cache;
    private final SwapSpace swap;
    private final OomKiller oom;
    private final StorageCosts cost;
    private final Daemons daemons;
    private final ShrinkerRegistry shrinkers;
    private final int swappiness;
    private final int[] kswapd;
    /** {@code pgdat->kswapd_order} per node: the highest order kswapd was woken for since it last ran. */
    private final int[] kswapdOrder;
    /** {@code pgdat->kswapd_failures}: kswapd runs in a row that reclaimed nothing; reclaim on the node resets it. */
    private final int[] kswapdFailures;
    private final Control sc = new Control();
    /** Reclaim's writes to swap in flight ({@code pageout()}, {@code folio_end_writeback()}). */
    private final SwapWriteback swapWb;
    /** {@code swap.synchronous_io}: SWP_SYNCHRONOUS_IO swap devices, whose writes complete at once. */
    private boolean swapSyncIo = true;
    /** The multi-gen LRU's page-table walks ({@link ScanControl#walkYoung}, {@link ScanControl#lookAround}). */
    private final LruGenWalk lruGen;
    /** Whether a page belongs to the domain being shrunk ({@code get_pfn_folio()}'s memcg and node test). */
    private final LruGenWalk.Domain inDomain = this::inDomain;
    private boolean inReclaim;
    /** The CPU of the task reclaiming now (a memory cgroup's charge); 0 for other reclaim. */
    private int reclaimCpu;
    /** {@code cost.pageout_ns} in ps: the reclaimer's CPU time for each anonymous page it writes to swap. */
    private long pageoutPs;
    /** Memory tiering's demotion on reclaim (issue 10); {@link Demotion#NONE} without it. */
    private Demotion demotion = Demotion.NONE;
    /** The policy instance (LRU domain) being run, named by a plugin failure. */
    private ReclaimPolicy running;

    public Vmscan(Kernel kernel, String policyName, PageCache cache, SwapSpace swap, OomKiller oom, StorageCosts cost,
                  Daemons daemons, int swappiness, ShrinkerRegistry shrinkers) {
        this.shrinkers = shrinkers;
        this.k = kernel;
        this.frames = kernel.frames;
        this.allocator = kernel.allocator;
        this.policy = kernel.reclaim;
        this.lru = kernel.reclaim;
        this.policyName = policyName;
        this.rmap = new Rmap(kernel);
        this.cache = cache;
        this.swap = swap;
        this.oom = oom;
        this.cost = cost;
        this.daemons = daemons;
        this.swappiness = swappiness;
        this.lruGen = new LruGenWalk(kernel, rmap, cost.rmapPs());
        this.swapWb = new SwapWriteback(kernel, cost, daemons);
        swap.setBatchHeld(swapWb::inRotateBatch);
        this.kswapd = new int[frames.nrNodes()];
        this.kswapdOrder = new int[frames.nrNodes()];
        this.kswapdFailures = new int[frames.nrNodes()];
        for (int n = 0; n < kswapd.length; n++) {
            int node = n;
            kswapd[n] = daemons.register(new Daemons.Daemon() {
                @Override
                public String name() {
                    return "kswapd" + node;
                }

                @Override
                public long run(long nowNs) {
                    return kswapdRun(node);
                }
            }, -1);
        }
    }

    /** Installs memory tiering's demotion (issue 10). */
    public void setDemotion(Demotion d) {
        this.demotion = java.util.Objects.requireNonNull(d, "demotion");
    }

    // ---------------------------------------------------------------- watermarks

    /** Free pages of a node in the buddy lists ({@code NR_FREE_PAGES}, which the watermark checks use). */
    public long freePages(int node) {
        long f = 0;
        for (Zone z : allocator.zones()) {
            if (z.node() == node) {
                f += z.nrFreePages();
            }
        }
        return f;
    }

    /** Sum of one watermark over the node's zones ({@link Zone#WMARK_LOW}, {@link Zone#WMARK_HIGH}). */
    public long watermark(int node, int which) {
        long w = 0;
        for (Zone z : allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0) {
                w += z.watermark(which);
            }
        }
        return w;
    }

    /** {@code pgdat_balanced(pgdat, 0, ...)}; see {@link #balanced(int, int)}. */
    public boolean balanced(int node) {
        return balanced(node, 0);
    }

    /**
     * {@code pgdat_balanced()}: some zone of the node passes its high watermark for an
     * allocation of {@code order} ({@code zone_watermark_ok_safe()}: free pages above the mark
     * once the block is taken, and a free block of that order). A node without memory is balanced.
     */
    public boolean balanced(int node, int order) {
        boolean any = false;
        for (Zone z : allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0) {
                any = true;
                if (z.watermarkOk(order, demotion.balanceMark(z))) {
                    return true;
                }
            }
        }
        return !any;
    }

    /** The order kswapd of {@code node} was last woken for and has not yet read ({@code pgdat->kswapd_order}). */
    public int kswapdOrder(int node) {
        return kswapdOrder[node];
    }

    /** True if kswapd of {@code node} is asleep until woken. */
    public boolean kswapdSleeping(int node) {
        return daemons.sleeping(kswapd[node]);
    }

    // ---------------------------------------------------------------- AllocHooks

    @Override
    public void wakeKswapd(int node, int order) {
        wakeKswapd(node, order, Gfp.GFP_KERNEL);
    }

    /**
     * {@code wakeup_kswapd()}: raises the node's {@code kswapd_order}; a sleeping kswapd is woken
     * unless the node is balanced for {@code order}, in which case the memory is there but may be
     * fragmented, and an allocation that will not reclaim itself wakes kcompactd instead.
     */
    @Override
    public void wakeKswapd(int node, int order, int gfp) {
        kswapdOrder[node] = Math.max(kswapdOrder[node], order);
        if (!daemons.sleeping(kswapd[node])) {
            return;
        }
        // a hopeless node (kswapd_failures) is left to direct reclaim
        if (kswapdFailures[node] >= PageAllocator.MAX_RECLAIM_RETRIES || balanced(node, order)) {
            if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
                allocator.wakeKcompactd(node, order);
            }
            return;
        }
        daemons.wake(kswapd[node]);
    }

    @Override
    public boolean mayDirectReclaim() {
        return !inReclaim; // PF_MEMALLOC: reclaim does not recurse (__alloc_pages_slowpath's nopage)
    }

    /**
     * {@code __perform_reclaim()} and {@code try_to_free_pages()}: one request of
     * {@value #SWAP_CLUSTER_MAX} pages ({@code sc.nr_to_reclaim}), priority lowered from
     * {@link #DEF_PRIORITY} after each pass that has not got them all ({@code do_try_to_free_pages()}),
     * then the per-CPU lists are drained ({@code drain_all_pages()}, the drained retry of
     * {@code __alloc_pages_direct_reclaim()}). Whether to try again is the allocator's
     * ({@code should_reclaim_retry()}). Returns the pages reclaimed.
     */
    @Override
    public long directReclaim(int gfp, int order, int node) {
        if (inReclaim) {
            return 0;
        }
        k.vmstat.count(VmEvent.ALLOCSTALL);
        long got = 0;
        for (int prio = DEF_PRIORITY; prio >= 0 && got < SWAP_CLUSTER_MAX; prio--) {
            got += shrink(node, (int) (SWAP_CLUSTER_MAX - got), false, prio);
        }
        if (got < SWAP_CLUSTER_MAX && swapWb.inFlight() > 0) {
            // reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): pages it wrote are not free until their
            // writes complete; the task sleeps until SWAP_CLUSTER_MAX of them (or all) have, and
            // reclaims again (the written pages are at the inactive tails now)
            swapWb.waitForWrites(SWAP_CLUSTER_MAX);
            for (int prio = DEF_PRIORITY; prio >= 0 && got < SWAP_CLUSTER_MAX; prio--) {
                got += shrink(node, (int) (SWAP_CLUSTER_MAX - got), false, prio);
            }
        }
        allocator.drainAll();
        return got;
    }

    /**
     * {@code zone_reclaimable_pages()} for {@code should_reclaim_retry()}: the LRU pages of the
     * zone's node that reclaim could free (anonymous ones only while they may be swapped), shared
     * among the node's zones by managed pages, since the LRU domains here are per node.
     */
    @Override
    public long zoneReclaimablePages(Zone zone) {
        int node = zone.node();
        long lruPages = 0;
        for (ReclaimPolicy p : lru == null ? List.of(policy) : lru.ofNode(node)) {
            lruPages += Math.max(0, p.size());
        }
        // can_reclaim_anon_pages(): swap has a free slot, whatever vm.swappiness, or the node can demote
        long reclaimable = k.anonEvictable && swap.freePages() > 0 || demotion.canDemote(node) ? lruPages : Math.min(lruPages, cache.nrFilePages());
        long managed = 0;
        for (Zone z : allocator.zones()) {
            if (z.node() == node) {
                managed += z.managedPages();
            }
        }
        return managed == 0 ? 0 : reclaimable * zone.managedPages() / managed;
    }

    @Override
    public boolean outOfMemory(int gfp, int order, int node) {
        return oom.outOfMemory();
    }

    /**
     * One wake of kswapd ({@code kswapd()}): reads and clears {@code kswapd_order}, balances the
     * node for it, and on going back to sleep ({@code kswapd_try_to_sleep()}, when the node is
     * balanced at the order reclaim finished at) wakes kcompactd for the order it was woken for.
     */
    long kswapdRun(int node) {
        int allocOrder = kswapdOrder[node];
        kswapdOrder[node] = 0;
        while (true) {
            long before = swapWb.inFlight();
            int reclaimOrder = balancePgdat(node, allocOrder);
            // prepare_kswapd_sleep(): balanced at the order reclaim finished at, or hopeless
            if (balanced(node, reclaimOrder) || kswapdFailures[node] >= PageAllocator.MAX_RECLAIM_RETRIES) {
                allocator.wakeKcompactd(node, allocOrder);
                return -1;
            }
            if (swapWb.inFlight() > 0 && swapWb.inFlight() >= before) {
                // reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): the pages it wrote are not free until
                // their writes complete; kswapd sleeps until the first of them does and goes on
                kswapdOrder[node] = Math.max(kswapdOrder[node], allocOrder);
                return Math.max(1, swapWb.nextCompletionNs());
            }
        }
    }

    /** kswapd's work for an order-0 wake; see {@link #balancePgdat(int, int)}. */
    void balancePgdat(int node) {
        balancePgdat(node, 0);
    }

    /**
     * {@code balance_pgdat()}: reclaim until the node is balanced for {@code order} or a sweep
     * down to priority 0 frees nothing. As {@code kswapd_shrink_node()} does, once
     * {@code compact_gap(order)} = 2^(order+1) pages were reclaimed for a high order, balance is
     * checked at order 0 (fragmentation may keep the high order unavailable; compaction's job).
     * Each pass asks for what the node lacks of its high watermarks, at least
     * {@value #SWAP_CLUSTER_MAX} pages (Linux asks for the zones' high watermarks in full).
     * Returns the order it stopped at.
     */
    int balancePgdat(int node, int order) {
        k.vmstat.count(VmEvent.PAGEOUTRUN);
        allocator.drainAll();
        long reclaimed = 0;
        for (int prio = DEF_PRIORITY; prio >= 0 && !balanced(node, order); ) {
            long want = Math.max(SWAP_CLUSTER_MAX, balanceMark(node) - freePages(node));
            long got = shrink(node, (int) Math.min(want, Integer.MAX_VALUE), true, prio);
            allocator.drainAll();
            reclaimed += got;
            if (order > 0 && reclaimed >= (2L << order)) {
                order = 0;
            }
            if (got == 0) {
                prio--; // raise the pressure only when a pass made no progress
            }
        }
        if (reclaimed == 0 && !balanced(node, order) && swapWb.inFlight() == 0) {
            kswapdFailures[node]++; // a whole run that reclaimed nothing (and is not waiting for its writes)
        }
        return order;
    }

    /** The sum of the marks {@link #balanced} checks over the node's zones (the high watermarks without tiering). */
    private long balanceMark(int node) {
        long w = 0;
        for (Zone z : allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0) {
                w += demotion.balanceMark(z);
            }
        }
        return w;
    }

    /**
     * Runs one reclaim request on a node ({@code shrink_node()}): with several LRU domains (memory
     * cgroups) each gets a share of {@code nr} in proportion to its size, then whatever is still
     * wanted is asked of each in turn. Returns pages reclaimed.
     */
    long shrink(int node, int nr, boolean kswapd, int priority) {
        List<ReclaimPolicy> ps = lru == null ? List.of(policy) : lru.ofNode(node);
        inReclaim = true;
        try {
            swapWb.complete();
            cache.completeWriteback(-1);
            sc.reset(nr, priority, kswapd, null, node);
            if (ps.size() == 1) {
                run(ps.get(0));
            } else {
                long total = 0;
                for (ReclaimPolicy p : ps) {
                    total += p.size();
                }
                for (ReclaimPolicy p : ps) {
                    if (sc.nrToReclaim() == 0 || total == 0) {
                        break;
                    }
                    sc.limitDomain((nr * (long) p.size() + total - 1) / total);
                    run(p);
                }
                sc.limitDomain(Long.MAX_VALUE);
                for (ReclaimPolicy p : ps) {
                    if (sc.nrToReclaim() == 0) {
                        break;
                    }
                    run(p);
                }
            }
            long got = sc.reclaimed + shrinkSlab(sc.scannedPages);
            if (got > 0) {
                kswapdFailures[node] = 0; // shrink_node(): reclaimable after all
            }
            return got;
        } finally {
            inReclaim = false;
        }
    }

    /**
     * {@code shrink_slab()} after an LRU pass that scanned {@code scanned} pages: slab pages
     * freed count as reclaimed ({@code reclaim_state->reclaimed_slab}).
     */
    private long shrinkSlab(long scanned) {
        long before = slabPages();
        shrinkers.shrinkSlab(scanned, Math.max(0, policy.size()));
        return before - slabPages();
    }

    private long slabPages() {
        long n = 0;
        for (io.vmsim.core.shrinker.Shrinker s : shrinkers.shrinkers()) {
            if (s instanceof io.vmsim.core.shrinker.SlabCache c) {
                n += c.pages();
            }
        }
        return n;
    }

    /** Pages under writeback to swap now (swap's share of {@code nr_writeback}). */
    public long nrSwapWriteback() {
        return swapWb.nrWriteback();
    }

    /** Sets {@code cost.pageout_ns}, in ns. */
    public void setPageoutCost(double ns) {
        this.pageoutPs = Math.round(ns * 1000.0);
    }

    /** A swap-cache page was freed: it leaves the rotate batch if it waited there. */
    public void swapCachePageFreed(int pfn) {
        swapWb.forget(pfn);
    }

    /** Sets {@code swap.synchronous_io}: whether a swap write completes before reclaim goes on (see the class comment). */
    public void setSwapSynchronousIo(boolean sync) {
        this.swapSyncIo = sync;
    }

    /** Sets {@code memcg.reclaim_batch}. */
    public void setMemcgReclaimBatch(int pages) {
        this.memcgBatch = pages;
    }

    /** {@code try_to_free_mem_cgroup_pages()}: reclaim within one memory cgroup's own domains. */
    long shrinkMemcg(MemCgroup cg, int nr, int priority) {
        inReclaim = true;
        try {
            swapWb.complete();
            cache.completeWriteback(-1);
            sc.reset(nr, priority, false, cg, -1);
            for (ReclaimPolicy p : lru.ofCgroup(cg.id())) {
                if (sc.nrToReclaim() == 0) {
                    break;
                }
                run(p);
            }
            return sc.reclaimed;
        } finally {
            inReclaim = false;
        }
    }

    private boolean inDomain(int pfn) {
        return lru == null || lru.policyOf(pfn) == sc.domain;
    }

    private void run(ReclaimPolicy p) {
        running = p;
        sc.domain = p;
        sc.fileTaken = 0;
        sc.unqueuedDirty = 0;
        // shrink_inactive_list()'s lru_add_drain(), and shrink_lruvec()'s blk_start_plug(): the
        // pass's swap writes go as one request when it ends (blk_finish_plug())
        swapWb.lruAddDrain(reclaimCpu);
        swapWb.startPlug();
        try {
            p.shrink(sc);
            if (sc.unqueuedDirty > 0 && sc.unqueuedDirty == sc.fileTaken) {
                // shrink_inactive_list(): every file page taken was dirty and not queued for
                // writeback (nr_unqueued_dirty == nr_taken): wake the flusher, and a memory
                // cgroup's reclaim (cgroup v1) is throttled until writes complete
                cache.wakeFlusherForReclaim(sc.memcg != null);
            }
        } catch (RuntimeException e) {
            if (e instanceof PolicyException || e instanceof io.vmsim.core.error.UserError) {
                throw e;
            }
            throw failure("shrink() threw " + e, e);
        } finally {
            swapWb.finishPlug();
            running = null;
        }
    }

    /** As {@link #tryChargeMemcg(Mm, int, int)} for a task on CPU 0. */
    public void tryChargeMemcg(Mm mm, int nr) {
        tryChargeMemcg(mm, nr, 0);
    }

    /**
     * {@code try_charge_memcg()} before a task of {@code mm} on {@code cpu} allocates {@code nr}
     * pages; the caller then charges the pages themselves ({@code LruDomains.charge()}, which
     * adds {@code nr} to the page counter). The root group has no limits.
     */
    public void tryChargeMemcg(Mm mm, int nr, int cpu) {
        if (lru == null || mm == null || mm.memcg == 0) {
            return;
        }
        tryChargeMemcg(lru.cgroup(mm.memcg), mm, nr, cpu);
    }

    /**
     * {@code try_charge_memcg()} (mm/memcontrol.c, Linux 6.18) of {@code nr} pages to {@code cg}
     * by a task of {@code mm} on {@code cpu}: {@code consume_stock()} first; else the page
     * counter is charged {@code max(MEMCG_CHARGE_BATCH, nr)} pages and the surplus stocked
     * ({@code refill_stock()}); if that fails, {@code nr} pages alone. Each failed charge of the
     * counter counts in {@code failcnt} ({@code page_counter_try_charge()}) and raises
     * {@code events.max}; then the group reclaims {@code nr} pages (at least
     * {@code memcg.reclaim_batch}) and retries while that made room, drains the per-CPU stocks
     * once ({@code drain_all_stock()}), retries while reclaim freed anything, then
     * {@code MAX_RECLAIM_RETRIES} more times, and then its OOM killer kills one of its processes
     * ({@code events.oom}, {@code events.oom_kill}) and the retries start over; a task it killed
     * gives up after them ({@code passed_oom && task_is_dying()}). Reclaim itself charges
     * without limit ({@code PF_MEMALLOC}: {@code force}). Above {@code memory.high} the task
     * reclaims the group back towards it ({@code events.high}).
     *
     * <p>On return the page counter holds the charge minus the {@code nr} pages the caller
     * charges next, so {@code memory.current} is exact once they are charged.
     */
    public void tryChargeMemcg(MemCgroup cg, Mm mm, int nr, int cpu) {
        if (inReclaim) {
            return; // force: the caller's charge goes over the limit
        }
        MemcgStock stock = lru.stock();
        int batch = Math.max(MemcgStock.MEMCG_CHARGE_BATCH, nr);
        int nrRetries = MAX_RECLAIM_RETRIES;
        boolean drained = false;
        boolean passedOom = false;
        while (true) {
            if (stock.consume(cg, nr, cpu)) {
                cg.current -= nr;
                break;
            }
            if (cg.current + batch <= cg.max) { // page_counter_try_charge()
                cg.current += batch;
                cg.peak = Math.max(cg.peak, cg.current);
                cg.current -= nr;
                if (batch > nr) {
                    stock.refill(cg, batch - nr, cpu);
                }
                break;
            }
            cg.failcnt++;
            if (batch > nr) {
                batch = nr;
                continue;
            }
            cg.eventsMax++;
            reclaimCpu = cpu;
            long reclaimed = 0;
            int nrToReclaim = Math.max(memcgBatch, nr);
            for (int prio = DEF_PRIORITY; prio >= 0; prio--) {
                // try_to_free_mem_cgroup_pages(): the priority loop of do_try_to_free_pages(), until
                // nr_to_reclaim pages are reclaimed (not merely until the charge fits: a page being
                // written frees nothing now, so stopping at the first page freed would leave the
                // group a page below its limit after each reclaim). Each pass (shrink_lruvec())
                // compares what it reclaimed itself with the whole sc->nr_to_reclaim, not with what
                // the earlier priorities left to reclaim (Linux 6.18)
                if (reclaimed >= nrToReclaim) {
                    break;
                }
                reclaimed += shrinkMemcg(cg, nrToReclaim, prio);
            }
            reclaimCpu = 0;
            if (cg.max - cg.current >= nr) { // mem_cgroup_margin()
                continue;
            }
            if (!drained) {
                stock.drainAll(cg);
                drained = true;
                continue;
            }
            if (reclaimed > 0 && nr <= 1 << PAGE_ALLOC_COSTLY_ORDER) {
                continue;
            }
            if (nrRetries-- > 0) {
                continue;
            }
            if (passedOom && mm != null && mm.oomKilled) {
                return; // nomem: the dying task gives up
            }
            cg.eventsOom++;
            int id = cg.id();
            if (oom.select(m -> m.memcg == id) == null) {
                throw new io.vmsim.core.mm.WorkloadException("memory cgroup " + cg.name() + " reached memory.max ("
                        + (cg.max << 12) + " bytes), reclaim could not free enough and no process in it can be killed");
            }
            cg.eventsOomKill++; // counted first: killing the allocating task itself does not return
            if (oom.select(m -> m.memcg == id) == mm) {
                // the killed task retries as often again before it gives up (passed_oom && task_is_dying())
                cg.failcnt += 1 + MAX_RECLAIM_RETRIES;
            }
            oom.outOfMemory(m -> m.memcg == id);
            passedOom = true;
            nrRetries = MAX_RECLAIM_RETRIES;
        }
        if (cg.current + nr > cg.high) {
            cg.eventsHigh++;
            long over = cg.current + nr - cg.high;
            shrinkMemcg(cg, (int) Math.min(Math.max(memcgBatch, over), Integer.MAX_VALUE), DEF_PRIORITY);
        }
    }

    /**
     * {@code try_charge_memcg()} for a huge folio of {@code nr} pages ({@code mem_cgroup_charge()}
     * from {@code vma_alloc_anon_folio_pmd()} or khugepaged's {@code alloc_charge_folio()}): if the
     * group would go over {@code memory.max} it counts {@code events.max} and, when {@code gfp}
     * allows direct reclaim, reclaims {@code nr} pages from its own domains per attempt
     * ({@code try_to_free_mem_cgroup_pages()}, priority 12 down): once, once more after
     * {@code drain_all_stock()}, then, without __GFP_NORETRY, up to {@code MAX_RECLAIM_RETRIES}
     * more. It never calls the OOM killer ({@code mem_cgroup_oom()} refuses orders above
     * PAGE_ALLOC_COSTLY_ORDER) and never overcharges: false means the caller falls back.
     */
    public boolean tryChargeMemcgHuge(Mm mm, int nr, int gfp) {
        if (lru == null || mm == null || mm.memcg == 0 || inReclaim) {
            return true;
        }
        MemCgroup cg = lru.cgroup(mm.memcg);
        if (cg.current + nr <= cg.max) {
            return true;
        }
        cg.eventsMax++;
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            return false;
        }
        int attempts = 2 + ((gfp & Gfp.__GFP_NORETRY) != 0 ? 0 : PageAllocator.MAX_RECLAIM_RETRIES);
        for (int i = 0; i < attempts && cg.current + nr > cg.max; i++) {
            long want = Math.max(nr, SWAP_CLUSTER_MAX);
            long got = 0;
            for (int prio = DEF_PRIORITY; prio >= 0 && got < want; prio--) {
                got += shrinkMemcg(cg, (int) (want - got), prio);
            }
        }
        return cg.current + nr <= cg.max;
    }

    /**
     * May anonymous pages be reclaimed by a request on {@code node}, or within {@code memcg} when
     * it is not null? See the class comment.
     */
    public boolean mayReclaimAnon(int node, MemCgroup memcg) {
        if ((!k.anonEvictable || swap.freePages() == 0) && !demotion.canDemote(node)) {
            return false; // can_reclaim_anon_pages(): swap, or demotion to a lower tier (mm/vmscan.c can_demote())
        }
        if (swappiness > 0) {
            return true;
        }
        return memcg == null && fileIsTiny(node);
    }

    /**
     * {@code sc->file_is_tiny} of {@code prepare_scan_control()} ({@code mm/vmscan.c}): the node's
     * file LRU pages plus its free pages are at most the sum of its zones' high watermarks.
     * Counted over the node's frames, stopping as soon as the answer is no.
     */
    private boolean fileIsTiny(int node) {
        long room = watermark(node, Zone.WMARK_HIGH) - freePages(node);
        int both = PageFrames.PG_FILE | PageFrames.PG_LRU;
        for (int pfn = frames.nodeStartPfn(node), end = frames.nodeEndPfn(node); pfn < end && room >= 0; pfn++) {
            if ((frames.flags(pfn) & both) == both) {
                room--;
            }
        }
        return room >= 0;
    }

    private PolicyException failure(String message, Throwable cause) {
        ReclaimPolicy root = running != null ? running : policy;
        java.security.CodeSource src = root.getClass().getProtectionDomain().getCodeSource();
        return new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, policyName,
                src == null ? policy.getClass().getName() : String.valueOf(src.getLocation()), message, cause);
    }

    // ---------------------------------------------------------------- one page

    /** {@code shrink_folio_list()} for one victim; see the class comment. */
    /**
     * shrink_folio_list() meets a huge page: split_folio_to_list() makes it 512 pages (which can
     * never fail), the 511 others go back to the LRU, and reclaim goes on with the first. Returns
     * false if the folio is not a plain anonymous THP (hugetlb pages are never reclaimed).
     */
    private boolean splitForReclaim(int head) {
        if (frames.refcount(head) <= 0 || k.hugeZeroPfn == head) {
            return false;
        }
        frames.clear(head, PageFrames.PG_LRU); // the policy already let go of it
        k.huge.splitFolio(head, 0);
        for (int i = 1; i < Kernel.HPAGE_PMD_NR; i++) {
            int p = head + i;
            if (frames.refcount(p) > 0 && !frames.test(p, PageFrames.PG_LRU)) {
                frames.set(p, PageFrames.PG_LRU);
                k.reclaim.pageAddedUnreferenced(p, true);
            }
        }
        frames.set(head, PageFrames.PG_LRU);
        return frames.refcount(head) > 0;
    }

    boolean reclaimPage(int pfn, boolean kswapd) {
        return reclaimPage(pfn, kswapd, false);
    }

    /**
     * {@code reclaim_pages()} for MADV_PAGEOUT: reclaims the order-0 page {@code pfn}, on the LRU,
     * now, whatever its references, as {@code shrink_folio_list()} with {@code ignore_references}
     * (the same refusals as above apply; a refused page stays on its list untouched). The policy
     * hears of a page freed now through {@link ReclaimPolicy#pageEvictedOnRequest}; an anonymous
     * page written to swap is kept in the swap cache instead ({@link #keepInSwapCache}). {@code pgsteal_*} are not
     * counted: Linux counts them in {@code shrink_inactive_list()}, which this path does not pass.
     */
    public boolean reclaimOnRequest(int pfn) {
        if (!frames.test(pfn, PageFrames.PG_LRU) || frames.test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL | PageFrames.PG_KSM)) {
            return false; // MADV_PAGEOUT leaves KSM pages to reclaim proper (docs/ksm.md)
        }
        // reclaim_pages() (mm/vmscan.c): may_swap = 1 whatever vm.swappiness; anonymous pages
        // go to swap whenever it has a free slot
        boolean saved = sc.mayAnon;
        sc.mayAnon = swap.freePages() > 0;
        try {
            return reclaimPage(pfn, false, true);
        } finally {
            sc.mayAnon = saved;
        }
    }

    private boolean reclaimPage(int pfn, boolean kswapd, boolean requested) {
        if (pfn < 0 || pfn >= frames.nrFrames() || !frames.test(pfn, PageFrames.PG_LRU)) {
            throw failure("reclaim(" + pfn + "): the page is not on the LRU (free, unevictable or already reclaimed)", null);
        }
        int f = frames.flags(pfn);
        if ((f & PageFrames.PG_HEAD) != 0) {
            if ((f & PageFrames.PG_ANON) == 0 || !sc.mayAnon || swap.freePages() == 0 || !splitForReclaim(pfn)) {
                return false;
            }
            f = frames.flags(pfn);
        }
        // writes that completed while reclaim ran (the clock advanced): their pages are rotated now,
        // as folio_end_writeback() does on I/O completion, in parallel with the scan (swap's and
        // the page cache's)
        swapWb.complete(pfn);
        cache.completeWriteback(pfn);
        if (!requested && swapWb.inRotateBatch(pfn)) {
            return false; // the rotate batch's reference: __remove_mapping() cannot free it, it is kept (Linux 6.18)
        }
        f = frames.flags(pfn);
        int ownWrite = PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM | PageFrames.PG_SWAPCACHE;
        if ((f & ownWrite) == ownWrite && !requested && sc.memcg != null) {
            // shrink_folio_list()'s case 3 (Linux 6.18): a memory cgroup's reclaim meets a page
            // whose write reclaim started; without sane writeback throttling (cgroup v1, whose
            // limit the memcg here is) it waits for the write (folio_wait_writeback()) and tries
            // the page again
            swapWb.waitFor(pfn);
            f = frames.flags(pfn);
        }
        if ((f & (PageFrames.PG_FILE | PageFrames.PG_WRITEBACK | PageFrames.PG_SWAPCACHE)) == (PageFrames.PG_FILE | PageFrames.PG_WRITEBACK)
                && !requested) {
            // shrink_folio_list() meets a file page under writeback (Linux 6.18)
            if ((f & PageFrames.PG_RECLAIM) != 0 && sc.memcg != null) {
                // case 3: a memory cgroup's reclaim without sane writeback throttling (cgroup v1)
                // waits for the write it asked for (folio_wait_writeback()) and tries the page again
                cache.waitForWriteback(pfn);
                f = frames.flags(pfn);
            } else {
                // case 2 (and kswapd's case 1): mark it for immediate reclaim, activate_locked;
                // folio_end_writeback() will rotate it to the inactive tail
                frames.set(pfn, PageFrames.PG_RECLAIM);
                sc.activate = pfn;
                return false;
            }
        }
        if ((f & (PageFrames.PG_HEAD | PageFrames.PG_WRITEBACK | PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE)) != 0) {
            return false;
        }
        boolean file = (f & PageFrames.PG_FILE) != 0;
        // MADV_FREE's lazy-free page: anonymous without PG_swapbacked, discarded rather than swapped
        boolean lazyfree = !file && (f & PageFrames.PG_SWAPBACKED) == 0;
        if (lazyfree) {
            if (frames.refcount(pfn) != frames.mapcount(pfn)) {
                return false;
            }
            if (mappedDirty(pfn) || frames.test(pfn, PageFrames.PG_DIRTY)) {
                // try_to_unmap_one(): written again since MADV_FREE, it is swap-backed once more
                frames.set(pfn, PageFrames.PG_SWAPBACKED);
                return false;
            }
        } else if (file) {
            if (frames.refcount(pfn) != 1 + frames.mapcount(pfn) || (f & PageFrames.PG_SWAPBACKED) != 0) {
                return false; // pinned, or a shmem file's page (vmsim does not swap those out)
            }
            if (frames.mapcount(pfn) > 0) {
                transferDirtyBits(pfn);
            }
            if (!requested) {
                sc.fileTaken++;
            }
            if (frames.test(pfn, PageFrames.PG_DIRTY)) {
                if (requested) {
                    return false;
                }
                // shrink_folio_list(), Linux 6.18: only kswapd writes file pages, and only ones it
                // met before (PG_reclaim) on a node full of dirty pages (PGDAT_DIRTY), which vmsim
                // does not model; any other dirty file page is marked for immediate reclaim
                // (NR_VMSCAN_IMMEDIATE) and activated, left to the flusher
                k.vmstat.count(VmEvent.NR_VMSCAN_IMMEDIATE);
                frames.set(pfn, PageFrames.PG_RECLAIM);
                sc.unqueuedDirty++;
                sc.activate = pfn;
                return false;
            }
        }
        // a shmem object's page: the object holds a reference, and keeps the swap entry after
        ShmemPages object = file || lazyfree ? null : shmemHolding(pfn);
        if (!file && !lazyfree) {
            if (frames.refcount(pfn) != frames.mapcount(pfn) + (object != null ? 1 : 0) || !sc.mayAnon) {
                return false;
            }
        }
        // shrink_folio_list(): before reclaiming the page, try to move it to a lower tier
        // (demote_folio_list(); counted as reclaimed, and in pgsteal, as Linux 6.18 counts it)
        if (!file && !lazyfree && object == null && !requested && demotion.demote(pfn, kswapd)) {
            k.vmstat.count(kswapd ? VmEvent.PGSTEAL_KSWAPD : VmEvent.PGSTEAL_DIRECT);
            k.vmstat.count(VmEvent.PGSTEAL_ANON);
            return true;
        }
        long entry = 0;
        boolean inCache = frames.test(pfn, PageFrames.PG_SWAPCACHE);
        if (!file && !lazyfree) {
            entry = inCache ? swap.entryOf(pfn) : swap.alloc();
            if (entry == 0) {
                return false;
            }
            if (!inCache) {
                swap.addToCache(pfn, entry);
            }
        }
        frames.clear(pfn, PageFrames.PG_LRU);
        boolean dirty = unmapAll(pfn, entry);
        if (object != null) {
            // shmem_writeout(): the object's slot holds the swap entry instead of the page
            object.put(frames.index(pfn) & 0xffffffffL, entry);
            swap.dup(entry);
            frames.addRefcount(pfn, -1);
        }
        // pageout(): a page still in the swap cache and clean matches its slot and needs no write
        boolean write = !file && !lazyfree && (!inCache || dirty || frames.test(pfn, PageFrames.PG_DIRTY));
        if (requested && write && object == null) {
            keepInSwapCache(pfn);
            return true;
        }
        if (write && object == null && !swapSyncIo) {
            // pageout() started the write (swap_writeout()); shrink_folio_list() keeps the folio
            // under writeback, in the swap cache and charged: the policy puts it back, and a later
            // pass frees it once the write has completed (see SwapWriteback)
            if (!kswapd) {
                k.clock.advance(pageoutPs);
            }
            swapWb.start(pfn);
            frames.set(pfn, PageFrames.PG_LRU);
            return false;
        }
        int domain = lru == null ? 0 : lru.domainOf(pfn); // pack_shadow(): the memcg and node of the eviction
        long shadow = requested ? policy.pageEvictedOnRequest(pfn) : policy.pageEvicted(pfn);
        if (!requested) {
            if (sc.memcg == null) {
                // shrink_inactive_list(): a memory cgroup's reclaim counts pgsteal_direct in the
                // group's memory.stat only, not in /proc/vmstat (!cgroup_reclaim(sc))
                k.vmstat.count(kswapd ? VmEvent.PGSTEAL_KSWAPD : VmEvent.PGSTEAL_DIRECT);
            }
            // a lazy-free page is on the file LRU (folio_is_file_lru())
            k.vmstat.count(file || lazyfree ? VmEvent.PGSTEAL_FILE : VmEvent.PGSTEAL_ANON);
        }
        if (file) {
            cache.evict(pfn, shadow, domain);
        } else if (lazyfree) {
            // shrink_folio_list(): a clean lazy-free page is freed, its data gone; no shadow
            k.vmstat.count(VmEvent.PGLAZYFREED);
            k.hooks.uncharge(pfn, 1);
            frames.setRefcount(pfn, 0);
            frames.setFlags(pfn, frames.flags(pfn) & (PageFrames.PG_HEAD | PageFrames.PG_TAIL));
            frames.setMapping(pfn, 0);
            frames.setIndex(pfn, 0);
            k.contents.clear(pfn); // a freed frame holds no contents
            k.nrAnonPages--;
            allocator.freePages(pfn, 0, 0);
        } else {
            if (write) {
                k.vmstat.count(VmEvent.PSWPOUT);
                k.vmstat.add(VmEvent.PGPGOUT, 4);
                k.vmstat.count(VmEvent.NR_VMSCAN_WRITE);
                if (!kswapd) {
                    k.clock.advance(cost.ioPagePs());
                }
            }
            swap.setShadow(entry, shadow, domain);
            k.hooks.uncharge(pfn, 1);
            frames.setRefcount(pfn, 0);
            swap.removeFromCache(pfn); // the slot keeps the page's contents
            if ((frames.flags(pfn) & PageFrames.PG_KSM) != 0) {
                // a KSM page, unmapped through rmap_walk_ksm(): its stable node goes with it
                // (Linux: ksm_get_folio() finds the node stale at its next use, mm/ksm.c)
                k.ksm.ksmPageFreed(pfn);
            }
            k.contents.clear(pfn);
            frames.setFlags(pfn, frames.flags(pfn) & (PageFrames.PG_HEAD | PageFrames.PG_TAIL));
            frames.setMapping(pfn, 0);
            frames.setIndex(pfn, 0);
            k.nrAnonPages--;
            allocator.freePages(pfn, 0, 0);
        }
        return true;
    }

    /**
     * {@code MADV_PAGEOUT} of an anonymous page that needs a write (Linux 6.18: {@code reclaim_pages()}
     * clears PG_active, {@code shrink_folio_list()} unmaps the page to its swap entry and
     * {@code pageout()} starts the write; the folio, under writeback, is not freed in this pass
     * but goes back to the inactive list with {@code folio_putback_lru()}, and
     * {@code folio_end_writeback()} rotates it to the tail as a clean swap-cache page). With
     * {@code swap.synchronous_io=false} the write is that asynchronous one ({@link SwapWriteback});
     * on a synchronous device it completes at once. The page is written ({@code pswpout}), left in the swap cache
     * mapped by no PTE and held by nothing else (refcount 0), and stays on the LRU. It is not
     * evicted, so the policy hears no {@code pageEvicted}: it is taken off the policy's lists and
     * re-added unreferenced ({@link ReclaimPolicy#pageRemoved} then
     * {@link ReclaimPolicy#pageAddedUnreferenced}, the head of the inactive list; an asynchronous
     * write's completion then rotates it to the tail, a synchronous one leaves it there). Until a later reclaim frees it without writing again (the clean
     * swap-cache page of {@link #reclaimPage}), {@code mincore()} reports it resident
     * ({@code mincore_swap()}) and a fault on its swap entry maps it back as a minor fault
     * ({@code do_swap_page()} finds it in the swap cache). When the last swap entry naming its slot
     * goes first, the page is freed with the slot ({@code free_swap_and_cache()}), unless its write
     * is still in flight: then it stays in the swap cache until reclaim frees it.
     */
    private void keepInSwapCache(int pfn) {
        if (swapSyncIo) {
            k.vmstat.count(VmEvent.PSWPOUT);
            k.vmstat.add(VmEvent.PGPGOUT, 4);
            k.vmstat.count(VmEvent.NR_VMSCAN_WRITE);
            k.clock.advance(cost.ioPagePs());
        } else {
            swapWb.start(pfn);
        }
        frames.clear(pfn, PageFrames.PG_DIRTY | PageFrames.PG_ACTIVE | PageFrames.PG_REFERENCED | PageFrames.PG_YOUNG);
        policy.pageRemoved(pfn);
        frames.set(pfn, PageFrames.PG_LRU);
        policy.pageAddedUnreferenced(pfn, true);
    }

    /** The shmem object holding order-0 anonymous page {@code pfn} in its slot, or null. */
    private ShmemPages shmemHolding(int pfn) {
        if (frames.test(pfn, PageFrames.PG_KSM) || !frames.test(pfn, PageFrames.PG_ANON)) {
            return null;
        }
        ShmemPages object = k.anonVmas.get(frames.mapping(pfn)).shmem();
        return object != null && object.get(frames.index(pfn) & 0xffffffffL) == pfn ? object : null;
    }

    /** True if a PTE mapping the page is dirty. */
    private boolean mappedDirty(int pfn) {
        boolean[] dirty = {false};
        int n = rmap.walk(pfn, (mm, vma, address, table, index, level) -> {
            dirty[0] |= (k.tables.table(table)[index] & Pte.DIRTY) != 0;
            return !dirty[0];
        });
        k.clock.advance(n * cost.rmapPs());
        return dirty[0];
    }

    /** Moves dirty bits of the PTEs mapping a file page to the page ({@code folio_mkclean()} without write-protecting). */
    private void transferDirtyBits(int pfn) {
        boolean[] dirty = {false};
        int n = rmap.walk(pfn, (mm, vma, address, table, index, level) -> {
            long[] t = k.tables.table(table);
            if ((t[index] & Pte.DIRTY) != 0) {
                t[index] &= ~Pte.DIRTY;
                dirty[0] = true;
                k.flushTlbPage(mm, address);
            }
            return true;
        });
        k.clock.advance(n * cost.rmapPs());
        if (dirty[0]) {
            cache.markDirty(pfn);
        }
    }

    /**
     * {@code try_to_unmap()}: clears every PTE mapping the page, or replaces it with the swap
     * entry {@code entry} of an anonymous page; returns true if any PTE was dirty.
     */
    private boolean unmapAll(int pfn, long entry) {
        boolean[] dirty = {false};
        int n = rmap.walk(pfn, (mm, vma, address, table, index, level) -> {
            long[] t = k.tables.table(table);
            long e = t[index];
            dirty[0] |= (e & Pte.DIRTY) != 0;
            // try_to_unmap_one() (mm/rmap.c): pte_swp_mkuffd_wp() keeps a userfaultfd write
            // protection in the swap entry (a shmem page's too, where Linux leaves a PTE marker)
            t[index] = entry != 0 && (e & Pte.UFFD_WP) != 0 ? entry | Pte.UFFD_WP : entry;
            unmapped(mm, entry != 0, !frames.test(pfn, PageFrames.PG_FILE));
            if (entry != 0) {
                swap.dup(entry);
            }
            k.flushTlbPage(mm, address);
            return true;
        });
        k.clock.advance(n * cost.rmapPs());
        frames.addMapcount(pfn, -(n));
        frames.addRefcount(pfn, -(n));
        if (frames.mapcount(pfn) != 0) {
            throw new IllegalStateException("PFN " + pfn + " still has " + frames.mapcount(pfn) + " mappings the rmap did not find");
        }
        if (frames.test(pfn, PageFrames.PG_FILE) && dirty[0]) {
            throw new IllegalStateException("file PFN " + pfn + " was dirtied during its eviction");
        }
        return dirty[0];
    }

    private static void unmapped(Mm mm, boolean swapEntry, boolean anon) {
        if (swapEntry) {
            mm.rssAnon--;
            mm.swapEnts++;
        } else if (anon) {
            mm.rssAnon--; // a lazy-free page: its PTEs are cleared
        } else {
            mm.rssFile--;
        }
    }

    /** The {@link ScanControl} handed to the policy; one instance, reset per request. */
    private final class Control implements ScanControl {
        int nr;
        int priority;
        boolean kswapd;
        long reclaimed;
        boolean mayAnon;
        MemCgroup memcg;
        long domainLimit = Long.MAX_VALUE;
        long domainStart;
        long scannedPages;
        /** The domain's policy instance being shrunk now. */
        ReclaimPolicy domain;
        /** The page {@link #reclaim} refused last into activate_locked, or -1. */
        int activate = -1;
        /** File pages offered to reclaim in the current pass, and those of them dirty and not under writeback. */
        int fileTaken;
        int unqueuedDirty;

        void reset(int nr, int priority, boolean kswapd, MemCgroup memcg, int node) {
            this.nr = nr;
            this.priority = priority;
            this.kswapd = kswapd;
            this.reclaimed = 0;
            this.memcg = memcg;
            this.scannedPages = 0;
            this.domainLimit = Long.MAX_VALUE;
            this.mayAnon = Vmscan.this.mayReclaimAnon(node, memcg);
        }

        /** The next domain may take at most {@code limit} pages of the request. */
        void limitDomain(long limit) {
            domainLimit = limit;
            domainStart = reclaimed;
        }

        @Override
        public void isolate(int pfn) {
            frames.clear(pfn, PageFrames.PG_LRU); // isolate_lru_folios(): folio_test_clear_lru()
        }

        @Override
        public void putBack(int pfn) {
            frames.set(pfn, PageFrames.PG_LRU);
        }

        @Override
        public int nrToReclaim() {
            long left = Math.min(nr - reclaimed, domainLimit == Long.MAX_VALUE ? Long.MAX_VALUE : domainLimit - (reclaimed - domainStart));
            return (int) Math.max(0, left);
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public int swappiness() {
            return swappiness;
        }

        @Override
        public boolean mayReclaimAnon() {
            return mayAnon;
        }

        @Override
        public boolean isKswapd() {
            return kswapd;
        }

        @Override
        public boolean isCgroupReclaim() {
            return memcg != null;
        }

        /**
         * The kernel's rule, unless memcg.reclaim_batch is below SWAP_CLUSTER_MAX: then reclaim
         * takes exactly what it asks (vmsim mrc --machine's fixed-size cache, as MrcRun).
         */
        @Override
        public boolean wholeBatches() {
            return memcgBatch >= SWAP_CLUSTER_MAX;
        }

        @Override
        public boolean activateRefused(int pfn) {
            return pfn == activate;
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            if (pfn < 0 || pfn >= frames.nrFrames()) {
                throw failure("testAndClearYoung(" + pfn + "): no such frame", null);
            }
            int young = rmap.referenced(pfn);
            k.clock.advance((1 + young) * cost.rmapPs());
            // folio_check_references(): PG_referenced alone does not keep an unmapped page;
            // a second use through a system call (PG_YOUNG, the activation) does
            boolean again = frames.test(pfn, PageFrames.PG_YOUNG);
            frames.clear(pfn, PageFrames.PG_YOUNG | PageFrames.PG_REFERENCED);
            return young > 0 || again;
        }

        @Override
        public int walkYoung(boolean anon, YoungVisitor visitor) {
            return lruGen.walkYoung(inDomain, anon, visitor);
        }

        @Override
        public boolean lookAround(int pfn, YoungVisitor neighbours) {
            if (pfn < 0 || pfn >= frames.nrFrames()) {
                throw failure("lookAround(" + pfn + "): no such frame", null);
            }
            int young = lruGen.lookAround(pfn, inDomain, neighbours);
            boolean again = frames.test(pfn, PageFrames.PG_YOUNG); // as testAndClearYoung()
            frames.clear(pfn, PageFrames.PG_YOUNG | PageFrames.PG_REFERENCED);
            return young > 0 || again;
        }

        @Override
        public void scanned(int pages) {
            if (memcg == null) { // as pgsteal_*: /proc/vmstat counts global reclaim's scans only
                k.vmstat.add(kswapd ? VmEvent.PGSCAN_KSWAPD : VmEvent.PGSCAN_DIRECT, pages);
            }
            scannedPages += pages;
            if (memcg != null) {
                memcg.pgscan += pages;
            }
        }

        @Override
        public boolean reclaim(int pfn) {
            activate = -1;
            boolean ok = reclaimPage(pfn, kswapd);
            if (ok) {
                reclaimed++;
                if (memcg != null) {
                    memcg.pgsteal++;
                }
            }
            return ok;
        }
    }
}
