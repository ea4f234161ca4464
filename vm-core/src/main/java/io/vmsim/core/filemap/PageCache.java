package io.vmsim.core.filemap;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The page cache ({@code mm/filemap.c}): files whose pages are cached, indexed by
 * (file id, page index) in a primitive map that stands for each inode's xarray. A cached page
 * has {@link PageFrames#PG_FILE}, {@code mapping} = file id and {@code index} = page index; the
 * cache holds one reference and each PTE mapping one more. When reclaim evicts a page the
 * policy's shadow entry takes its slot ({@code mm/workingset.c}), with the LRU domain it was
 * evicted from; a later miss on that slot hands the shadow back through
 * {@link io.vmsim.core.memcg.LruDomains#pageRefaulted(int, long, int)}, which gives it only to
 * the instance that issued it. Slots are grouped in xarray nodes of 64; nodes left with shadows
 * and no page are on a list, oldest first, that the {@code mm-shadow} shrinker trims beyond one
 * node per 8 pages of memory ({@code count_shadow_nodes()}; {@code workingset_nodes},
 * {@code workingset_nodereclaim}). Swap slots keep their shadows until the slot is freed, as in
 * Linux 6.18, where the swap cache lives in the swap table rather than an xarray.
 *
 * <p>Readahead ({@code mm/readahead.c}, {@code page_cache_ra_order()} and
 * {@code ondemand_readahead()} simplified): a miss that continues a sequential stream (page 0,
 * or the page after the previous access) reads a first window of 4 pages; the window's async
 * part starts at its second page (the {@code PG_readahead} marker), and when the reader reaches
 * the marker the next window, 4x larger while under a sixteenth of the maximum and 2x after,
 * up to {@code block.read_ahead_kb}, is read in the background. A non-sequential miss reads the
 * one page. A page fault's miss reads around the faulting page instead
 * ({@code do_sync_mmap_readahead()}: see {@code readAround}). I/O completes at once: a sync miss charges one request of the window's size to the
 * reader, async readahead charges its request to simulated time too (one device serves both).
 *
 * <p>Dirty pages and writeback ({@code mm/page-writeback.c} simplified): a write dirties whole
 * pages (no read-before-write). With dirtyable memory = free pages + page-cache pages, crossing
 * {@code vm.dirty_background_ratio} wakes the flusher, which writes dirty pages back in the
 * background (pages are {@code PG_writeback} until the request completes); crossing
 * {@code vm.dirty_ratio} throttles the writer, which writes back synchronously down to the
 * midpoint of the two thresholds (the setpoint of {@code balance_dirty_pages()}) and pays for it.
 * The flusher also runs every {@code vm.dirty_writeback_centisecs} and then writes back every
 * dirty page (expiry ages are not modelled).
 */
public final class PageCache {
    /** Linux's first readahead window for a one-page request (get_init_ra_size). */
    private static final int INIT_RA_PAGES = 4;
    /** Pages per background writeback request. */
    private static final int WRITEBACK_CHUNK = 256;
    /** {@code SWAP_CLUSTER_MAX}. */
    private static final int SWAP_CLUSTER_MAX = 32;
    /** The timeout of {@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}: {@code HZ/10}. */
    private static final long RECLAIM_THROTTLE_TIMEOUT_NS = 100_000_000L;

    /** Per-file figures, for the run's report. */
    public static final class FileStats {
        public final String name;
        /** The file's size in pages ({@code i_size} rounded up); {@link Truncate} changes it. */
        public long sizePages;
        public long reads;
        public long hits;
        public long misses;
        /** Misses of pages never cached before: no shadow entry was found in the slot. */
        public long coldMisses;
        /** {@code POSIX_FADV_RANDOM}: no readahead. */
        public boolean random;
        /**
         * A shmem file ({@code memfd_create()}, mm/shmem.c): its pages live only in the page
         * cache, so a miss allocates a zeroed page without I/O, a read of a hole returns zeros
         * without one, nothing is written back, and its swap-backed pages are not evicted.
         */
        public boolean shmem;
        public long refaults;
        public long readahead;
        public long writes;
        /** Pages of the file in the cache now. */
        public long resident;
        int raStart;
        int raSize;
        int raAsync;
        long prevIndex = -1;
        /** {@code file->f_ra.ra_pages}: the largest readahead window; {@link Fadvise} changes it. */
        int raPages;

        FileStats(String name, long sizePages, int raPages) {
            this.name = name;
            this.sizePages = sizePages;
            this.raPages = raPages;
        }

        /** Hits over page-cache lookups (reads and faults), or 0 if none. */
        public double hitRatio() {
            return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
        }
    }

    private final Kernel k;
    private final PageFrames frames;
    private final ReclaimPolicy policy;
    private final boolean observe;
    private final boolean observeMarks;
    private final StorageCosts cost;
    private final Daemons daemons;
    private final int maxRaPages;
    private final int dirtyRatio;
    private final int dirtyBackgroundRatio;
    private final long periodNs;
    private final List<FileStats> files = new ArrayList<>();
    private final LongLongMap pages = new LongLongMap();
    private final LongLongMap shadows = new LongLongMap();
    /** The LRU domain of each shadow whose domain is not 0 ({@code pack_shadow()}'s memcg id and node). */
    private final LongLongMap shadowDomains = new LongLongMap();
    /**
     * Per xarray node (64 consecutive slots of a file, {@code XA_CHUNK_SHIFT} = 6): pages in
     * bits 0-7, shadows in bits 8-15, and above them the stamp of its entry on
     * {@link #shadowNodeLru} while it holds shadows only.
     */
    private final LongLongMap xaNodes = new LongLongMap();
    /**
     * The memory cgroup each leaf xarray node of an ordinary file was charged to, for the nodes
     * that were charged ({@code XA_FLAGS_ACCOUNT}, see {@link #addPage}).
     */
    private final LongLongMap xaNodeMemcg = new LongLongMap();
    /** {@code shadow_nodes}: nodes that held only shadows when queued, oldest first (entries may be stale). */
    private long[] shadowNodeLru = new long[64];
    private long[] shadowNodeStamps = new long[64];
    private long lruStamp;
    private int lruHead;
    private int lruSize;
    /** {@code workingset_nodes}: nodes holding shadows and no page. */
    private long workingsetNodes;
    private final IntRing dirtyQueue = new IntRing();
    private final IntRing writebackQueue = new IntRing();
    private final int flusher;
    private long nrFilePages;
    private long nrDirty;
    private long nrWriteback;
    private boolean flushAll;
    /** The page reclaim holds off the LRU while it waits for its write, which is not rotated; -1 if none. */
    private int isolated = -1;
    private long nextPeriodicNs;

    public PageCache(Kernel kernel, StorageCosts cost, Daemons daemons, int readAheadKb, int dirtyRatio,
                     int dirtyBackgroundRatio, int writebackCentisecs) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.policy = kernel.reclaim;
        this.observe = kernel.reclaimObservesAccesses;
        this.observeMarks = !observe && kernel.reclaim.observesMarkAccessed();
        this.cost = cost;
        this.daemons = daemons;
        this.maxRaPages = readAheadKb / 4;
        this.dirtyRatio = dirtyRatio;
        this.dirtyBackgroundRatio = dirtyBackgroundRatio;
        this.periodNs = writebackCentisecs * 10_000_000L;
        this.nextPeriodicNs = periodNs;
        this.flusher = daemons.register(new Daemons.Daemon() {
            @Override
            public String name() {
                return "flush-8:0";
            }

            @Override
            public long run(long nowNs) {
                return flush(nowNs);
            }
        }, periodNs);
    }

    // ---------------------------------------------------------------- files

    /** Creates a file of {@code bytes} bytes (rounded up to pages); returns its id (from 1). */
    public int createFile(String name, long bytes) {
        long p = (bytes + 4095) >>> 12;
        if (p > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("file " + name + " of " + bytes + " bytes: page indices must fit 31 bits");
        }
        files.add(new FileStats(name, p, maxRaPages));
        return files.size();
    }

    /**
     * Creates a shmem file of {@code bytes} bytes ({@code memfd_create()} then {@code ftruncate()}:
     * only sized, no page yet); returns its id.
     */
    public int createShmemFile(String name, long bytes) {
        int id = createFile(name, bytes);
        file(id).shmem = true;
        return id;
    }

    /** The figures of file {@code id}. */
    public FileStats file(int id) {
        return files.get(id - 1);
    }

    /** Every file, in creation order. */
    public List<FileStats> files() {
        return files;
    }

    /** The stamp of a node's latest entry on {@link #shadowNodeLru} sits above its counts. */
    private static final int STAMP_SHIFT = 16;

    /** Adds {@code dPages} pages and {@code dShadows} shadows to the xarray node of {@code key} ({@code workingset_update_node()}). */
    private void updateNode(long key, int dPages, int dShadows) {
        long node = key >>> 6;
        long v = xaNodes.get(node, 0);
        boolean wasShadowOnly = (v & 0xff) == 0 && (v & 0xff00) != 0;
        v += dPages + ((long) dShadows << 8);
        boolean shadowOnly = (v & 0xff) == 0 && (v & 0xff00) != 0;
        if (shadowOnly && !wasShadowOnly) {
            // list_lru_add() at the tail; an older entry of this node in the queue is now stale
            workingsetNodes++;
            long stamp = ++lruStamp;
            v = (v & 0xffff) | (stamp << STAMP_SHIFT);
            enqueue(node, stamp);
        } else if (wasShadowOnly && !shadowOnly) {
            workingsetNodes--; // list_lru_del(): a page came back
            v &= 0xffff;
        }
        if (v == 0) {
            xaNodes.remove(node, 0);
            freeXaNode(node);
        } else {
            xaNodes.put(node, v);
        }
    }

    private void enqueue(long node, long stamp) {
        if (lruSize == shadowNodeLru.length && lruSize >= 2 * workingsetNodes + 64) {
            // mostly stale entries: drop them in place rather than grow
            int n = 0;
            int cap = shadowNodeLru.length - 1;
            for (int i = 0; i < lruSize; i++) {
                int at = (lruHead + i) & cap;
                long v = xaNodes.get(shadowNodeLru[at], 0);
                if ((v >>> STAMP_SHIFT) == shadowNodeStamps[at]) {
                    int to = (lruHead + n++) & cap;
                    shadowNodeLru[to] = shadowNodeLru[at];
                    shadowNodeStamps[to] = shadowNodeStamps[at];
                }
            }
            lruSize = n;
        }
        if (lruSize == shadowNodeLru.length) {
            long[] grown = new long[lruSize * 2];
            long[] grownStamps = new long[lruSize * 2];
            for (int i = 0; i < lruSize; i++) {
                grown[i] = shadowNodeLru[(lruHead + i) & (lruSize - 1)];
                grownStamps[i] = shadowNodeStamps[(lruHead + i) & (lruSize - 1)];
            }
            shadowNodeLru = grown;
            shadowNodeStamps = grownStamps;
            lruHead = 0;
        }
        int at = (lruHead + lruSize) & (shadowNodeLru.length - 1);
        shadowNodeLru[at] = node;
        shadowNodeStamps[at] = stamp;
        lruSize++;
    }

    /** True if slot {@code index} of {@code file} holds a shadow entry. */
    public boolean hasShadow(int file, long index) {
        return shadows.get(key(file, index), Long.MIN_VALUE) != Long.MIN_VALUE;
    }

    /** {@code workingset_nodes}: xarray nodes that hold shadow entries and no page. */
    public long workingsetNodes() {
        return workingsetNodes;
    }

    /**
     * {@code count_shadow_nodes()} (mm/workingset.c): shadow-only nodes beyond
     * {@code node_present_pages >> (XA_CHUNK_SHIFT - 3)}, one node per 8 pages of the node
     * holding the page cache (the kernel's bound without a memcg; the page cache lives on node 0 here).
     */
    public long excessShadowNodes() {
        long maxNodes = (long) (frames.nodeEndPfn(0) - frames.nodeStartPfn(0)) >> 3;
        return Math.max(0, workingsetNodes - maxNodes);
    }

    /**
     * {@code scan_shadow_nodes()}/{@code shadow_lru_isolate()}: frees up to {@code nr} of the
     * oldest shadow-only nodes with every shadow entry in them, counting
     * {@code workingset_nodereclaim} for each; returns the nodes freed.
     */
    public long reclaimShadowNodes(long nr) {
        long freed = 0;
        while (freed < nr && lruSize > 0) {
            long node = shadowNodeLru[lruHead];
            long stamp = shadowNodeStamps[lruHead];
            lruHead = (lruHead + 1) & (shadowNodeLru.length - 1);
            lruSize--;
            long v = xaNodes.get(node, 0);
            if ((v >>> STAMP_SHIFT) != stamp || (v & 0xff) != 0 || (v & 0xff00) == 0) {
                continue; // a stale entry: the node took a page since, and was queued again if it lost it
            }
            for (long key = node << 6; key < (node + 1) << 6; key++) {
                shadows.remove(key, Long.MIN_VALUE);
                shadowDomains.remove(key, 0);
            }
            xaNodes.remove(node, 0);
            freeXaNode(node);
            workingsetNodes--;
            k.vmstat.count(VmEvent.WORKINGSET_NODERECLAIM);
            freed++;
        }
        return freed;
    }

    /** The {@code workingset_shadow} shrinker ({@code "mm-shadow"}) over {@link #excessShadowNodes}. */
    public io.vmsim.core.shrinker.Shrinker shadowShrinker() {
        return new io.vmsim.core.shrinker.Shrinker() {
            @Override
            public String name() {
                return "mm-shadow";
            }

            @Override
            public int seeks() {
                // Linux 4.x's DEFAULT_SEEKS, the version ShrinkerRegistry follows (5.0+ has seeks 0: freeable / 2)
                return io.vmsim.core.shrinker.ShrinkerRegistry.DEFAULT_SEEKS;
            }

            @Override
            public long countObjects() {
                return excessShadowNodes();
            }

            @Override
            public long scanObjects(long nr) {
                return reclaimShadowNodes(nr);
            }
        };
    }

    private static long key(int file, long index) {
        return ((long) file << 32) | index;
    }

    /** The cached page of {@code (file, index)}, or -1 ({@code filemap_get_folio()}). */
    public int lookup(int file, long index) {
        return (int) pages.get(key(file, index), -1);
    }

    /**
     * The cached page of {@code (file, index)} that fault-around may map, or -1
     * ({@code next_uptodate_folio()} in mm/filemap.c): not the page carrying the pending
     * {@code PG_readahead} marker, which is left for {@code filemap_fault()} to meet and start the
     * next readahead window.
     */
    public int lookupForMapPages(int file, long index) {
        FileStats f = files.get(file - 1);
        if (maxRaPages > 0 && !f.random && f.raSize > 0 && f.raAsync > 0 && index == (long) f.raStart + f.raSize - f.raAsync) {
            return -1;
        }
        return lookup(file, index);
    }

    // ---------------------------------------------------------------- read and write

    /** {@code read()} of page {@code index} of {@code file} by a task of {@code mm} on {@code cpu}. */
    public void read(Mm mm, int cpu, int file, long index) {
        FileStats f = checkIndex(file, index);
        k.currentMm = mm;
        f.reads++;
        int pfn = lookup(file, index);
        if (pfn >= 0) {
            hit(f, pfn);
        } else if (f.shmem) {
            // shmem_file_read_iter() with SGP_READ: a hole reads as zeros and stays a hole
            f.misses++;
        } else {
            miss(f, file, index, cpu);
            pfn = lookup(file, index);
            if (pfn >= 0 && !observe && !observeMarks) {
                // filemap_read() marks the page it copies from accessed, read from storage or not:
                // the first of Linux's two steps (recorded on Linux 6.18: a read() miss plus one
                // later mark is active, conformance/flags/pagecache-marks.json). A policy that observes uses heard of this
                // reference from pageAdded and hears nothing more (one reference, one report).
                mark(pfn);
            }
        }
        asyncReadahead(f, file, index, cpu);
        f.prevIndex = index;
        k.clock.advance(k.cost.copy4kPs); // copy_page_to_iter()
    }

    /**
     * Finds or reads page {@code index} of {@code file} for a page fault; a miss counts as a
     * major fault's I/O (the caller counts {@code pgmajfault}). Returns the page, and in
     * {@code hit[0]} whether it came without I/O (a hit, or a new page of a shmem file).
     */
    public int faultIn(Mm mm, int cpu, int file, long index, boolean[] hit) {
        FileStats f = checkIndex(file, index);
        k.currentMm = mm;
        int pfn = lookup(file, index);
        hit[0] = pfn >= 0;
        if (pfn >= 0) {
            f.hits++;
            k.vmstat.count(VmEvent.PAGECACHE_HIT);
        } else if (f.shmem) {
            // shmem_get_folio_gfp(): a new zeroed page, no I/O, so no major fault
            f.misses++;
            k.vmstat.count(VmEvent.PAGECACHE_MISS);
            k.clock.advance(k.cost.zero4kPs);
            addPage(file, index, cpu, ADDED_BY_USE);
            hit[0] = true;
            return lookup(file, index);
        } else {
            readAround(f, file, index, cpu);
        }
        asyncReadahead(f, file, index, cpu);
        f.prevIndex = index;
        pfn = lookup(file, index);
        for (int tries = 0; pfn < 0 && tries < 8; tries++) {
            // reclaim for a later readahead page took this one back: read it alone
            readRange(f, file, index, 1, cpu, true);
            pfn = lookup(file, index);
        }
        if (pfn < 0) {
            throw new WorkloadException("page " + index + " of file " + f.name + " is evicted as fast as it is read");
        }
        return pfn;
    }

    /** {@code write()} of the whole page {@code index} of {@code file}. */
    public void write(Mm mm, int cpu, int file, long index) {
        FileStats f = checkIndex(file, index);
        k.currentMm = mm;
        f.writes++;
        int pfn = lookup(file, index);
        if (pfn < 0) {
            // a full-page write needs no read, and leaves the new page unmarked: on Linux 6.18 a
            // write() miss plus one later mark is PG_referenced, not active
            // (conformance/flags/pagecache-marks.json, a file on ext4). The policy hears
            // pageAddedByWrite. A tmpfs write miss is marked like a read miss
            // (conformance/flags/pagecache-marks-tmpfs.json): pageAdded.
            pfn = addPage(file, index, cpu, f.shmem ? ADDED_BY_USE : ADDED_BY_WRITE);
        } else {
            touch(pfn, true);
        }
        if (!f.shmem && !frames.test(pfn, PageFrames.PG_PRIVATE)) {
            // write_begin holds the folio locked and referenced: the reclaim the buffer head's
            // charge may start cannot take the page being written
            frames.addRefcount(pfn, 1);
            try {
                createEmptyBuffers(mm, cpu, pfn);
            } finally {
                frames.addRefcount(pfn, -1);
            }
        }
        markDirty(pfn);
        // copy_page_from_iter_atomic() and the rest of generic_perform_write()'s work on the page
        k.clock.advance(k.cost.copy4kPs + k.cost.writePagePs);
        balanceDirtyPages();
    }

    /**
     * {@code create_empty_buffers()} from {@code block_write_begin()} (fs/buffer.c, Linux 6.18): a
     * page of a disk file written for the first time gets its buffer head (one 4 KiB block),
     * charged to the page's memory cgroup ({@code folio_alloc_buffers()}: {@code __GFP_ACCOUNT}
     * under {@code set_active_memcg(folio_memcg())}). vmsim charges it when the writer's group
     * is the page's, which it is for a page the write added; a page another group brought in is
     * given uncharged buffers.
     */
    private void createEmptyBuffers(Mm mm, int cpu, int pfn) {
        frames.set(pfn, PageFrames.PG_PRIVATE);
        int memcg = k.hooks.memcgOf(pfn);
        if (memcg == 0 || mm == null || mm.memcg != memcg
                || k.hooks.chargeSlabObject(mm, AccountedSlabs.BUFFER_HEAD, cpu) == 0) {
            frames.clear(pfn, PageFrames.PG_PRIVATE); // not charged (no group, or cgroup.memory=nokmem)
        }
    }

    /**
     * {@code try_to_free_buffers()} before a page with buffers leaves the cache (reclaim's
     * {@code filemap_release_folio()}, truncation's {@code block_invalidate_folio()}): the buffer
     * head goes back to the object stock of the freeing task's CPU ({@code refill_obj_stock()}).
     */
    private void freeBuffers(int pfn) {
        if (frames.test(pfn, PageFrames.PG_PRIVATE)) {
            frames.clear(pfn, PageFrames.PG_PRIVATE);
            k.hooks.unchargeSlabObject(k.hooks.memcgOf(pfn), AccountedSlabs.BUFFER_HEAD,
                    k.currentMm != null ? k.currentMm.cpu : 0);
        }
    }

    /**
     * {@code xas_store()} in {@code __filemap_add_folio()} needs a new leaf node of the file's
     * xarray: {@code xas_alloc()} under the lock with {@code GFP_NOWAIT}, then {@code xas_nomem()}
     * with reclaim; every page cache's {@code i_pages} has {@code XA_FLAGS_ACCOUNT}
     * ({@code address_space_init_once()}), so the node is charged to the adding task's group. The
     * interior nodes above the leaves (one per 4096 pages) are not modelled. shmem files are left
     * out here: their objects' nodes are charged where their pages are added.
     */
    private void allocXaNode(long node, int cpu) {
        int memcg = k.hooks.chargeSlabObjectNowaitFirst(k.currentMm, AccountedSlabs.RADIX_TREE_NODE, cpu);
        if (memcg != 0) {
            xaNodeMemcg.put(node, memcg);
        }
    }

    /** A leaf node left the xarray: {@code xa_node_free()} frees it after an RCU grace period. */
    private void freeXaNode(long node) {
        int memcg = (int) xaNodeMemcg.remove(node, 0);
        if (memcg != 0) {
            k.hooks.unchargeSlabObjectRcu(memcg, AccountedSlabs.RADIX_TREE_NODE, k.currentMm != null ? k.currentMm.cpu : 0);
        }
    }

    private FileStats checkIndex(int file, long index) {
        FileStats f = file(file);
        if (index < 0 || index >= f.sizePages) {
            throw new WorkloadException("page " + index + " is beyond the end of file " + f.name + " (" + f.sizePages + " pages)");
        }
        return f;
    }

    private void hit(FileStats f, int pfn) {
        f.hits++;
        k.vmstat.count(VmEvent.PAGECACHE_HIT);
        touch(pfn, false);
    }

    /**
     * {@code folio_mark_accessed()}: the access callback for policies that see every access,
     * the mark-accessed callback for those that want it, PG_referenced (reported by
     * testAndClearYoung) for the others.
     */
    private void touch(int pfn, boolean write) {
        if (!frames.test(pfn, PageFrames.PG_LRU)) {
            mark(pfn);
        } else if (observe) {
            policy.pageAccessed(pfn, write);
        } else if (observeMarks) {
            policy.pageMarkedAccessed(pfn);
        } else {
            mark(pfn);
        }
    }

    /**
     * The two steps of {@code folio_mark_accessed()} for policies that scan: the first use sets
     * PG_referenced, the next one (where Linux activates the page) makes it young, so a page read
     * once, such as a use-once stream page, does not look used again.
     */
    private void mark(int pfn) {
        if (frames.test(pfn, PageFrames.PG_REFERENCED)) {
            frames.set(pfn, PageFrames.PG_YOUNG);
        } else {
            frames.set(pfn, PageFrames.PG_REFERENCED);
        }
    }

    private void miss(FileStats f, int file, long index, int cpu) {
        countMiss(f, file, index);
        boolean sequential = index == 0 || index == f.prevIndex + 1;
        int size = 1;
        if (f.raPages > 0 && sequential && !f.random) {
            size = Math.min(INIT_RA_PAGES, f.raPages);
            f.raStart = (int) index;
            f.raSize = size;
            f.raAsync = size - 1;
        }
        int read = readRange(f, file, index, size, cpu, true);
        k.clock.advance(cost.requestPs(read));
    }

    /**
     * A page fault's miss: {@code do_sync_mmap_readahead()}'s read-around (mm/filemap.c, Linux
     * 6.18): unless readahead is off or the file is read randomly, the window of
     * {@code ra_pages} (block.read_ahead_kb) pages centred on the fault, {@code ra->start =
     * max(0, index - ra_pages / 2)}, is read in one request with its last quarter as the async
     * part (the {@code PG_readahead} marker at {@code start + size - size / 4}), clamped to the
     * file. The faulting page is the one asked for; the others arrive unreferenced. Not modelled:
     * the {@code mmap_miss} counter that stops read-around after many misses, and the
     * {@code VM_SEQ_READ}/{@code VM_HUGEPAGE} variants.
     */
    private void readAround(FileStats f, int file, long index, int cpu) {
        countMiss(f, file, index);
        int ra = f.raPages;
        if (ra == 0 || f.random) {
            k.clock.advance(cost.requestPs(readRange(f, file, index, 1, cpu, true)));
            return;
        }
        long start = Math.max(0, index - ra / 2);
        f.raStart = (int) start;
        f.raSize = ra;
        f.raAsync = ra / 4;
        // in index order, as page_cache_ra_unbounded() adds them
        int read = readRange(f, file, start, (int) (index - start), cpu, false);
        read += readRange(f, file, index, 1, cpu, true);
        read += readRange(f, file, index + 1, (int) (start + ra - index - 1), cpu, false);
        k.clock.advance(cost.requestPs(read));
    }

    /** Counts a miss of {@code (file, index)}: a cold one unless a shadow entry remembers the page. */
    private void countMiss(FileStats f, int file, long index) {
        f.misses++;
        if (shadows.get(key(file, index), Long.MIN_VALUE) == Long.MIN_VALUE) {
            f.coldMisses++;
        }
        k.vmstat.count(VmEvent.PAGECACHE_MISS);
    }

    /** Reaching the window's marker starts the next window in the background ({@code page_cache_async_ra()}). */
    private void asyncReadahead(FileStats f, int file, long index, int cpu) {
        int maxRa = f.raPages;
        if (maxRa == 0 || f.random || f.raSize == 0 || f.raAsync == 0 || index != (long) f.raStart + f.raSize - f.raAsync) {
            return;
        }
        f.raStart += f.raSize;
        int cur = f.raSize;
        f.raSize = cur < maxRa / 16 ? 4 * cur : cur <= maxRa / 2 ? 2 * cur : maxRa;
        f.raSize = Math.min(f.raSize, maxRa);
        f.raAsync = f.raSize;
        if (f.raStart < f.sizePages) {
            // The reader does not wait for it, but the one simulated device is busy for it, and
            // the reader soon reaches those pages: the I/O is charged to simulated time.
            int read = readRange(f, file, f.raStart, f.raSize, cpu, false);
            if (read > 0) {
                k.clock.advance(cost.requestPs(read));
            }
        }
    }

    /**
     * Reads the missing pages of {@code [start, start+n)} within the file; returns how many were
     * read. Pages other than a requested first page count as readahead.
     */
    int readRange(FileStats f, int file, long start, int n, int cpu, boolean firstRequested) {
        int read = 0;
        long end = Math.min(f.sizePages, start + n);
        for (long i = start; i < end; i++) {
            if (lookup(file, i) >= 0) {
                continue;
            }
            boolean requested = i == start && firstRequested;
            addPage(file, i, cpu, requested ? ADDED_BY_USE : ADDED_UNREFERENCED);
            read++;
            if (!requested) {
                f.readahead++;
                k.vmstat.count(VmEvent.READAHEAD_PAGES);
            }
        }
        k.vmstat.add(VmEvent.PGPGIN, 4L * read);
        return read;
    }

    /**
     * {@code filemap_add_folio()}: allocates a page (which may reclaim, or kill), inserts it and
     * puts it on the LRU; a shadow left by its eviction is handed back to the policy first. A
     * page read because it was asked for is referenced ({@code pageAdded}); a page a whole-page
     * {@code write()} brought in is a reference Linux marks nothing for ({@code pageAddedByWrite});
     * a readahead page is not referenced ({@code pageAddedUnreferenced}: Linux adds it without
     * PG_referenced).
     */
    /** {@link #addPage}: a page a read (or a fault) asked for: {@code pageAdded}. */
    private static final int ADDED_BY_USE = 0;
    /** {@link #addPage}: a page a whole-page {@code write()} brought in: {@code pageAddedByWrite}. */
    private static final int ADDED_BY_WRITE = 1;
    /** {@link #addPage}: a readahead page: {@code pageAddedUnreferenced}. */
    private static final int ADDED_UNREFERENCED = 2;

    private int addPage(int file, long index, int cpu, int how) {
        k.hooks.beforeUserAlloc(k.currentMm, 1, cpu);
        // filemap_alloc_folio(): the task's policy, interleaving by il_prev (mempolicy, issue 10)
        int pfn = k.allocPagesMpol(Gfp.GFP_HIGHUSER_MOVABLE, 0, cpu, k.pageCacheNode(cpu));
        if (pfn < 0) {
            throw new WorkloadException("out of memory reading page " + index + " of file " + file(file).name
                    + ": reclaim made no progress and the OOM killer found nothing to kill");
        }
        frames.set(pfn, file(file).shmem ? PageFrames.PG_FILE | PageFrames.PG_SWAPBACKED : PageFrames.PG_FILE);
        frames.setMapping(pfn, file);
        frames.setIndex(pfn, (int) index);
        frames.setRefcount(pfn, 1);
        frames.setMapcount(pfn, 0);
        long key = key(file, index);
        pages.put(key, pfn);
        nrFilePages++;
        file(file).resident++;
        k.hooks.charge(pfn, 1, k.currentMm); // the page cache is charged to the reader's memory cgroup
        frames.set(pfn, PageFrames.PG_LRU);
        long shadow = shadows.remove(key, Long.MIN_VALUE);
        int domain = (int) shadowDomains.remove(key, 0);
        if (!file(file).shmem && xaNodes.get(key >>> 6, 0) == 0) {
            allocXaNode(key >>> 6, cpu);
        }
        updateNode(key, 1, shadow != Long.MIN_VALUE ? -1 : 0);
        if (shadow != Long.MIN_VALUE) {
            // workingset_refault(), before folio_add_lru() as in filemap_add_folio()
            file(file).refaults++;
            k.vmstat.count(VmEvent.WORKINGSET_REFAULT_FILE);
            k.reclaim.pageRefaulted(pfn, shadow, domain);
        }
        switch (how) {
            case ADDED_BY_USE -> policy.pageAdded(pfn, false);
            case ADDED_BY_WRITE -> policy.pageAddedByWrite(pfn);
            default -> policy.pageAddedUnreferenced(pfn, false);
        }
        return pfn;
    }

    /** Migration: the cache slot of {@code from}'s page now holds {@code to}. */
    public void replace(int from, int to) {
        long key = key(frames.mapping(to), frames.index(to) & 0xffffffffL);
        if (pages.get(key, -1) != from) {
            throw new IllegalStateException("PFN " + from + " is not the cached page of the slot PFN " + to + " names");
        }
        pages.put(key, to);
    }

    // ---------------------------------------------------------------- eviction

    /**
     * {@code __remove_mapping()}: takes a clean, unmapped page out of the cache, leaves
     * {@code shadow} in its slot and frees it. The caller took it off the LRU.
     */
    public void evict(int pfn, long shadow) {
        evict(pfn, shadow, 0);
    }

    /** As {@link #evict(int, long)}, the shadow carrying the LRU domain the page was evicted from. */
    public void evict(int pfn, long shadow, int domain) {
        int file = frames.mapping(pfn);
        long key = key(file, frames.index(pfn) & 0xffffffffL);
        pages.remove(key, -1);
        shadows.put(key, shadow);
        if (domain != 0) {
            shadowDomains.put(key, domain);
        }
        updateNode(key, -1, 1);
        nrFilePages--;
        file(file).resident--;
        freeBuffers(pfn);
        k.hooks.uncharge(pfn, 1);
        frames.setFlags(pfn, 0);
        frames.setRefcount(pfn, 0);
        frames.setMapcount(pfn, 0);
        frames.setMapping(pfn, 0);
        frames.setIndex(pfn, 0);
        k.allocator.freePages(pfn, 0, 0);
    }

    /**
     * {@code filemap_remove_folio()} and the last {@code folio_put()}, for truncation and
     * invalidation ({@link Truncate}, {@link Fadvise}): the page leaves the LRU and the cache and
     * is freed, leaving no shadow entry (only reclaim leaves one, {@code __remove_mapping()} with
     * {@code reclaimed}). A dirty page's dirt is cancelled ({@code folio_cancel_dirty()}). The
     * caller unmapped it and waited for its writeback.
     */
    void remove(int pfn) {
        if (frames.mapcount(pfn) != 0 || frames.refcount(pfn) != 1) {
            throw new IllegalStateException("page-cache PFN " + pfn + " is still mapped or pinned (mapcount "
                    + frames.mapcount(pfn) + ", refcount " + frames.refcount(pfn) + ")");
        }
        if (frames.test(pfn, PageFrames.PG_LRU)) {
            frames.clear(pfn, PageFrames.PG_LRU);
            policy.pageRemoved(pfn);
        }
        if (frames.test(pfn, PageFrames.PG_DIRTY)) {
            clean(pfn);
        }
        if (frames.test(pfn, PageFrames.PG_WRITEBACK)) {
            nrWriteback--;
        }
        int file = frames.mapping(pfn);
        long key = key(file, frames.index(pfn) & 0xffffffffL);
        pages.remove(key, -1);
        updateNode(key, -1, 0);
        nrFilePages--;
        file(file).resident--;
        freeBuffers(pfn);
        k.hooks.uncharge(pfn, 1);
        frames.setFlags(pfn, 0);
        frames.setRefcount(pfn, 0);
        frames.setMapping(pfn, 0);
        frames.setIndex(pfn, 0);
        k.allocator.freePages(pfn, 0, 0);
    }

    /** Drops the shadow entry in slot {@code (file, index)}, if any ({@code clear_shadow_entries()}). */
    void clearShadow(int file, long index) {
        long key = key(file, index);
        if (shadows.remove(key, Long.MIN_VALUE) != Long.MIN_VALUE) {
            shadowDomains.remove(key, 0);
            updateNode(key, 0, -1);
        }
    }

    /** {@code bdi->ra_pages}: the device's readahead window in pages ({@code block.read_ahead_kb} / 4). */
    int bdiRaPages() {
        return maxRaPages;
    }

    StorageCosts cost() {
        return cost;
    }

    /**
     * Writes page {@code pfn} back, its PTEs already cleaned by the caller ({@code folio_clear_dirty_for_io()}):
     * with {@code sync} ({@code WB_SYNC_ALL}) a write already in flight is waited for first and the
     * new one completes before the return; otherwise ({@code WB_SYNC_NONE}) a page under writeback
     * is skipped and a written one stays {@code PG_WRITEBACK} until {@code finishNs}, when the
     * flusher completes it. Returns true if the page was written (counts {@code nr_written} and
     * {@code pgpgout}; the caller charges the request).
     */
    boolean writePage(int pfn, boolean sync, long finishNs) {
        if (frames.test(pfn, PageFrames.PG_WRITEBACK)) {
            if (!sync) {
                return false;
            }
            endWriteback(pfn); // folio_wait_writeback(): I/O completes at once
        }
        if (!frames.test(pfn, PageFrames.PG_DIRTY)) {
            return false;
        }
        clean(pfn);
        if (!sync) {
            frames.set(pfn, PageFrames.PG_WRITEBACK);
            nrWriteback++;
            writebackQueue.add(pfn, finishNs);
            daemons.wake(flusher);
        }
        k.vmstat.add(VmEvent.PGPGOUT, 4);
        k.vmstat.count(VmEvent.NR_WRITTEN);
        return true;
    }

    /**
     * {@code folio_end_writeback()} (mm/filemap.c, Linux 6.18): a page reclaim marked PG_reclaim
     * loses the mark and, still on the LRU and clean, is rotated ({@code folio_rotate_reclaimable()}:
     * the tail of its inactive list, {@code pgrotated}), unless it is the victim reclaim holds now.
     */
    void endWriteback(int pfn) {
        if (frames.test(pfn, PageFrames.PG_WRITEBACK)) {
            frames.clear(pfn, PageFrames.PG_WRITEBACK);
            nrWriteback--;
            if (frames.test(pfn, PageFrames.PG_RECLAIM)) {
                frames.clear(pfn, PageFrames.PG_RECLAIM);
                int f = frames.flags(pfn);
                if (pfn != isolated && (f & (PageFrames.PG_LRU | PageFrames.PG_DIRTY | PageFrames.PG_UNEVICTABLE
                        | PageFrames.PG_MLOCKED)) == PageFrames.PG_LRU && policy.pageRotated(pfn)) {
                    k.vmstat.count(VmEvent.PGROTATED);
                }
            }
        }
    }

    /**
     * The completions of the page-cache writes whose time has come, as the block layer delivers
     * them: {@code folio_end_writeback()} runs from the bio's end_io when the device finishes
     * (interrupt context, Linux 6.18 {@code end_buffer_async_write()} in fs/buffer.c), not when the
     * flusher next runs. Reclaim calls this before it looks at the lists and before each page, as
     * it does for its swap writes ({@code SwapWriteback}), so that a page it marked PG_reclaim is
     * rotated to the inactive tail once its write is done whether or not a daemon has run since
     * (a replay that does not tick runs none). {@code victim}, the page reclaim holds off the LRU
     * now (-1 if none), loses PG_reclaim without being rotated.
     */
    public void completeWriteback(int victim) {
        if (writebackQueue.size() == 0 || writebackQueue.peekStamp() > k.clock.nanoTime()) {
            return;
        }
        isolated = victim;
        try {
            completeDue(k.clock.nanoTime());
        } finally {
            isolated = -1;
        }
    }

    /** Ends every write of the flusher whose completion ({@code nowNs}) has come. */
    private void completeDue(long nowNs) {
        while (writebackQueue.size() > 0 && writebackQueue.peekStamp() <= nowNs) {
            endWriteback(writebackQueue.poll());
        }
    }

    /**
     * {@code folio_wait_writeback()} by a memory cgroup's reclaim (shrink_folio_list()'s case 3,
     * cgroup v1) on page {@code pfn}, which it holds off the LRU: the clock advances to the
     * completion of the page's write (the caller pays the wait) and every write done by then
     * ends; {@code pfn} itself is not rotated.
     */
    public void waitForWriteback(int pfn) {
        if (!frames.test(pfn, PageFrames.PG_WRITEBACK)) {
            return;
        }
        isolated = pfn;
        try {
            long done = writebackQueue.stampOf(pfn);
            long now = k.clock.nanoTime();
            if (done > now) {
                k.clock.advance((done - now) * 1000);
            }
            completeDue(Math.max(done, now));
            endWriteback(pfn); // a write not in the queue (or completed with it)
        } finally {
            isolated = -1;
        }
    }

    /**
     * What {@code shrink_inactive_list()} does when every file page of a batch was dirty and not
     * yet queued for writeback (Linux 6.18): {@code wakeup_flusher_threads(WB_REASON_VMSCAN)},
     * whose flusher starts writing every dirty page (here at once, as the flusher would run while
     * the reclaimer sleeps), and, for {@code cgroup} reclaim without sane writeback throttling
     * (cgroup v1), {@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}: the reclaimer sleeps until
     * more than {@code SWAP_CLUSTER_MAX} writes have completed ({@code __acct_reclaim_writeback()})
     * or {@code HZ/10} (100 ms) has passed, and the writes done by then end.
     */
    public void wakeFlusherForReclaim(boolean throttle) {
        flushAll = true;
        daemons.wake(flusher);
        if (!throttle) {
            return;
        }
        long now = k.clock.nanoTime();
        flush(now);
        long until = now + RECLAIM_THROTTLE_TIMEOUT_NS;
        if (writebackQueue.size() > SWAP_CLUSTER_MAX) {
            until = Math.min(until, writebackQueue.stampAt(SWAP_CLUSTER_MAX));
        }
        k.clock.advance((until - now) * 1000);
        completeDue(until);
    }

    // ---------------------------------------------------------------- dirty pages and writeback

    /** {@code folio_mark_dirty()}: a clean page becomes dirty and joins the flusher's queue. */
    public void markDirty(int pfn) {
        if (frames.test(pfn, PageFrames.PG_DIRTY) || frames.test(pfn, PageFrames.PG_SWAPBACKED)) {
            return; // shmem: no writeback (its mapping cannot write back; its pages only swap)
        }
        frames.set(pfn, PageFrames.PG_DIRTY);
        nrDirty++;
        k.vmstat.count(VmEvent.NR_DIRTIED);
        dirtyQueue.add(pfn, 0);
    }


    /** {@code balance_dirty_pages()}, simplified as the class comment says. */
    public void balanceDirtyPages() {
        long dirtyable = k.allocator.freePages() + nrFilePages;
        long bg = dirtyable * dirtyBackgroundRatio / 100;
        long thresh = dirtyable * dirtyRatio / 100;
        long dirty = nrDirty + nrWriteback;
        if (dirty > bg) {
            daemons.wake(flusher);
        }
        if (dirty > thresh) {
            long target = (thresh + bg) / 2;
            long n = 0;
            while (nrDirty > 0 && nrDirty + nrWriteback > target) {
                int pfn = nextDirty();
                if (pfn < 0) {
                    break;
                }
                clean(pfn);
                n++;
            }
            k.vmstat.count(VmEvent.DIRTY_THROTTLE);
            k.vmstat.add(VmEvent.PGPGOUT, 4 * n);
            k.vmstat.add(VmEvent.NR_WRITTEN, n);
            k.clock.advance(cost.requestPs(n));
        }
    }

    /** The next page of the dirty queue that is still a dirty page-cache page, or -1. */
    private int nextDirty() {
        while (dirtyQueue.size() > 0) {
            int pfn = dirtyQueue.poll();
            if ((frames.flags(pfn) & (PageFrames.PG_FILE | PageFrames.PG_DIRTY)) == (PageFrames.PG_FILE | PageFrames.PG_DIRTY)) {
                return pfn;
            }
        }
        return -1;
    }

    private void clean(int pfn) {
        frames.clear(pfn, PageFrames.PG_DIRTY);
        nrDirty--;
    }

    /** The flusher's step: completes finished requests, then starts background or periodic writeback. */
    private long flush(long nowNs) {
        completeDue(nowNs);
        long dirtyable = k.allocator.freePages() + nrFilePages;
        long bg = dirtyable * dirtyBackgroundRatio / 100;
        boolean periodic = nowNs >= nextPeriodicNs;
        if (periodic) {
            nextPeriodicNs = nowNs + periodNs;
        }
        long goal = periodic || flushAll ? nrDirty : Math.max(0, nrDirty + nrWriteback - bg);
        flushAll = false;
        long done = nowNs;
        while (goal > 0) {
            int n = 0;
            long finish = done + cost.requestPs(Math.min(goal, WRITEBACK_CHUNK)) / 1000;
            while (n < WRITEBACK_CHUNK && goal > 0) {
                int pfn = nextDirty();
                if (pfn < 0) {
                    goal = 0;
                    break;
                }
                clean(pfn);
                if (!frames.test(pfn, PageFrames.PG_WRITEBACK)) {
                    // a page re-dirtied under writeback joins the request already in flight
                    frames.set(pfn, PageFrames.PG_WRITEBACK);
                    nrWriteback++;
                    writebackQueue.add(pfn, finish);
                }
                n++;
                goal--;
            }
            k.vmstat.add(VmEvent.PGPGOUT, 4L * n);
            k.vmstat.add(VmEvent.NR_WRITTEN, n);
            done = finish;
        }
        long next = nextPeriodicNs - nowNs;
        if (writebackQueue.size() > 0) {
            next = Math.min(next, writebackQueue.peekStamp() - nowNs);
        }
        return Math.max(1, next);
    }

    // ---------------------------------------------------------------- figures

    /** NR_FILE_PAGES. */
    public long nrFilePages() {
        return nrFilePages;
    }

    /** NR_FILE_DIRTY. */
    public long nrDirty() {
        return nrDirty;
    }

    /** NR_WRITEBACK. */
    public long nrWriteback() {
        return nrWriteback;
    }

    /** Shadow entries held in the cache's slots. */
    public long nrShadows() {
        return shadows.size();
    }

    /** Checks that every cached page is a PG_FILE frame that names its slot, and the counters. */
    public void verify() {
        long n = 0;
        long dirty = 0;
        long wb = 0;
        for (int pfn = 0; pfn < frames.nrFrames(); pfn++) {
            if (!frames.sectionPresent(pfn)) {
                pfn = PageFrames.nextSectionPfn(pfn) - 1;
                continue;
            }
            if (!frames.test(pfn, PageFrames.PG_FILE)) {
                continue;
            }
            n++;
            if (lookup(frames.mapping(pfn), frames.index(pfn) & 0xffffffffL) != pfn) {
                throw new IllegalStateException("PFN " + pfn + " is PG_FILE but not in the page cache slot it names");
            }
            if ((frames.index(pfn) & 0xffffffffL) >= file(frames.mapping(pfn)).sizePages) {
                throw new IllegalStateException("page-cache PFN " + pfn + " holds page " + (frames.index(pfn) & 0xffffffffL)
                        + " of file " + file(frames.mapping(pfn)).name + ", past its end (" + file(frames.mapping(pfn)).sizePages
                        + " pages): truncation must remove it");
            }
            if (frames.refcount(pfn) != 1 + frames.mapcount(pfn) || frames.mapcount(pfn) < 0) {
                throw new IllegalStateException("page-cache PFN " + pfn + " has refcount " + frames.refcount(pfn)
                        + " and mapcount " + frames.mapcount(pfn));
            }
            dirty += frames.test(pfn, PageFrames.PG_DIRTY) ? 1 : 0;
            wb += frames.test(pfn, PageFrames.PG_WRITEBACK) ? 1 : 0;
        }
        long perFile = 0;
        for (FileStats f : files) {
            perFile += f.resident;
        }
        if (n != nrFilePages || n != pages.size() || n != perFile || dirty != nrDirty || wb != nrWriteback) {
            throw new IllegalStateException("page cache: counted " + nrFilePages + " pages (" + perFile + " by file), "
                    + nrDirty + " dirty, "
                    + nrWriteback + " under writeback; found " + n + " (" + pages.size() + " indexed), " + dirty + ", " + wb);
        }
    }
}
