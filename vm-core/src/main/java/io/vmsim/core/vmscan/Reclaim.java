package io.vmsim.core.vmscan;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.filemap.FileFaults;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.filemap.StorageCosts;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.memcg.MemcgStock;
import io.vmsim.core.memcg.RcuFrees;
import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmHooks;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.oom.OomKiller;
import io.vmsim.core.oom.Overcommit;
import io.vmsim.core.shrinker.ShrinkerRegistry;
import io.vmsim.core.shrinker.SlabCache;
import io.vmsim.core.swap.SwapIn;
import io.vmsim.core.swap.SwapSpace;
import io.vmsim.core.time.Daemons;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory pressure, assembled: the page cache, swap, the reclaim driver, overcommit accounting
 * and the OOM killer of one machine. {@link #install} builds them from the configuration and
 * plugs them into the kernel ({@link Kernel#hooks}) and the page allocator
 * ({@link io.vmsim.core.alloc.AllocHooks}).
 */
public final class Reclaim implements MmHooks {
    private final Kernel k;
    private final PageCache cache;
    private final SwapSpace swap;
    private final Vmscan vmscan;
    private final Overcommit overcommit;
    private final OomKiller oom;
    private final FileFaults fileFaults;
    private final SwapIn swapIn;
    private final LruDomains lru;
    private final ShrinkerRegistry shrinkers;
    private final SlabCache dentries;
    private final SlabCache inodes;
    private final RcuFrees rcu = new RcuFrees();
    /** {@code memcg.kmem}: false is {@code cgroup.memory=nokmem}, no kernel memory charged to any group. */
    private final boolean kmem;

    private Reclaim(Kernel k, CoreConfig c, MmSyscalls sys, Daemons daemons) {
        this.k = k;
        StorageCosts cost = StorageCosts.of(c);
        long swapPages = c.getLong(CoreKeys.SWAP_SIZE) >>> 12;
        this.swap = new SwapSpace(k.frames, swapPages, c.getInt(CoreKeys.SWAP_DEVICES));
        this.swap.contents = k.contents; // KSM (issue 11): modelled contents survive swap
        this.cache = new PageCache(k, cost, daemons, c.getInt(CoreKeys.READ_AHEAD_KB), c.getInt(CoreKeys.DIRTY_RATIO),
                c.getInt(CoreKeys.DIRTY_BACKGROUND_RATIO), c.getInt(CoreKeys.DIRTY_WRITEBACK_CENTISECS));
        this.overcommit = new Overcommit(c.getInt(CoreKeys.OVERCOMMIT_MEMORY), c.getLong(CoreKeys.OVERCOMMIT_RATIO),
                c.getLong(CoreKeys.OVERCOMMIT_KBYTES), k.frames.nrFrames(), swap::totalPages, () -> k.huge.hugetlbTotalPages(),
                k.vmstat);
        this.oom = new OomKiller(k, sys, swap::totalPages);
        // the dentry and inode caches, fed by path lookups (fs/dcache.c, fs/inode.c; seeds/002)
        this.shrinkers = new ShrinkerRegistry(k.vmstat);
        this.dentries = new SlabCache("dentry", 192, ShrinkerRegistry.DEFAULT_SEEKS, k.allocator);
        this.inodes = new SlabCache("inode_cache", 600, ShrinkerRegistry.DEFAULT_SEEKS, k.allocator);
        shrinkers.register(dentries);
        shrinkers.register(inodes);
        shrinkers.register(cache.shadowShrinker()); // the workingset_shadow shrinker of mm/workingset.c
        this.vmscan = new Vmscan(k, c.getString(CoreKeys.POLICY_RECLAIM), cache, swap, oom, cost, daemons,
                c.getInt(CoreKeys.SWAPPINESS), shrinkers);
        this.vmscan.setMemcgReclaimBatch(c.getInt(CoreKeys.MEMCG_RECLAIM_BATCH));
        this.vmscan.setSwapSynchronousIo(c.getBoolean(CoreKeys.SWAP_SYNCHRONOUS_IO));
        this.vmscan.setPageoutCost(c.getDouble(CoreKeys.COST_PAGEOUT));
        this.lru = k.reclaim;
        this.kmem = c.getBoolean(CoreKeys.MEMCG_KMEM);
        if (lru != null && kmem) {
            k.tables.setAccounting(new PageTables.Accounting() {
                @Override
                public void tryCharge(int memcg, int cpu) {
                    Mm cur = k.currentMm;
                    vmscan.tryChargeMemcg(lru.cgroup(memcg), cur != null && cur.memcg == memcg ? cur : null, 1, cpu);
                }

                @Override
                public void charged(int pfn, int memcg) {
                    lru.chargeKmem(pfn, memcg);
                }

                @Override
                public void uncharge(int pfn, int cpu) {
                    lru.unchargeKmem(pfn, cpu);
                }
            });
        }
        this.fileFaults = new FileFaults(k, cache, c.getLong(CoreKeys.FAULT_AROUND_BYTES));
        this.swapIn = new SwapIn(k, swap, cost);
    }

    /** Builds the subsystem for {@code kernel} and installs its hooks. */
    public static Reclaim install(Kernel kernel, CoreConfig config, MmSyscalls sys, Daemons daemons) {
        Reclaim r = new Reclaim(kernel, config, sys, daemons);
        kernel.hooks = r;
        kernel.anonEvictable = r.swap.totalPages() > 0;
        kernel.allocator.setHooks(r.vmscan);
        return r;
    }

    /** The subsystem installed in {@code kernel}, or null if none was. */
    public static Reclaim of(Kernel kernel) {
        return kernel.hooks instanceof Reclaim r ? r : null;
    }

    public PageCache pageCache() {
        return cache;
    }

    public SwapSpace swap() {
        return swap;
    }

    public Vmscan vmscan() {
        return vmscan;
    }

    public Overcommit overcommit() {
        return overcommit;
    }

    public OomKiller oomKiller() {
        return oom;
    }

    public FileFaults fileFaults() {
        return fileFaults;
    }

    public SwapIn swapIn() {
        return swapIn;
    }

    // ---------------------------------------------------------------- MmHooks

    @Override
    public void accountMapping(Mm mm, long pages) {
        overcommit.account(mm, pages);
    }

    @Override
    public boolean honoursNoreserve() {
        return overcommit.honoursNoreserve();
    }

    @Override
    public void unaccountMapping(Mm mm, long pages) {
        overcommit.unaccount(pages);
    }

    @Override
    public void swapEntryFreed(long entry) {
        int pfn = swap.lookup(entry);
        swap.put(entry);
        if (pfn >= 0 && k.frames.refcount(pfn) == 0 && !k.frames.test(pfn, PageFrames.PG_SWAPCACHE)) {
            // free_swap_and_cache(): the slot's last entry went, and with it the swap cache's
            // page that nothing else held (an MADV_PAGEOUT page not faulted back in)
            k.freeSwapCacheOnlyPage(pfn);
        }
    }

    @Override
    public void swapEntryDuplicated(long entry) {
        swap.dup(entry);
    }

    @Override
    public void swapCachePageFreed(int pfn) {
        swap.removeFromCache(pfn);
        vmscan.swapCachePageFreed(pfn);
    }

    @Override
    public boolean freeSwapCache(int pfn) {
        return swap.freeSwap(pfn);
    }

    @Override
    public void filePageDirtied(int pfn) {
        cache.markDirty(pfn);
    }

    @Override
    public boolean reclaimOnRequest(int pfn) {
        return vmscan.reclaimOnRequest(pfn);
    }

    @Override
    public void pageMigrated(int from, int to) {
        PageFrames f = k.frames;
        if (f.test(to, PageFrames.PG_FILE)) {
            cache.replace(from, to);
        }
        if (f.test(to, PageFrames.PG_SWAPCACHE)) {
            swap.replace(from, to);
        }
        if (lru != null) {
            lru.moveCharge(from, to);
        }
    }

    @Override
    public void folioSplit(int head, int nr) {
        if (lru != null) {
            lru.splitCharge(head, nr);
        }
    }

    @Override
    public void beforeUserAlloc(Mm mm, int nr) {
        vmscan.tryChargeMemcg(mm, nr);
    }

    @Override
    public boolean tryChargeHuge(Mm mm, int nr, int gfp) {
        return vmscan.tryChargeMemcgHuge(mm, nr, gfp);
    }

    @Override
    public void beforeUserAlloc(Mm mm, int nr, int cpu) {
        vmscan.tryChargeMemcg(mm, nr, cpu);
    }

    @Override
    public void charge(int pfn, int nr, Mm mm) {
        if (lru != null) {
            lru.charge(pfn, nr, mm == null ? 0 : mm.memcg);
        }
    }

    @Override
    public void uncharge(int pfn, int nr) {
        if (lru != null) {
            lru.uncharge(pfn, nr);
        }
    }

    @Override
    public int memcgOf(int pfn) {
        return lru == null ? 0 : lru.ownerOf(pfn);
    }

    @Override
    public int chargeSlabObject(Mm mm, int size, int cpu) {
        return objCgroupCharge(mm, size, cpu, false);
    }

    @Override
    public int chargeSlabObjectNowaitFirst(Mm mm, int size, int cpu) {
        return objCgroupCharge(mm, size, cpu, true);
    }

    @Override
    public void unchargeSlabObject(int memcg, int size, int cpu) {
        if (lru != null && memcg != 0) {
            // __memcg_slab_free_hook() -> refill_obj_stock(allow_uncharge)
            lru.stock().refillObj(lru.cgroup(memcg), size, true, cpu);
        }
    }

    @Override
    public void unchargeSlabObjectRcu(int memcg, int size, int cpu) {
        if (lru != null && memcg != 0) {
            rcu.queue(memcg, size, cpu, k.clock.nanoTime()); // call_rcu()
        }
    }

    @Override
    public void rcuCallbacks() {
        if (rcu.pending() > 0) {
            rcu.runDue(k.clock.nanoTime(), this::unchargeSlabObject);
        }
    }

    /** The accounted objects waiting for an RCU grace period before they are freed. */
    public RcuFrees rcuFrees() {
        return rcu;
    }

    /**
     * {@code obj_cgroup_charge_account()} (mm/memcontrol.c, Linux 6.16 to 6.18) of an object of
     * {@code size} bytes to the group of {@code mm} on {@code cpu}: from the CPU's object stock
     * if it holds that many bytes of the group ({@code consume_obj_stock()}); else the group's
     * page counter is charged the object's size rounded up to pages
     * ({@code obj_cgroup_charge_pages()} -> {@code try_charge_memcg()}), which count as its
     * kernel memory, and the rest of the last page goes to the object stock
     * ({@code refill_obj_stock()} without uncharging). With {@code nowaitFirst} the page charge
     * is tried first as {@code GFP_NOWAIT} ({@link #tryChargeNowait}). Returns the group charged.
     */
    private int objCgroupCharge(Mm mm, int size, int cpu, boolean nowaitFirst) {
        if (lru == null || mm == null || mm.memcg == 0 || !kmem) { // nokmem: memcg_kmem_online() is false
            return 0;
        }
        MemCgroup cg = lru.cgroup(mm.memcg);
        MemcgStock stock = lru.stock();
        if (stock.consumeObj(cg, size, cpu)) {
            return mm.memcg;
        }
        int nrPages = (size + 4095) >>> 12;
        int rest = size & 4095;
        if (!nowaitFirst || !tryChargeNowait(cg, nrPages, cpu)) {
            if (nowaitFirst && stock.consumeObj(cg, size, cpu)) {
                return mm.memcg;
            }
            vmscan.tryChargeMemcg(cg, mm, nrPages, cpu);
            cg.current += nrPages;
            cg.peak = Math.max(cg.peak, cg.current);
        }
        cg.kmem += nrPages; // memcg1_account_kmem()
        if (rest != 0) {
            stock.refillObj(cg, 4096 - rest, false, cpu);
        }
        return mm.memcg;
    }

    /**
     * {@code try_charge_memcg()} with {@code GFP_NOWAIT}: {@code consume_stock()}, else the page
     * counter for a batch, else for {@code nr} pages alone; each failed charge of the counter
     * counts in {@code failcnt}; no reclaim, no {@code events.max}. True if the counter (or the
     * stock) now holds the {@code nr} pages.
     */
    private boolean tryChargeNowait(MemCgroup cg, int nr, int cpu) {
        MemcgStock stock = lru.stock();
        if (stock.consume(cg, nr, cpu)) {
            return true;
        }
        int batch = Math.max(MemcgStock.MEMCG_CHARGE_BATCH, nr);
        if (cg.current + batch <= cg.max) {
            cg.current += batch;
            cg.peak = Math.max(cg.peak, cg.current);
            if (batch > nr) {
                stock.refill(cg, batch - nr, cpu);
            }
            return true;
        }
        cg.failcnt++;
        if (batch > nr) {
            if (cg.current + nr <= cg.max) {
                cg.current += nr;
                cg.peak = Math.max(cg.peak, cg.current);
                return true;
            }
            cg.failcnt++;
        }
        return false;
    }

    /** The slab shrinkers. */
    public ShrinkerRegistry shrinkers() {
        return shrinkers;
    }

    /**
     * A path lookup of a file not in the caches (stat() during a walk of a file tree): one
     * dentry and one inode are allocated. Returns false if memory for them could not be had.
     */
    public boolean lookupNewPath(Mm mm, int cpu) {
        k.currentMm = mm;
        return dentries.allocate(cpu) && inodes.allocate(cpu);
    }

    /** Pages held by the reclaimable slab caches (SReclaimable). */
    public long slabPages() {
        return (long) dentries.pages() + inodes.pages();
    }

    /** The LRU domains and memory cgroups, or null if the kernel has a single policy instance. */
    public LruDomains lruDomains() {
        return lru;
    }

    /** Creates a memory cgroup with limits in bytes ({@code Long.MAX_VALUE} for none); returns its id. */
    public int createCgroup(String name, long maxBytes, long highBytes) {
        if (lru == null) {
            throw new IllegalStateException("memory cgroups need per-domain reclaim policies");
        }
        return lru.createCgroup(name, pages(maxBytes), pages(highBytes)).id();
    }

    private static long pages(long bytes) {
        return bytes == Long.MAX_VALUE ? MemCgroup.MAX : bytes >>> 12;
    }

    /** memory.* figures of every non-root cgroup, by name. */
    public Map<String, Map<String, Long>> cgroupReport() {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        if (lru != null) {
            for (MemCgroup cg : lru.cgroups()) {
                if (cg.id() != 0) {
                    m.put(cg.name(), cg.report());
                }
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- figures

    /**
     * State items of {@code /proc/vmstat} this subsystem owns, in Linux's order. Only kept
     * counters: policies may read vmstat often, so nothing here walks the frames (the
     * unevictable, mlocked and mapped counts are in meminfo).
     */
    public Map<String, Long> vmstatItems() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("nr_file_pages", cache.nrFilePages() + swap.cachedPages());
        m.put("nr_dirty", cache.nrDirty());
        m.put("nr_writeback", cache.nrWriteback() + vmscan.nrSwapWriteback());
        m.put("nr_swapcached", swap.cachedPages());
        m.put("nr_shadow_entries", cache.nrShadows());
        m.put("workingset_nodes", cache.workingsetNodes());
        m.put("nr_slab_reclaimable", slabPages());
        return m;
    }

    /** {@code /proc/meminfo} fields this subsystem owns, in kB, keyed by Linux's names. */
    public Map<String, Long> meminfoItems() {
        Map<String, Long> m = new LinkedHashMap<>();
        long[] lru = frameCounts();
        m.put("Cached", cache.nrFilePages() * 4);
        m.put("SwapCached", swap.cachedPages() * 4);
        m.put("Unevictable", lru[0] * 4);
        m.put("Mlocked", lru[1] * 4);
        m.put("SwapTotal", swap.totalPages() * 4);
        m.put("SwapFree", swap.freePages() * 4);
        m.put("Dirty", cache.nrDirty() * 4);
        m.put("Writeback", (cache.nrWriteback() + vmscan.nrSwapWriteback()) * 4);
        m.put("Mapped", lru[2] * 4);
        m.put("Slab", slabPages() * 4);
        m.put("SReclaimable", slabPages() * 4);
        m.put("CommitLimit", overcommit.commitLimitPages() * 4);
        m.put("Committed_AS", overcommit.committedPages() * 4);
        return m;
    }

    /** Unevictable, mlocked and mapped file pages, by scanning the frames (reports only). */
    private long[] frameCounts() {
        PageFrames f = k.frames;
        long unevictable = 0;
        long mlocked = 0;
        long mapped = 0;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if (!f.sectionPresent(pfn)) {
                pfn = PageFrames.nextSectionPfn(pfn) - 1; // never touched: free
                continue;
            }
            int fl = f.flags(pfn);
            if ((fl & PageFrames.PG_UNEVICTABLE) != 0) {
                int n = (fl & PageFrames.PG_HEAD) != 0 ? Kernel.HPAGE_PMD_NR : 1;
                unevictable += n;
                if ((fl & PageFrames.PG_MLOCKED) != 0) {
                    mlocked += n;
                }
            }
            if ((fl & PageFrames.PG_FILE) != 0 && f.mapcount(pfn) > 0) {
                mapped++;
            }
        }
        return new long[] {unevictable, mlocked, mapped};
    }

    /** Checks the page cache and swap bookkeeping against the frames. */
    public void verify() {
        cache.verify();
        swap.verify();
        k.reclaim.verifyInvariants();
        if (lru != null) {
            long[] charged = new long[lru.cgroups().size()];
            for (int pfn = 0; pfn < k.frames.nrFrames(); pfn++) {
                if (!k.frames.sectionPresent(pfn)) {
                    pfn = PageFrames.nextSectionPfn(pfn) - 1;
                    continue;
                }
                int f = k.frames.flags(pfn);
                if ((f & (PageFrames.PG_ANON | PageFrames.PG_FILE)) != 0 && (f & PageFrames.PG_TAIL) == 0) {
                    charged[lru.ownerOf(pfn)] += (f & PageFrames.PG_HEAD) != 0 ? Kernel.HPAGE_PMD_NR : 1;
                }
            }
            for (MemCgroup cg : lru.cgroups()) {
                long stocked = lru.stock().stocked(cg);
                if (cg.id() != 0 && (charged[cg.id()] != cg.anon + cg.file || cg.current != cg.anon + cg.file + cg.kmem + stocked)) {
                    throw new IllegalStateException("memory cgroup " + cg.name() + " counts " + cg.current + " pages ("
                            + cg.kmem + " page tables, " + stocked + " stocked) but " + charged[cg.id()]
                            + " user frames are charged to it");
                }
            }
        }
    }
}
