package io.vmsim.core.debug;

import io.vmsim.api.VmaFlags;
import io.vmsim.api.policy.Policy;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.swap.SwapSpace;
import io.vmsim.core.trace.LongIntHashMap;
import io.vmsim.core.vmscan.Reclaim;

import java.util.List;

/**
 * The simulator's {@code CONFIG_DEBUG_VM}: a full check of the machine's frame, page-table,
 * reverse-map, LRU, memcg and swap bookkeeping against each other, run between references
 * ({@code vmsim.debug_checks}, every {@code vmsim.debug_checks_interval} references and at the
 * end of every phase). The first broken invariant is thrown as an {@link IllegalStateException}
 * naming the PFN, address, process and the expected and found values.
 *
 * <p>What is checked, in order:
 * <ol>
 *   <li>the buddy allocator: free lists, {@code nr_free}, {@code NR_FREE_PAGES} and per-CPU
 *       counts of every zone ({@code PageAllocator.verify()});</li>
 *   <li>each live mm's page-table tree: every table is an allocated {@code PG_PGTABLE} frame
 *       linked once, the tables per level and the deposited tables match the mm's counters, each
 *       huge PMD has one deposited table under its PMD table, every present entry lies in a VMA
 *       and maps an allocated anonymous or page-cache frame (the zero pages and hugetlb pages
 *       aside), and {@code MM_ANONPAGES}, {@code MM_FILEPAGES} and {@code MM_SWAPENTS} equal
 *       what the tables hold;</li>
 *   <li>every frame: its mapcount counts exactly the PTEs that map it, a THP's entire mapcount
 *       its PMDs, its refcount its mappings (a page-cache page one more), an anonymous page is
 *       mapped or in the swap cache, no allocated frame is owned by nothing, every
 *       {@code PG_PGTABLE} frame is in a tree, and an rmap walk from the frame finds as many
 *       entries as map it, each in a live mm and a VMA holding its address;</li>
 *   <li>{@code NR_ANON_MAPPED}, {@code NR_ANON_THPS}, the page-table page count, the pages on
 *       the LRU against the reclaim policies' sizes, and each memory cgroup's
 *       {@code current}, {@code anon} and {@code file} against the frames charged to it;</li>
 *   <li>shmem: each shmem object belongs to live shared anonymous areas, and each of its slots
 *       holds an order-0 anonymous frame of the object at that index (counted in the frame's
 *       refcount, held by no other slot) or a swap entry;</li>
 *   <li>swap: each slot's count equals the swap PTEs and shmem slots holding it, no slot is counted without
 *       one, each swap-cache page is the page of its slot; then the page cache, swap and policy
 *       checks of {@code Reclaim.verify()} and each policy's {@code verifyInvariants()}.</li>
 * </ol>
 */
public final class InvariantChecker {
    private final Kernel k;
    private final Reclaim reclaim;
    private final List<? extends Policy> policies;
    private final long interval;
    private long nextAt;
    private long checks;

    /**
     * @param interval check every this many references (at the caller's next safe point);
     *                 0 checks only when {@link #check} is called directly (at phase ends)
     */
    public InvariantChecker(Kernel kernel, List<? extends Policy> policies, long interval) {
        this.k = kernel;
        this.reclaim = Reclaim.of(kernel);
        this.policies = policies;
        this.interval = interval;
        this.nextAt = interval > 0 ? interval : Long.MAX_VALUE;
    }

    /** Number of full checks made so far. */
    public long checks() {
        return checks;
    }

    /** At a safe point after {@code refs} references: checks if the interval has passed. */
    public void maybeCheck(long refs, String where) {
        if (refs >= nextAt) {
            nextAt = refs + interval;
            check(where + " after " + refs + " references");
        }
    }

