package io.vmsim.core.fault;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.FileFaults;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemHuge;
import io.vmsim.core.swap.SwapIn;
import io.vmsim.core.vmstat.VmEvent;

/**
 * The page-fault handler ({@code handle_mm_fault()} in {@code mm/memory.c}): anonymous faults
 * (the shared zero page on a read, a zeroed page on a write), copy-on-write
 * ({@code do_wp_page()}), and transparent huge page faults ({@code do_huge_pmd_anonymous_page()}
 * in {@code mm/huge_memory.c}) that always fall back to 4 KiB pages when a huge page cannot be had.
 *
 * <p>Every call counts one {@code pgfault}, as {@code handle_mm_fault()} does.
 */
public final class FaultHandler {
    /** A PTE for a page just written: present, user, writable, accessed and dirty. */
    private static final long WRITABLE_PTE = Pte.PRESENT | Pte.USER | Pte.RW | Pte.ACCESSED | Pte.DIRTY;

    private final Kernel k;
    private final PageFrames frames;
    // reclaim (issue 3): file-backed faults and swap-in, installed by the reclaim subsystem
    private FileFaults fileFaults;
    private SwapIn swapIn;

    public FaultHandler(Kernel kernel) {
        this.k = kernel;
        this.frames = kernel.frames;
    }

    /** Installs the handlers of file-backed faults and swap entries (reclaim, issue 3). */
    public void installReclaim(FileFaults fileFaults, SwapIn swapIn) {
        this.fileFaults = fileFaults;
        this.swapIn = swapIn;
    }

    /** Handles a fault of {@code task} at {@code va}; on return the access can be retried. */
    public void handle(Task task, long va, boolean write) {
        k.clock.advance(k.cost.faultPs);
        Mm mm = task.mm();
        k.currentMm = mm;
        Vma vma = mm.findVma(va);
        if (vma == null) {
            throw new WorkloadException(String.format("segmentation fault: %s (pid %d) touched 0x%x, which no VMA maps",
                    task.comm(), task.pid(), va));
        }
        if (write ? !vma.has(VmaFlags.VM_WRITE) : !vma.has(VmaFlags.VM_READ)) {
            throw new WorkloadException(String.format("segmentation fault: %s (pid %d) %s 0x%x in a VMA without %s permission (%s)",
                    task.comm(), task.pid(), write ? "wrote" : "read", va, write ? "write" : "read", vma));
        }
        // arch/x86/mm/fault.c: a fault outside every VMA or against its permissions is a bad_area
        // SIGSEGV before handle_mm_fault(), which is where PGFAULT is counted (mm/memory.c)
        k.vmstat.count(VmEvent.PGFAULT);
        if (vma.has(VmaFlags.VM_HUGETLB)) {
            k.huge.hugetlbFault(task, vma, va, write); // THP (issue 5)
            return;
        }
        if (!vma.isAnon() && fileFaults == null) {
            throw new WorkloadException("file-backed mappings need the page cache (fault at 0x" + Long.toHexString(va) + ")");
        }
        int cpu = task.cpu();
        int node = k.allocationNode(task, vma, va);
        if (!vma.isAnon()) {
            fileFault(task, vma, va, write, cpu, node);
            return;
        }
        int pmdTable = k.walkAlloc(mm, va, 2, cpu, node);
        if (pmdTable == -2) {
            throw new IllegalStateException("PUD leaf mappings are not created by anonymous faults");
        }
        long[] pmdT = k.tables.table(pmdTable);
        int pi = Pte.index(va, 2);
        long pmd = pmdT[pi];
        boolean shared = vma.has(VmaFlags.VM_SHARED);
        if (pmd == 0 && shared && hugeSuitable(vma, va) && mapSharedHugePage(mm, vma, va, pmdTable, cpu, node)) {
            return;
        }
        if (pmd == 0 && hugeSuitable(vma, va) && !(shared && anotherMapsPmdRange(vma, va))) {
            if (hugeAnonymousFault(task, mm, vma, va, write, pmdTable, node)) {
                return;
            }
            pmd = pmdT[pi];
        }
        if (Pte.present(pmd) && Pte.huge(pmd)) {
            if (!write || Pte.writable(pmd)) {
                k.flushTlbPage(mm, va); // spurious: a stale TLB entry
                return;
            }
            if (hugeWpFault(mm, pmdTable, pi, va)) {
                return;
            }
            pmd = pmdT[pi];
        }
        int pteTable;
        if (pmd == 0) {
            pteTable = k.walkAlloc(mm, va, 1, cpu, node);
        } else {
            pteTable = Pte.pfn(pmd);
        }
        long[] ptes = k.tables.table(pteTable);
        int i = Pte.index(va, 1);
        long pte = ptes[i];
        if (pte == 0) {
            if (!shared || !mapSharedPage(task, vma, va, write, ptes, i)) {
                anonymousFault(task, mm, vma, va, write, ptes, i, node);
            }
        } else if (Pte.present(pte)) {
            if (write && !Pte.writable(pte) && shared) {
                // mm/memory.c wp_page_shared() -> wp_page_reuse(): a shared page is never copied
                ptes[i] = pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
                k.vmstat.count(VmEvent.PGREUSE);
                k.flushTlbPage(mm, va);
            } else if (write && !Pte.writable(pte)) {
                wpFault(task, mm, vma, va, ptes, i, pte, node);
            } else {
                k.flushTlbPage(mm, va);
            }
        } else if (Pte.isSwap(pte) && swapIn != null) {
            swapIn.handle(task, vma, va, write, ptes, i);
        } else {
            throw new IllegalStateException("unexpected non-present entry 0x" + Long.toHexString(pte) + " at 0x" + Long.toHexString(va));
        }
    }

