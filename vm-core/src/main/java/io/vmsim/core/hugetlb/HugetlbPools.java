package io.vmsim.core.hugetlb;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * hugetlbfs pages ({@code mm/hugetlb.c}): persistent pools of 2 MiB and 1 GiB pages set aside
 * at boot ({@code vm.nr_hugepages}, {@code hugepages=N hugepagesz=1G}), reserved whole at
 * {@code mmap(MAP_HUGETLB)} ({@code hugetlb_reserve_pages()}) so that a fault can never fail,
 * taken from the pool at fault time and mapped by a PMD or PUD leaf ({@code hugetlb_fault()}),
 * and given back on unmap. An mmap larger than the unreserved free pages fails with an error
 * naming the process and the page size, as {@code mmap()} fails with ENOMEM.
 *
 * <p>2 MiB pool pages come from the buddy allocator (order 9); 1 GiB pages are gigantic and
 * come from a naturally aligned GiB of free order-10 blocks, as {@code alloc_contig_range()}
 * finds one. Simplifications: no surplus pages ({@code nr_overcommit_hugepages} = 0), no
 * sharing of hugetlb page tables, and {@code fork()} does not copy hugetlb areas.
 */
public final class HugetlbPools {
    /** One pool of one page size ({@code struct hstate}). */
    public static final class Pool {
        final int order;
        final int level;
        final ArrayDeque<Integer> free = new ArrayDeque<>();
        int total;
        long resv;

        Pool(int order, int level) {
            this.order = order;
            this.level = level;
        }

        /** {@code HugePages_Total}. */
        public int total() {
            return total;
        }

        /** {@code HugePages_Free}. */
        public int free() {
            return free.size();
        }

        /** {@code HugePages_Rsvd}: reserved but not yet faulted in. */
        public long reserved() {
            return resv;
        }

        /** Page size in kB ({@code Hugepagesize}). */
        public long sizeKb() {
            return 4L << order;
        }
    }

    private final Kernel k;
    private final Pool pool2m = new Pool(Kernel.HPAGE_PMD_ORDER, 2);
    private final Pool pool1g = new Pool(18, 3);
    private final Map<Vma, long[]> vmaResv = new IdentityHashMap<>();
    private final Map<Vma, Pool> vmaPool = new IdentityHashMap<>();

    /** Fills the pools at boot; a pool smaller than asked is not an error, as in Linux. */
    public HugetlbPools(Kernel kernel, int nr2m, int nr1g) {
        this.k = kernel;
        allocGigantic(nr1g);
        for (int i = 0; i < nr2m; i++) {
            int p = k.allocator.allocPages(Gfp.GFP_HIGHUSER | Gfp.__GFP_COMP | Gfp.__GFP_RETRY_MAYFAIL | Gfp.__GFP_NOWARN,
                    Kernel.HPAGE_PMD_ORDER, 0, k.frames.nodeOf(0));
            if (p < 0) {
                k.vmstat.count(VmEvent.HTLB_BUDDY_ALLOC_FAIL);
                break;
            }
            k.vmstat.count(VmEvent.HTLB_BUDDY_ALLOC_SUCCESS);
            pool2m.free.add(p);
            pool2m.total++;
        }
    }