    /** Checks every invariant; throws {@link IllegalStateException} naming the first broken one. */
    public void check(String where) {
        checks++;
        try {
            new Pass().run();
            k.ksm.verify(); // KSM (issue 11): counters against trees
        } catch (IllegalStateException e) {
            throw new IllegalStateException("vmsim.debug_checks (" + where + "): " + e.getMessage(), e);
        }
    }

    private static IllegalStateException fail(String msg) {
        return new IllegalStateException(msg);
    }

    private static String hex(long a) {
        return "0x" + Long.toHexString(a);
    }

    private static String who(Mm mm) {
        return "mm " + mm.id() + " (pid " + mm.pid + (mm.comm.isEmpty() ? "" : " " + mm.comm) + ")";
    }

    /** One full check: the counts the page tables imply, then the frames against them. */
    private final class Pass {
        final PageFrames f = k.frames;
        final int n = f.nrFrames();
        /** PTEs (level 1) mapping each frame. */
        final int[] pteMaps = new int[n];
        /** Huge PMDs mapping each THP head. */
        final int[] pmdMaps = new int[n];
        /** hugetlb leaves (PMD or PUD) mapping each hugetlb page. */
        final int[] hugetlbMaps = new int[n];
        /** Tables met in the trees (linked or deposited). */
        final boolean[] seenTable = new boolean[n];
        /** Shmem objects' slots holding each frame (0 or 1). */
        final int[] shmemHeld = new int[n];
        /** Swap PTEs and shmem slots holding each swap entry. */
        final LongIntHashMap swapRefs = new LongIntHashMap(1024);
        long swapPtes;
        long tablesSeen;
        final SwapSpace swap = reclaim == null ? null : reclaim.swap();
        final boolean gigantic = k.huge instanceof io.vmsim.core.ThpSubsystem t && t.hugetlb().pool1g().total() > 0;

        void run() {
            k.allocator.verify();
            for (Mm mm : k.mms()) {
                if (mm.pgd() >= 0) {
                    vmaFlags(mm);
                    walkMm(mm);
                }
            }
            shmemObjects();
            frames();
            swapSlots();
            if (reclaim != null) {
                reclaim.verify();
            }
            for (Policy p : policies) {
                p.verifyInvariants();
            }
        }

        /**
         * Every permission of an area has its VM_MAY* bit (mprotect() cannot add one without it,
         * and mmap() of a read-only descriptor withholds VM_MAYWRITE), and VM_SHARED implies
         * VM_MAYSHARE.
         */
        void vmaFlags(Mm mm) {
            for (io.vmsim.core.mm.Vma v : mm.vmas()) {
                long fl = v.flags();
                long perms = fl & (io.vmsim.api.VmaFlags.VM_READ | io.vmsim.api.VmaFlags.VM_WRITE | io.vmsim.api.VmaFlags.VM_EXEC);
                if ((perms & ~(fl >>> 4)) != 0
                        || (v.has(io.vmsim.api.VmaFlags.VM_SHARED) && !v.has(io.vmsim.api.VmaFlags.VM_MAYSHARE))) {
                    throw fail(who(mm) + ": area " + v + " has a permission without its VM_MAY* flag");
                }
            }
        }

        // ------------------------------------------------------------ page tables

        long rssAnon;
        long rssFile;
        long swapEnts;
        long[] perLevel;
        long deposited;

        void walkMm(Mm mm) {
            rssAnon = 0;
            rssFile = 0;
            swapEnts = 0;
            perLevel = new long[6];
            deposited = 0;
            walk(mm, mm.pgd(), k.levels, 0L);
            for (int level = 1; level <= k.levels; level++) {
                if (perLevel[level] != mm.tablesAt(level)) {
                    throw fail(who(mm) + ": counts " + mm.tablesAt(level) + " page tables at level " + level
                            + " but its tree holds " + perLevel[level]);
                }
            }
            if (deposited != mm.depositedTables()) {
                throw fail(who(mm) + ": counts " + mm.depositedTables() + " deposited page tables but its PMD tables hold "
                        + deposited);
            }
            if (rssAnon != mm.rssAnon() || rssFile != mm.rssFile() || swapEnts != mm.swapEnts) {
                throw fail(who(mm) + ": counts MM_ANONPAGES " + mm.rssAnon() + ", MM_FILEPAGES " + mm.rssFile()
                        + ", MM_SWAPENTS " + mm.swapEnts + " but its page tables map " + rssAnon + ", " + rssFile
                        + " and hold " + swapEnts + " swap entries");
            }
        }

