package io.vmsim.core.vmscan;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.alloc.AllocHooks;
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
 *   <li><b>kswapd</b> ({@code kswapd()}, {@code balance_pgdat()}): woken by the allocator when
 *       a zone of its node falls below the low watermark, it reclaims in batches of
 *       {@value #SWAP_CLUSTER_MAX} pages, lowering the priority from 12 to 0, until the node's
 *       free pages reach the sum of its zones' high watermarks, then sleeps until woken. Its
 *       work is not charged to the workload ({@link Daemons}).</li>
 *   <li><b>direct reclaim</b> ({@code do_try_to_free_pages()}): an allocation that failed the
 *       min watermark counts {@code allocstall} and reclaims {@value #SWAP_CLUSTER_MAX} pages
 *       itself, priority 12 to 0, charged to the task.</li>
 *   <li><b>anon/file balance</b> ({@code get_scan_count()} simplified): anonymous pages may be
 *       reclaimed when swap has free slots and either {@code vm.swappiness} &gt; 0 or the page
 *       cache has shrunk below the node's high watermarks (the kernel's "file is tiny" case);
 *       within that, the proportion is the policy's to choose from
 *       {@link ScanControl#swappiness()}, as the kernel's lists do.</li>
 *   <li><b>reclaiming a page</b> ({@code shrink_folio_list()}): pinned pages (extra
 *       references), pages under writeback, mlocked pages and hugetlb or file compound pages are
 *       refused, an anonymous THP is split first ({@code split_folio_to_list()});
 *       a file page that is dirty, or mapped by a dirty PTE, is refused and the flusher woken;
 *       otherwise every PTE is unmapped through the rmap ({@code try_to_unmap()}) and the page
 *       is freed: an anonymous page is written to a swap slot ({@code pswpout}) and its PTEs
 *       become swap entries; a file page leaves the page cache. The policy's
 *       {@link ReclaimPolicy#pageEvicted} value is stored as the shadow entry of the slot.
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
    private final Control sc = new Control();
    private boolean inReclaim;

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
        this.kswapd = new int[frames.nrNodes()];
        for (int n = 0; n < kswapd.length; n++) {
            int node = n;
            kswapd[n] = daemons.register(new Daemons.Daemon() {
                @Override
                public String name() {
                    return "kswapd" + node;
                }

                @Override
                public long run(long nowNs) {
                    balancePgdat(node);
                    return -1;
                }
            }, -1);
        }
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

    /** {@code pgdat_balanced()}: the node's free pages reach its high watermark. */
    public boolean balanced(int node) {
        return freePages(node) >= watermark(node, Zone.WMARK_HIGH);
    }

    /** True if kswapd of {@code node} is asleep until woken. */
    public boolean kswapdSleeping(int node) {
        return daemons.sleeping(kswapd[node]);
    }

    // ---------------------------------------------------------------- AllocHooks

    @Override
    public void wakeKswapd(int node, int order) {
        if (!balanced(node)) {
            daemons.wake(kswapd[node]);
        }
    }

    @Override
    public boolean directReclaim(int gfp, int order, int node) {
        if (inReclaim) {
            return false; // PF_MEMALLOC: reclaim does not recurse
        }
        k.vmstat.count(VmEvent.ALLOCSTALL);
        allocator.drainAll(); // drain_all_pages(): per-CPU pages count for the watermark only in the buddy lists
        // batches of SWAP_CLUSTER_MAX until the allocation can pass the min watermark; progress
        // that cannot get there counts as none, so the allocator moves on to the OOM killer
        // (the "could it succeed if everything reclaimable were freed" test of should_reclaim_retry())
        long need = watermark(node, Zone.WMARK_MIN) + (1L << order);
        long got = 0;
        for (int prio = DEF_PRIORITY; prio >= 0 && freePages(node) <= need; ) {
            long n = shrink(node, SWAP_CLUSTER_MAX, false, prio);
            allocator.drainAll();
            got += n;
            if (n == 0) {
                prio--;
            }
        }
        // draining the per-CPU lists alone may have been enough, as the kernel's drained retry finds
        return freePages(node) > need;
    }

    @Override
    public boolean outOfMemory(int gfp, int order, int node) {
        return oom.outOfMemory();
    }

    /** kswapd's work: reclaim until the node is balanced or a sweep down to priority 0 frees nothing. */
    void balancePgdat(int node) {
        k.vmstat.count(VmEvent.PAGEOUTRUN);
        allocator.drainAll();
        for (int prio = DEF_PRIORITY; prio >= 0 && !balanced(node); ) {
            long want = Math.max(SWAP_CLUSTER_MAX, watermark(node, Zone.WMARK_HIGH) - freePages(node));
            long got = shrink(node, (int) Math.min(want, Integer.MAX_VALUE), true, prio);
            allocator.drainAll();
            if (got == 0) {
                prio--; // raise the pressure only when a pass made no progress
            }
        }
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
            sc.reset(nr, priority, kswapd, null);
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
            return sc.reclaimed + shrinkSlab(sc.scannedPages);
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

    /** Sets {@code memcg.reclaim_batch}. */
    public void setMemcgReclaimBatch(int pages) {
        this.memcgBatch = pages;
    }

    /** {@code try_to_free_mem_cgroup_pages()}: reclaim within one memory cgroup's own domains. */
    long shrinkMemcg(MemCgroup cg, int nr, int priority) {
        inReclaim = true;
        try {
            sc.reset(nr, priority, false, cg);
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

    private void run(ReclaimPolicy p) {
        try {
            p.shrink(sc);
        } catch (RuntimeException e) {
            if (e instanceof PolicyException || e instanceof io.vmsim.core.error.UserError) {
                throw e;
            }
            throw failure("shrink() threw " + e, e);
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
        boolean waited = false;
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
            long reclaimed = 0;
            for (int prio = DEF_PRIORITY; prio >= 0 && cg.current + nr > cg.max; prio--) {
                // try_to_free_mem_cgroup_pages(): the priority loop of do_try_to_free_pages()
                long want = Math.max(memcgBatch, nr) - reclaimed;
                if (want <= 0) {
                    break;
                }
                reclaimed += shrinkMemcg(cg, (int) Math.min(want, Integer.MAX_VALUE), prio);
            }
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
            if (!waited && cg.file > 0 && cache.nrDirty() + cache.nrWriteback() > 0) {
                // shrink_folio_list() woke the flusher for the dirty pages it met and, in a
                // memory cgroup (no sane writeback throttling in cgroup v1), waits for their
                // writeback (folio_wait_writeback()) before it tries them again: no OOM kill
                // while dirty page cache can still be written and dropped
                waited = true;
                cache.writebackAllAndWait();
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

    /** May anonymous pages be reclaimed now? See the class comment. */
    public boolean mayReclaimAnon() {
        if (!k.anonEvictable || swap.freePages() == 0) {
            return false;
        }
        return swappiness > 0 || cache.nrFilePages() < watermark(0, Zone.WMARK_HIGH);
    }

    private PolicyException failure(String message, Throwable cause) {
        ReclaimPolicy root = lru == null ? policy : lru.ofNode(0).get(0);
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
        if (frames.refcount[head] <= 0 || k.hugeZeroPfn == head) {
            return false;
        }
        frames.clear(head, PageFrames.PG_LRU); // the policy already let go of it
        k.huge.splitFolio(head, 0);
        for (int i = 1; i < Kernel.HPAGE_PMD_NR; i++) {
            int p = head + i;
            if (frames.refcount[p] > 0 && !frames.test(p, PageFrames.PG_LRU)) {
                frames.set(p, PageFrames.PG_LRU);
                k.reclaim.pageAddedUnreferenced(p, true);
            }
        }
        frames.set(head, PageFrames.PG_LRU);
        return frames.refcount[head] > 0;
    }

    boolean reclaimPage(int pfn, boolean kswapd) {
        if (pfn < 0 || pfn >= frames.nrFrames() || !frames.test(pfn, PageFrames.PG_LRU)) {
            throw failure("reclaim(" + pfn + "): the page is not on the LRU (free, unevictable or already reclaimed)", null);
        }
        int f = frames.flags[pfn];
        if ((f & PageFrames.PG_HEAD) != 0) {
            if ((f & PageFrames.PG_ANON) == 0 || !mayReclaimAnon() || !splitForReclaim(pfn)) {
                return false;
            }
            f = frames.flags[pfn];
        }
        if ((f & (PageFrames.PG_HEAD | PageFrames.PG_WRITEBACK | PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE)) != 0) {
            return false;
        }
        boolean file = (f & PageFrames.PG_FILE) != 0;
        if (file) {
            if (frames.refcount[pfn] != 1 + frames.mapcount[pfn]) {
                return false; // pinned
            }
            if (frames.mapcount[pfn] > 0) {
                transferDirtyBits(pfn);
            }
            if (frames.test(pfn, PageFrames.PG_DIRTY)) {
                cache.wakeFlusherForReclaim();
                return false;
            }
        } else {
            if (frames.refcount[pfn] != frames.mapcount[pfn] || !mayReclaimAnon()) {
                return false;
            }
        }
        long entry = 0;
        boolean inCache = frames.test(pfn, PageFrames.PG_SWAPCACHE);
        if (!file) {
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
        long shadow = policy.pageEvicted(pfn);
        k.vmstat.count(kswapd ? VmEvent.PGSTEAL_KSWAPD : VmEvent.PGSTEAL_DIRECT);
        k.vmstat.count(file ? VmEvent.PGSTEAL_FILE : VmEvent.PGSTEAL_ANON);
        if (file) {
            cache.evict(pfn, shadow);
        } else {
            // pageout(): a page still in the swap cache and clean matches its slot and needs no write
            if (!inCache || dirty || frames.test(pfn, PageFrames.PG_DIRTY)) {
                k.vmstat.count(VmEvent.PSWPOUT);
                k.vmstat.add(VmEvent.PGPGOUT, 4);
                if (!kswapd) {
                    k.clock.advance(cost.ioPagePs());
                }
            }
            swap.setShadow(entry, shadow);
            k.hooks.uncharge(pfn, 1);
            frames.refcount[pfn] = 0;
            swap.removeFromCache(pfn);
            frames.flags[pfn] &= PageFrames.PG_HEAD | PageFrames.PG_TAIL;
            frames.mapping[pfn] = 0;
            frames.index[pfn] = 0;
            k.nrAnonPages--;
            allocator.freePages(pfn, 0, 0);
        }
        return true;
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
            t[index] = entry;
            unmapped(mm, entry != 0);
            if (entry != 0) {
                swap.dup(entry);
            }
            k.flushTlbPage(mm, address);
            return true;
        });
        k.clock.advance(n * cost.rmapPs());
        frames.mapcount[pfn] -= n;
        frames.refcount[pfn] -= n;
        if (frames.mapcount[pfn] != 0) {
            throw new IllegalStateException("PFN " + pfn + " still has " + frames.mapcount[pfn] + " mappings the rmap did not find");
        }
        if (frames.test(pfn, PageFrames.PG_FILE) && dirty[0]) {
            throw new IllegalStateException("file PFN " + pfn + " was dirtied during its eviction");
        }
        return dirty[0];
    }

    private static void unmapped(Mm mm, boolean swapEntry) {
        if (swapEntry) {
            mm.rssAnon--;
            mm.swapEnts++;
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

        void reset(int nr, int priority, boolean kswapd, MemCgroup memcg) {
            this.nr = nr;
            this.priority = priority;
            this.kswapd = kswapd;
            this.reclaimed = 0;
            this.memcg = memcg;
            this.scannedPages = 0;
            this.domainLimit = Long.MAX_VALUE;
            this.mayAnon = Vmscan.this.mayReclaimAnon();
        }

        /** The next domain may take at most {@code limit} pages of the request. */
        void limitDomain(long limit) {
            domainLimit = limit;
            domainStart = reclaimed;
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
        public void scanned(int pages) {
            k.vmstat.add(kswapd ? VmEvent.PGSCAN_KSWAPD : VmEvent.PGSCAN_DIRECT, pages);
            scannedPages += pages;
            if (memcg != null) {
                memcg.pgscan += pages;
            }
        }

        @Override
        public boolean reclaim(int pfn) {
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