    private void allocGigantic(int n) {
        if (n <= 0) {
            return;
        }
        final int order = 10;
        final int blocksPerGig = 1 << (18 - order);
        List<Integer> got = new ArrayList<>();
        BitSet blocks = new BitSet();
        for (int p; (p = k.allocator.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY, order, 0, 0)) >= 0; ) {
            got.add(p);
            blocks.set(p >>> order);
        }
        BitSet chosen = new BitSet();
        for (int g = 0; (long) (g + 1) << 18 <= k.frames.nrFrames() && pool1g.total < n; g++) {
            if (blocks.get(g * blocksPerGig, (g + 1) * blocksPerGig).cardinality() == blocksPerGig) {
                chosen.set(g);
                pool1g.free.add(g << 18);
                pool1g.total++;
            }
        }
        for (int p : got) {
            if (!chosen.get(p >>> 18)) {
                k.frames.refcount[p] = 0;
                k.allocator.freePages(p, order, 0);
            }
        }
    }

    /** The 2 MiB pool. */
    public Pool pool2m() {
        return pool2m;
    }

    /** The 1 GiB pool. */
    public Pool pool1g() {
        return pool1g;
    }

    /** {@code hugetlb_total_pages()} (mm/hugetlb.c): nr_huge_pages x pages_per_huge_page summed over the pools. */
    public long totalPages() {
        return ((long) pool2m.total << pool2m.order) + ((long) pool1g.total << pool1g.order);
    }

    private Pool poolOf(Vma vma) {
        return vmaPool.getOrDefault(vma, pool2m);
    }

    /** {@code hugetlb_reserve_pages()} at mmap, or a {@link WorkloadException} naming process and size. */
    public void reserve(Mm mm, Vma vma, long pageSize, String comm) {
        if (pageSize != Kernel.HPAGE_PMD_SIZE && pageSize != 1L << 30) {
            throw new WorkloadException("hugetlb: page size " + pageSize + " is not 2M or 1G");
        }
        Pool p = pageSize == Kernel.HPAGE_PMD_SIZE ? pool2m : pool1g;
        vmaPool.put(vma, p);
        long size = 4096L << p.order;
        long pages = (vma.end() - vma.start()) / size;
        long available = p.free.size() - p.resv;
        if (pages > available) {
            throw new WorkloadException(String.format("hugetlb: %s cannot map %d x %s huge pages (%d MiB): the pool "
                            + "has %d free of %d, %d of them reserved; raise %s", comm, pages, p == pool1g ? "1G" : "2M",
                    (vma.end() - vma.start()) >> 20, p.free.size(), p.total, p.resv,
                    p == pool1g ? "vm.nr_hugepages_1g" : "vm.nr_hugepages"));
        }
        p.resv += pages;
        vmaResv.put(vma, new long[] {pages});
    }

    /** The page size of a hugetlb area. */
    public long pageSize(Vma vma) {
        return 4096L << poolOf(vma).order;
    }

    /** A hugetlb area was split: the upper part keeps the pool and the reservations of its unfaulted pages. */
    public void split(Vma lower, Vma upper) {
        Pool p = poolOf(lower);
        vmaPool.put(upper, p);
        long[] r = vmaResv.get(lower);
        if (r == null) {
            return;
        }
        long size = 4096L << p.order;
        long unfaulted = 0;
        for (long a = upper.start(); a < upper.end(); a += size) {
            int table = k.walkNoAlloc(upper.mm(), a, p.level);
            if (table < 0 || !Pte.present(k.tables.table(table)[Pte.index(a, p.level)])) {
                unfaulted++;
            }
        }
        long moved = Math.min(unfaulted, r[0]);
        r[0] -= moved;
        vmaResv.put(upper, new long[] {moved});
    }

    /** {@code hugetlb_fault()}: map the huge page covering {@code va}, taking it from the reservation. */
    public void fault(Task task, Vma vma, long va, boolean write) {
        Pool p = poolOf(vma);
        Mm mm = task.mm();
        long size = 4096L << p.order;
        long haddr = va & -size;
        int table = k.walkAlloc(mm, haddr, p.level, task.cpu(), k.frames.nodeOf(0));
        int idx = Pte.index(haddr, p.level);
        long[] t = k.tables.table(table);
        if (Pte.present(t[idx])) {
            if (write && (t[idx] & Pte.UFFD_WP) != 0 && vma.has(VmaFlags.VM_UFFD_WP)) {
                // hugetlb_fault(): huge_pte_uffd_wp() on a write goes to the monitor (userfaultfd, issue 12)
                k.uffd.fault(task, vma, va, write, VmaFlags.VM_UFFD_WP);
                return;
            }
            k.flushTlbPage(mm, va); // spurious
            return;
        }
        if (vma.has(VmaFlags.VM_UFFD_MISSING)) {
            // hugetlb_no_page(): a missing page of an area registered with userfaultfd goes to
            // its monitor (hugetlb_handle_userfault()); the fault is retried once it is woken
            k.uffd.fault(task, vma, va, write, VmaFlags.VM_UFFD_MISSING);
            return;
        }
        long[] r = vmaResv.get(vma);
        if (r == null || r[0] == 0 || p.free.isEmpty()) {
            throw new WorkloadException("hugetlb: " + task.comm() + " (pid " + task.pid() + ") faulted at 0x"
                    + Long.toHexString(va) + " with no reserved huge page left (SIGBUS)");
        }
        r[0]--;
        p.resv--;
        int pfn = p.free.poll();
        k.frames.mapcount[pfn] = 1;
        k.clock.advance(k.cost.zero2mPs << (p.order - Kernel.HPAGE_PMD_ORDER));
        long bits = Pte.PRESENT | Pte.USER | Pte.HUGE | Pte.ACCESSED | Pte.DIRTY | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW : 0);
        t[idx] = Pte.make(pfn, bits);
    }

    /**
     * userfaultfd (issue 12): {@code hugetlb_mfill_atomic_pte()} maps a whole huge page at
     * {@code haddr}, taken from the area's reservation and filled by the monitor's copy. Returns
     * its PFN, {@code -17} (EEXIST) if one is mapped there, {@code -12} (ENOMEM) if none is left.
     */
    public int install(Mm mm, Vma vma, long haddr, long bits, int cpu) {
        Pool p = poolOf(vma);
        int table = k.walkAlloc(mm, haddr, p.level, cpu, k.frames.nodeOf(0));
        int idx = Pte.index(haddr, p.level);
        long[] t = k.tables.table(table);
        if (t[idx] != 0) {
            return -17;
        }
        long[] r = vmaResv.get(vma);
        if (r == null || r[0] == 0 || p.free.isEmpty()) {
            return -12;
        }
        r[0]--;
        p.resv--;
        int pfn = p.free.poll();
        k.frames.mapcount[pfn] = 1;
        t[idx] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.HUGE | bits);
        return pfn;
    }

    /** Unmaps {@code [start, end)} of a hugetlb area, returning its pages and unused reservation to the pool. */
    public void unmap(Mm mm, Vma vma, long start, long end, int cpu) {
        Pool p = poolOf(vma);
        long size = 4096L << p.order;
        for (long a = start & -size; a < end; a += size) {
            int table = k.walkNoAlloc(mm, a, p.level);
            if (table < 0) {
                continue;
            }
            long[] t = k.tables.table(table);
            int idx = Pte.index(a, p.level);
            long e = t[idx];
            if (Pte.present(e) && Pte.huge(e)) {
                t[idx] = 0;
                int pfn = Pte.pfn(e);
                k.frames.mapcount[pfn] = 0;
                p.free.add(pfn);
            }
        }
        if (start <= vma.start() && end >= vma.end()) {
            vmaPool.remove(vma);
            long[] r = vmaResv.remove(vma);
            if (r != null) {
                p.resv -= r[0];
            }
        }
        k.flushTlbMm(mm);
    }
}