        void table(Mm mm, int pfn, int level, long base, String how) {
            if (pfn < 0 || pfn >= n || !f.test(pfn, PageFrames.PG_PGTABLE) || f.isFree(pfn)) {
                throw fail(who(mm) + ": " + how + " page table at level " + level + " for " + hex(base) + " is PFN " + pfn
                        + ", not an allocated page-table page");
            }
            if (seenTable[pfn]) {
                throw fail(who(mm) + ": page-table PFN " + pfn + " (level " + level + " at " + hex(base)
                        + ") is linked twice");
            }
            seenTable[pfn] = true;
            tablesSeen++;
        }

        void walk(Mm mm, int tablePfn, int level, long base) {
            table(mm, tablePfn, level, base, level == k.levels ? "the root" : "the");
            perLevel[level]++;
            long[] t = k.tables.table(tablePfn);
            long span = Pte.span(level);
            int hugePmds = 0;
            for (int i = 0; i < 512; i++) {
                long e = t[i];
                if (e == 0) {
                    continue;
                }
                long va = base + i * span;
                if (level > 1 && Pte.present(e) && !Pte.huge(e)) {
                    walk(mm, Pte.pfn(e), level - 1, va);
                    continue;
                }
                if (!Pte.present(e)) {
                    if (level == 1 && Pte.isSwap(e)) {
                        swapEnts++;
                        swapPtes++;
                        int c = swapRefs.get(Pte.swapSlot(e));
                        swapRefs.put(Pte.swapSlot(e), c == LongIntHashMap.MISSING ? 1 : c + 1);
                        continue;
                    }
                    throw fail(who(mm) + ": level-" + level + " entry at " + hex(va) + " is neither present nor a swap entry: "
                            + hex(e));
                }
                Vma vma = mm.findVma(va);
                if (vma == null) {
                    throw fail(who(mm) + ": level-" + level + " entry at " + hex(va) + " maps PFN " + Pte.pfn(e)
                            + " outside every VMA");
                }
                int pfn = Pte.pfn(e);
                if (pfn >= n) {
                    throw fail(who(mm) + ": entry at " + hex(va) + " maps PFN " + pfn + " beyond memory");
                }
                if (vma.has(VmaFlags.VM_HUGETLB)) {
                    if (level == 1) {
                        throw fail(who(mm) + ": hugetlb area maps " + hex(va) + " with a PTE");
                    }
                    allocated(mm, va, pfn);
                    hugetlbMaps[pfn]++;
                    continue;
                }
                if (level == 1) {
                    if (pfn == k.zeroPfn) {
                        continue;
                    }
                    allocated(mm, va, pfn);
                    if (f.test(pfn, PageFrames.PG_FILE)) {
                        rssFile++;
                    } else if (f.test(pfn, PageFrames.PG_ANON)) {
                        rssAnon++;
                    } else {
                        throw fail(who(mm) + ": PTE at " + hex(va) + " maps PFN " + pfn
                                + ", neither an anonymous nor a page-cache page (flags " + hex(f.flags(pfn)) + ")");
                    }
                    pteMaps[pfn]++;
                } else if (level == 2) {
                    hugePmds++;
                    if (pfn == k.hugeZeroPfn) {
                        continue;
                    }
                    allocated(mm, va, pfn);
                    if (!f.test(pfn, PageFrames.PG_HEAD) || !f.test(pfn, PageFrames.PG_ANON)) {
                        throw fail(who(mm) + ": huge PMD at " + hex(va) + " maps PFN " + pfn
                                + ", not the head of an anonymous huge page (flags " + hex(f.flags(pfn)) + ")");
                    }
                    rssAnon += Kernel.HPAGE_PMD_NR;
                    pmdMaps[pfn]++;
                } else {
                    throw fail(who(mm) + ": level-" + level + " leaf at " + hex(va) + " outside a hugetlb area");
                }
            }
            if (level == 2) {
                int d = 0;
                for (int dep = f.mapping(tablePfn) - 1; dep >= 0; dep = f.next(dep)) {
                    table(mm, dep, 1, base, "a deposited");
                    d++;
                    if (d > 512) {
                        throw fail(who(mm) + ": deposit list of PMD table PFN " + tablePfn + " loops");
                    }
                }
                if (d != hugePmds) {
                    throw fail(who(mm) + ": PMD table PFN " + tablePfn + " (" + hex(base) + ") holds " + hugePmds
                            + " huge PMDs but " + d + " deposited page tables");
                }
                deposited += d;
            }
        }