    /** A fault in a file-backed area: 4 KiB pages only; swap entries of its private copies go to swap-in. */
    private void fileFault(Task task, Vma vma, long va, boolean write, int cpu, int node) {
        int pteTable = k.walkAlloc(task.mm(), va, 1, cpu, node);
        long[] ptes = k.tables.table(pteTable);
        int i = Pte.index(va, 1);
        if (Pte.isSwap(ptes[i])) {
            swapIn.handle(task, vma, va, write, ptes, i);
        } else {
            fileFaults.handle(task, vma, va, write, ptes, i);
        }
    }

    /**
     * Shared anonymous memory is shmem ({@code shmem_zero_setup()}): one object whose page of
     * each index every mapping maps, so a fault maps the page another mapping of the area
     * already has ({@code shmem_fault()} finding it in the page cache). The object is the
     * area's anon_vma, which fork and VMA splits share: the page is found through another VMA
     * on it that maps the same linear index, or its swap entry is shared and swapped in.
     * Simplification: a page no mapping maps any more (all zapped) is not kept.
     * Returns false if no other mapping has the page, for {@link #anonymousFault} to allocate it.
     */
    private boolean mapSharedPage(Task task, Vma vma, long va, boolean write, long[] ptes, int i) {
        long index = vma.linearIndex(va);
        for (Vma o : vma.anonVma().vmas()) {
            long a = o.address(index);
            if (o == vma || a < 0 || !o.has(VmaFlags.VM_SHARED) || o.mm().exited) {
                continue;
            }
            long e = k.lookupLeaf(o.mm(), a);
            if (Pte.isSwap(e) && swapIn != null) {
                k.hooks.swapEntryDuplicated(e);
                task.mm().swapEnts++;
                ptes[i] = e;
                swapIn.handle(task, vma, va, write, ptes, i);
                return true;
            }
            if (e == 0 || !Pte.present(e)) {
                continue;
            }
            int pfn = Pte.pfn(e) + (Pte.huge(e) ? (int) ((a & (Kernel.HPAGE_PMD_SIZE - 1)) >>> 12) : 0);
            int head = frames.test(pfn, PageFrames.PG_TAIL | PageFrames.PG_HEAD) ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
            frames.mapcount[pfn]++;
            frames.refcount[head]++;
            task.mm().rssAnon++;
            ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED
                    | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0));
            return true;
        }
        return false;
    }

    /**
     * As {@link #mapSharedPage}, for a huge page another mapping maps by a PMD: this mapping maps
     * it by a PMD too ({@code finish_fault()} -> {@code do_set_pmd()} for a PMD-mappable shmem folio).
     */
    private boolean mapSharedHugePage(Mm mm, Vma vma, long va, int pmdTable, int cpu, int node) {
        long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
        long index = vma.linearIndex(haddr);
        for (Vma o : vma.anonVma().vmas()) {
            long a = o.address(index);
            if (o == vma || a < 0 || (a & (Kernel.HPAGE_PMD_SIZE - 1)) != 0 || !o.has(VmaFlags.VM_SHARED) || o.mm().exited) {
                continue;
            }
            long e = k.lookupLeaf(o.mm(), a);
            if (!Pte.present(e) || !Pte.huge(e)) {
                continue;
            }
            int head = Pte.pfn(e);
            int dep = k.tables.allocTable(cpu, node);
            if (dep < 0) {
                return false;
            }
            k.clock.advance(k.cost.pgtableAllocPs);
            k.deposit(mm, pmdTable, dep);
            k.setEntireMapcount(head, k.entireMapcount(head) + 1);
            frames.refcount[head]++;
            mm.rssAnon += Kernel.HPAGE_PMD_NR;
            k.tables.table(pmdTable)[Pte.index(va, 2)] = Pte.make(head, Pte.PRESENT | Pte.USER | Pte.HUGE | Pte.ACCESSED
                    | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0));
            return true;
        }
        return false;
    }

    /** True if another mapping of this shared area maps or swapped a page of the PMD range of {@code va}: no new THP there. */
    private boolean anotherMapsPmdRange(Vma vma, long va) {
        long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
        for (Vma o : vma.anonVma().vmas()) {
            if (o == vma || !o.has(VmaFlags.VM_SHARED) || o.mm().exited) {
                continue;
            }
            for (long a = haddr; a < haddr + Kernel.HPAGE_PMD_SIZE; a += 4096) {
                long oa = o.address(vma.linearIndex(a));
                if (oa >= 0 && k.lookupLeaf(o.mm(), oa) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code do_anonymous_page()}: the zero page on a read, a new zeroed page on a write. */
    private void anonymousFault(Task task, Mm mm, Vma vma, long va, boolean write, long[] ptes, int i, int node) {
        if (!write && !vma.has(VmaFlags.VM_SHARED) && k.useZeroPage) {
            ptes[i] = Pte.make(k.zeroPfn, Pte.PRESENT | Pte.USER | Pte.SPECIAL | Pte.ACCESSED);
            k.vmstat.count(VmEvent.ZERO_PAGE_MAP);
            return;
        }
        int pfn = allocUserPage(task, va, node);
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0);
        mapNewAnonPage(vma, va, ptes, i, pfn, k.cost.zero4kPs, bits);
        mm.rssAnon++;
    }

    /** Maps a new, exclusive anonymous page: charges zeroing or copying, one mapping, the reclaim policy told. */
    private void mapNewAnonPage(Vma vma, long va, long[] ptes, int i, int pfn, long costPs, long bits) {
        k.clock.advance(costPs);
        frames.mapcount[pfn] = 1;
        frames.refcount[pfn] = 1;
        k.newAnonFolio(pfn, 0, vma, va);
        ptes[i] = Pte.make(pfn, bits);
    }

    /** {@code do_wp_page()}: reuse an exclusive anonymous page, or copy it (or zero-fill a page replacing the zero page). */
    private void wpFault(Task task, Mm mm, Vma vma, long va, long[] ptes, int i, long pte, int node) {
        int old = Pte.pfn(pte);
        if (old == k.zeroPfn) {
            int pfn = allocUserPage(task, va, node);
            mapNewAnonPage(vma, va, ptes, i, pfn, k.cost.zero4kPs, WRITABLE_PTE);
            mm.rssAnon++; // the zero page was not counted
            k.vmstat.count(VmEvent.COW_FAULT);
            k.flushTlbPage(mm, va);
            return;
        }
        if (k.totalMapcount(old) == 1 && !frames.test(old, PageFrames.PG_SWAPCACHE)) {
            // wp_page_reuse(): the page is exclusive to this mapping (and no swap entry still names it)
            ptes[i] = pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
            k.vmstat.count(VmEvent.PGREUSE);
            k.flushTlbPage(mm, va);
            return;
        }
        frames.refcount[old]++; // pinned while allocating, so reclaim leaves it (reclaim, issue 3)
        int pfn;
        try {
            pfn = allocUserPage(task, va, node);
        } finally {
            frames.refcount[old]--;
        }
        mapNewAnonPage(vma, va, ptes, i, pfn, k.cost.copy4kPs, WRITABLE_PTE);
        k.putAnonPage(old, task.cpu());
        k.vmstat.count(VmEvent.COW_FAULT);
        k.flushTlbPage(mm, va);
    }

    /** True if the PMD-aligned range around {@code va} lies in the VMA and may hold a THP ({@code thp_vma_suitable_order()}). */
    private boolean hugeSuitable(Vma vma, long va) {
        long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
        if (vma.has(VmaFlags.VM_SHARED)) {
            // THP (issue 5): shared anonymous memory is shmem, governed by shmem_enabled
            if (!ShmemHuge.allowed(k.shmemEnabled, vma, haddr)) {
                return false;
            }
        } else if (vma.has(VmaFlags.VM_NOHUGEPAGE)) {
            return false;
        }
        if (haddr < vma.start() || haddr + Kernel.HPAGE_PMD_SIZE > vma.end()) {
            return false;
        }
        // transhuge_vma_suitable(): a file's offset must be PMD-aligned with the address; anonymous memory has no such constraint
        return vma.isAnon() || ((vma.start() >>> 12) - vma.pgoff()) % Kernel.HPAGE_PMD_NR == 0;
    }

    /**
     * {@code do_huge_pmd_anonymous_page()}: asks the huge-page policy, maps the huge zero page on
     * a read, or allocates, zeroes and maps a THP. Returns false to fall back to 4 KiB pages.
     */
    private boolean hugeAnonymousFault(Task task, Mm mm, Vma vma, long va, boolean write, int pmdTable, int node) {
        boolean shmem = vma.has(VmaFlags.VM_SHARED);
        // shmem: shmem_enabled already said yes; the policy gives the effort as for an enabled area
        HugePagePolicy.FaultDecision d = k.thp.onFault(vma, va, write, shmem ? "always" : k.thpEnabled, k.thpDefrag);
        if (d == null || d.size() != PageSize.SIZE_2M) {
            return false;
        }
        int cpu = task.cpu();
        long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
        int pi = Pte.index(va, 2);
        if (!write && k.thpUseZeroPage && !shmem) {
            int zero = k.hugeZeroPage(cpu);
            if (zero < 0) {
                k.vmstat.count(VmEvent.THP_FAULT_FALLBACK);
                return false;
            }
            int dep = k.tables.allocTable(cpu, node);
            if (dep < 0) {
                return false;
            }
            k.clock.advance(k.cost.pgtableAllocPs);
            k.deposit(mm, pmdTable, dep);
            k.tables.table(pmdTable)[pi] = Pte.make(zero, Pte.PRESENT | Pte.USER | Pte.HUGE | Pte.SPECIAL | Pte.ACCESSED);
            return true;
        }
        int gfp = gfpFor(d.effort()) | Gfp.__GFP_COMP;
        int head = k.allocator.allocPages(gfp, Kernel.HPAGE_PMD_ORDER, cpu, node);
        if (head < 0) {
            k.vmstat.count(shmem ? VmEvent.THP_FILE_FALLBACK : VmEvent.THP_FAULT_FALLBACK);
            return false;
        }
        int dep = k.tables.allocTable(cpu, node);
        if (dep < 0) {
            k.allocator.freePages(head, Kernel.HPAGE_PMD_ORDER, cpu);
            k.vmstat.count(shmem ? VmEvent.THP_FILE_FALLBACK : VmEvent.THP_FAULT_FALLBACK);
            return false;
        }
        k.clock.advance(k.cost.pgtableAllocPs + k.cost.zero2mPs);
        k.deposit(mm, pmdTable, dep);
        frames.refcount[head] = 1;
        k.setEntireMapcount(head, 1);
        k.newAnonFolio(head, Kernel.HPAGE_PMD_ORDER, vma, haddr);
        k.nrAnonThps++;
        long bits = Pte.PRESENT | Pte.USER | Pte.HUGE | Pte.ACCESSED | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0);
        k.tables.table(pmdTable)[pi] = Pte.make(head, bits);
        mm.rssAnon += Kernel.HPAGE_PMD_NR;
        k.vmstat.count(shmem ? VmEvent.THP_FILE_ALLOC : VmEvent.THP_FAULT_ALLOC);
        return true;
    }

    /**
     * {@code do_huge_pmd_wp_page()}: a write to a read-only huge PMD. An exclusive THP is reused;
     * otherwise (the huge zero page, or a THP shared after fork) the PMD is split and the fault
     * falls back to 4 KiB copy-on-write, as current kernels do. Returns true if handled.
     */
    private boolean hugeWpFault(Mm mm, int pmdTable, int pi, long va) {
        long[] pmdT = k.tables.table(pmdTable);
        long pmd = pmdT[pi];
        int head = Pte.pfn(pmd);
        long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
        if (head != k.hugeZeroPfn && frames.refcount[head] == 1 && k.entireMapcount(head) == 1) {
            pmdT[pi] = pmd | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
            k.vmstat.count(VmEvent.PGREUSE);
            k.flushTlbPage(mm, haddr);
            return true;
        }
        k.splitHugePmd(mm, pmdTable, pi, haddr);
        return false;
    }

    private static int gfpFor(HugePagePolicy.Effort effort) {
        // the masks of vma_thp_gfp_mask() in mm/huge_memory.c
        return switch (effort) {
            case LIGHT -> Gfp.GFP_TRANSHUGE_LIGHT;
            case WAKE_DAEMONS -> Gfp.GFP_TRANSHUGE_LIGHT | Gfp.__GFP_KSWAPD_RECLAIM;
            case DIRECT_NORETRY -> Gfp.GFP_TRANSHUGE | Gfp.__GFP_NORETRY;
            case DIRECT -> Gfp.GFP_TRANSHUGE;
        };
    }

    private int allocUserPage(Task task, long va, int node) {
        k.hooks.beforeUserAlloc(task.mm(), 1, task.cpu()); // memory cgroup limits (reclaim, issue 3)
        int pfn = k.allocator.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), node);
        if (pfn < 0) {
            throw new WorkloadException(String.format("out of memory: %s (pid %d) faulting at 0x%x; "
                    + "reclaim made no progress and the OOM killer found nothing to kill", task.comm(), task.pid(), va));
        }
        return pfn;
    }
}