        void allocated(Mm mm, long va, int pfn) {
            if (f.isFree(pfn) || freeBlockTail(pfn) || k.allocator.uninitialised(pfn)) {
                throw fail(who(mm) + ": entry at " + hex(va) + " maps PFN " + pfn + ", which is free");
            }
        }

        boolean freeBlockTail(int pfn) {
            return f.flags(pfn) == 0 && f.refcount(pfn) == 0 && f.mapcount(pfn) == 0 && insideFreeBlock(pfn);
        }

        boolean insideFreeBlock(int pfn) {
            for (int order = 1; order <= io.vmsim.core.alloc.Zone.MAX_ORDER; order++) {
                int head = pfn & ~((1 << order) - 1);
                if (f.test(head, PageFrames.PG_BUDDY) && f.priv(head) >= order) {
                    return true;
                }
            }
            return false;
        }

        // ------------------------------------------------------------ frames

        void frames() {
            Rmap rmap = new Rmap(k);
            LruDomains lru = k.reclaim;
            long anon = 0;
            long thps = 0;
            long onLru = 0;
            long pgtables = 0;
            int nCg = lru.cgroups().size();
            long[] cgAnon = new long[nCg];
            long[] cgFile = new long[nCg];
            for (int pfn = 0; pfn < n; ) {
                if (!f.sectionPresent(pfn)) {
                    pfn = PageFrames.nextSectionPfn(pfn); // never touched: free
                    continue;
                }
                if (k.allocator.uninitialised(pfn)) {
                    pfn = (pfn | (io.vmsim.core.alloc.Zone.MAX_ORDER_NR_PAGES - 1)) + 1; // a free block never initialised
                    continue;
                }
                int fl = f.flags(pfn);
                if ((fl & PageFrames.PG_BUDDY) != 0) {
                    pfn += 1 << f.priv(pfn);
                    continue;
                }
                if ((fl & PageFrames.PG_PCP) != 0) {
                    pfn++;
                    continue;
                }
                if ((fl & PageFrames.PG_PGTABLE) != 0) {
                    pgtables++;
                    if (!seenTable[pfn]) {
                        throw fail("page-table PFN " + pfn + " is in no mm's tree (leaked)");
                    }
                    pfn++;
                    continue;
                }
                if ((fl & PageFrames.PG_HEAD) != 0 && (fl & PageFrames.PG_ANON) != 0) {
                    int head = pfn;
                    thps++;
                    anon += Kernel.HPAGE_PMD_NR;
                    long mappings = pmdMaps[head];
                    if (k.entireMapcount(head) != pmdMaps[head]) {
                        throw fail("THP PFN " + head + ": entire mapcount " + k.entireMapcount(head) + " but "
                                + pmdMaps[head] + " huge PMDs map it");
                    }
                    for (int i = 0; i < Kernel.HPAGE_PMD_NR; i++) {
                        int p = head + i;
                        if (i > 0 && (f.flags(p) & PageFrames.PG_TAIL) == 0) {
                            throw fail("THP PFN " + head + ": frame " + p + " is not a tail");
                        }
                        mapcount(p);
                        mappings += f.mapcount(p);
                        if (i > 0 && f.refcount(p) != 0) {
                            throw fail("THP PFN " + head + ": tail " + p + " has refcount " + f.refcount(p));
                        }
                        if (f.mapcount(p) > 0 || (i == 0 && pmdMaps[head] > 0)) {
                            rmapWalk(rmap, p, pteMaps[p] + pmdMaps[head]);
                        }
                    }
                    if (f.refcount(head) != mappings) {
                        throw fail("THP PFN " + head + ": refcount " + f.refcount(head) + " but " + mappings
                                + " mappings (" + pmdMaps[head] + " PMD, " + (mappings - pmdMaps[head]) + " PTE)");
                    }
                    if (mappings == 0 && (fl & PageFrames.PG_SWAPCACHE) == 0) {
                        throw fail("THP PFN " + head + " is mapped nowhere and not in the swap cache (leaked)");
                    }
                    onLru += lruAndCharge(head, fl, Kernel.HPAGE_PMD_NR, lru, cgAnon, cgFile);
                    pfn += Kernel.HPAGE_PMD_NR;
                    continue;
                }
                if ((fl & PageFrames.PG_ANON) != 0) {
                    anon++;
                    mapcount(pfn);
                    if (f.refcount(pfn) != f.mapcount(pfn) + shmemHeld[pfn]) {
                        throw fail("anonymous PFN " + pfn + ": refcount " + f.refcount(pfn) + " but mapcount " + f.mapcount(pfn)
                                + (shmemHeld[pfn] > 0 ? " and a shmem object's hold" : ""));
                    }
                    if (f.mapcount(pfn) == 0 && shmemHeld[pfn] == 0 && (fl & PageFrames.PG_SWAPCACHE) == 0) {
                        throw fail("anonymous PFN " + pfn + " is mapped nowhere and not in the swap cache (leaked)");
                    }
                    if (f.mapcount(pfn) > 0) {
                        rmapWalk(rmap, pfn, pteMaps[pfn]); // a KSM page's through its stable node (rmap_walk_ksm())
                    }
                    onLru += lruAndCharge(pfn, fl, 1, lru, cgAnon, cgFile);
                    pfn++;
                    continue;
                }
                if ((fl & PageFrames.PG_FILE) != 0) {
                    mapcount(pfn);
                    if (f.mapcount(pfn) > 0) {
                        rmapWalk(rmap, pfn, pteMaps[pfn]);
                    }
                    onLru += lruAndCharge(pfn, fl, 1, lru, cgAnon, cgFile);
                    pfn++;
                    continue;
                }
                if (hugetlbMaps[pfn] > 0 || f.mapcount(pfn) != 0) {
                    if (f.mapcount(pfn) != hugetlbMaps[pfn]) {
                        throw fail("hugetlb PFN " + pfn + ": mapcount " + f.mapcount(pfn) + " but " + hugetlbMaps[pfn]
                                + " leaves map it");
                    }
                }
                if (pteMaps[pfn] != 0) {
                    throw fail("PFN " + pfn + " is mapped by " + pteMaps[pfn] + " PTEs but is neither anonymous nor cached");
                }
                if ((fl & PageFrames.PG_LRU) != 0) {
                    throw fail("PFN " + pfn + " is on the LRU but neither anonymous nor cached (flags " + hex(fl) + ")");
                }
                if ((fl & PageFrames.PG_HEAD) != 0) {
                    pfn += 1 << k.allocator.compoundOrder(pfn);
                    continue;
                }
                if ((fl & ~PageFrames.PG_POLICY_MASK) == 0 && !insideFreeBlock(pfn)
                        && hugetlbMaps[pfn] == 0) {
                    leaked(pfn);
                }
                pfn++;
            }
            if (anon != k.nrAnonPages || thps != k.nrAnonThps) {
                throw fail("NR_ANON_MAPPED " + k.nrAnonPages + " and NR_ANON_THPS " + k.nrAnonThps + " but the frames hold "
                        + anon + " anonymous pages and " + thps + " huge pages");
            }
            if (pgtables != k.tables.nrTables() || pgtables != tablesSeen) {
                throw fail("page tables: " + k.tables.nrTables() + " counted, " + pgtables + " PG_PGTABLE frames, "
                        + tablesSeen + " in the trees");
            }
            if (onLru != lru.size()) {
                throw fail("LRU: " + onLru + " pages have PG_lru but the reclaim policies track " + lru.size());
            }
            for (MemCgroup cg : lru.cgroups()) {
                int id = cg.id();
                long stocked = lru.stock().stocked(cg);
                if (cg.anon != cgAnon[id] || cg.file != cgFile[id] || cg.current != cg.anon + cg.file + cg.kmem + stocked) {
                    throw fail("memory cgroup " + cg.name() + ": current " + cg.current + ", anon " + cg.anon + ", file "
                            + cg.file + ", kmem " + cg.kmem + ", stocked " + stocked + " but the frames charged to it hold "
                            + cgAnon[id] + " anon and " + cgFile[id] + " file pages");
                }
            }
        }

        void leaked(int pfn) {
            int gig = pfn & ~((1 << 18) - 1);
            if (gigantic && f.flags(gig) == 0 && (f.refcount(gig) > 0 || hugetlbMaps[gig] > 0)) {
                return; // inside a 1 GiB hugetlb page (not compound: its head alone holds the reference)
            }
            throw fail("PFN " + pfn + " is allocated (refcount " + f.refcount(pfn) + ") but held by nothing: no type flag, unmapped (leaked)");
        }

        /** PG_lru and the memcg charge of a page (folio head) of {@code nr} frames; returns 1 if on the LRU. */
        int lruAndCharge(int head, int fl, int nr, LruDomains lru, long[] cgAnon, long[] cgFile) {
            int owner = lru.ownerOf(head);
            if ((fl & PageFrames.PG_FILE) != 0) {
                cgFile[owner] += nr;
            } else {
                cgAnon[owner] += nr;
            }
            if ((fl & (PageFrames.PG_ANON | PageFrames.PG_SWAPBACKED)) == PageFrames.PG_ANON
                    && ((fl & (PageFrames.PG_SWAPCACHE | PageFrames.PG_HEAD)) != 0
                    || ((fl & PageFrames.PG_LRU) != 0) == ((fl & PageFrames.PG_MLOCKED) != 0))) {
                // MADV_FREE's lazy-free pages: order-0, out of the swap cache, on the LRU unless mlocked
                throw fail("lazy-free PFN " + head + " (anonymous, not swap-backed) has flags " + hex(fl));
            }
            if ((fl & PageFrames.PG_LRU) != 0) {
                if ((fl & (PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE)) != 0) {
                    throw fail("PFN " + head + " is on the LRU and unevictable (flags " + hex(fl) + ")");
                }
                return 1;
            }
            return 0;
        }

        void mapcount(int pfn) {
            if (f.mapcount(pfn) != pteMaps[pfn]) {
                throw fail("PFN " + pfn + ": mapcount " + f.mapcount(pfn) + " but " + pteMaps[pfn] + " PTEs map it"
                        + " (flags " + hex(f.flags(pfn)) + ")");
            }
        }

        void rmapWalk(Rmap rmap, int pfn, int expected) {
            int visited = rmap.walk(pfn, (mm, vma, address, table, index, level) -> {
                if (!k.mms().contains(mm) || !vma.contains(address)) {
                    throw fail("rmap walk of PFN " + pfn + " found " + who(mm) + " at " + hex(address)
                            + (vma.contains(address) ? ", an mm that is gone" : ", outside its VMA " + vma));
                }
                return true;
            });
            if (visited != expected) {
                throw fail("rmap walk of PFN " + pfn + " finds " + visited + " mappings but the page tables hold " + expected);
            }
        }

        // ------------------------------------------------------------ shmem

        /**
         * Every shmem object belongs to an anon_vma of live shared anonymous areas only; each page
         * slot holds an allocated order-0 anonymous frame that names this anon_vma and the slot's
         * index, held by no other slot; each swap slot counts as one holder of its swap entry.
         */
        void shmemObjects() {
            for (int id = 1; id < k.anonVmas.limit(); id++) {
                io.vmsim.core.mm.AnonVma av = k.anonVmas.get(id);
                io.vmsim.core.shmem.ShmemPages obj = av.shmem();
                if (obj == null) {
                    continue;
                }
                if (av.vmas().isEmpty()) {
                    throw fail("shmem object of anon_vma " + id + " outlived its last area");
                }
                for (Vma v : av.vmas()) {
                    if (!v.isAnon() || !v.has(VmaFlags.VM_SHARED) || v.mm().exited) {
                        throw fail("shmem object of anon_vma " + id + " is mapped by " + v + ", not a live shared anonymous area");
                    }
                }
                int slots = 0;
                for (int s = 0; s < obj.capacity(); s++) {
                    long index = obj.indexAt(s);
                    if (index < 0) {
                        continue;
                    }
                    slots++;
                    long e = obj.valueAt(s);
                    if (Pte.isSwap(e)) {
                        swapPtes++;
                        int c = swapRefs.get(Pte.swapSlot(e));
                        swapRefs.put(Pte.swapSlot(e), c == LongIntHashMap.MISSING ? 1 : c + 1);
                        continue;
                    }
                    if (e < 0 || e >= n) {
                        throw fail("shmem object of anon_vma " + id + ": slot " + index + " holds " + hex(e));
                    }
                    int pfn = (int) e;
                    int fl = f.flags(pfn);
                    if ((fl & PageFrames.PG_ANON) == 0 || (fl & (PageFrames.PG_HEAD | PageFrames.PG_TAIL | PageFrames.PG_KSM)) != 0
                            || f.mapping(pfn) != id || (f.index(pfn) & 0xffffffffL) != index || f.refcount(pfn) <= 0) {
                        throw fail("shmem object of anon_vma " + id + ": slot " + index + " holds PFN " + pfn + " (flags "
                                + hex(fl) + ", mapping " + f.mapping(pfn) + ", index " + (f.index(pfn) & 0xffffffffL)
                                + ", refcount " + f.refcount(pfn) + "), not an order-0 anonymous page of this object");
                    }
                    if (++shmemHeld[pfn] > 1) {
                        throw fail("PFN " + pfn + " is held by two shmem slots");
                    }
                }
                if (slots != obj.size()) {
                    throw fail("shmem object of anon_vma " + id + ": " + obj.size() + " slots counted, " + slots + " found");
                }
            }
        }

        // ------------------------------------------------------------ swap

        void swapSlots() {
            if (swap == null) {
                if (swapPtes != 0) {
                    throw fail(swapPtes + " swap entries in page tables but no swap");
                }
                return;
            }
            long[] refs = {0};
            swapRefs.forEach((entry, c) -> {
                int count = swap.count(entry);
                if (count != c) {
                    throw fail("swap slot " + Pte.swapType(entry) + ":" + Pte.swapOffset(entry) + ": count " + count + " but "
                            + c + " swap PTEs and shmem slots hold it");
                }
                refs[0] += c;
            });
            if (swap.totalCount() != refs[0]) {
                throw fail("swap: slot counts add up to " + swap.totalCount() + " but page tables hold " + refs[0]
                        + " swap entries");
            }
        }
    }
}
