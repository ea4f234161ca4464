package io.vmsim.core.fault;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.FileFaults;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.UffdHooks;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemHuge;
import io.vmsim.core.shmem.ShmemPages;
import io.vmsim.core.swap.SwapIn;
import io.vmsim.core.vmstat.VmEvent;

/**
 * The page-fault handler ({@code handle_mm_fault()} in {@code mm/memory.c}): anonymous faults
 * (the shared zero page on a read, a zeroed page on a write), copy-on-write
 * ({@code do_wp_page()}), and transparent huge page faults ({@code do_huge_pmd_anonymous_page()}
 * in {@code mm/huge_memory.c}) that always fall back to 4 KiB pages when a huge page cannot be had.
 *
 * <p>Every call that passes the VMA checks counts one {@code pgfault}, as {@code handle_mm_fault()}
 * does, and one minor or major fault of the task when it completes ({@code mm_account_fault()}).
 */
public final class FaultHandler {
    /** A PTE for a page just written: present, user, writable, accessed and dirty. */
    private static final long WRITABLE_PTE = Pte.PRESENT | Pte.USER | Pte.RW | Pte.ACCESSED | Pte.DIRTY;

    private final Kernel k;
    private final PageFrames frames;
    // reclaim (issue 3): file-backed faults and swap-in, installed by the reclaim subsystem
    private FileFaults fileFaults;
    private SwapIn swapIn;
    // automatic NUMA balancing (issue 10): hinting faults
    private io.vmsim.core.numa.NumaBalancing numa;

    public FaultHandler(Kernel kernel) {
        this.k = kernel;
        this.frames = kernel.frames;
    }

    /** Installs the handlers of file-backed faults and swap entries (reclaim, issue 3). */
    public void installReclaim(FileFaults fileFaults, SwapIn swapIn) {
        this.fileFaults = fileFaults;
        this.swapIn = swapIn;
    }

    /** Installs automatic NUMA balancing, which handles NUMA hinting faults (issue 10). */
    public void installNuma(io.vmsim.core.numa.NumaBalancing numa) {
        this.numa = numa;
    }

    /** Automatic NUMA balancing, or null if none was installed. */
    public io.vmsim.core.numa.NumaBalancing numa() {
        return numa;
    }

    /** Handles a fault of {@code task} at {@code va}; on return the access can be retried. */
    public void handle(Task task, long va, boolean write) {
        k.clock.advance(k.cost.faultPs);
        Mm mm = task.mm();
        k.currentMm = mm;
        k.currentTask = task; // mempolicy (issue 10): page tables and page cache follow the task's policy
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
        long majBefore = k.vmstat.get(VmEvent.PGMAJFAULT);
        handleMmFault(task, mm, vma, va, write);
        // mm_account_fault(): only a fault that completed counts for the task (a SIGBUS or an
        // OOM leaves by an exception, VM_FAULT_ERROR, and counts in pgfault only); it is major if
        // it did I/O (VM_FAULT_MAJOR)
        task.accountFault(k.vmstat.get(VmEvent.PGMAJFAULT) != majBefore);
    }

    /** The part of {@code handle_mm_fault()} after PGFAULT is counted. */
    private void handleMmFault(Task task, Mm mm, Vma vma, long va, boolean write) {
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
        if (Pte.huge(pmd) && Pte.protnone(pmd) && numa != null) {
            numa.pmdFault(task, vma, va, pmdT, pi); // do_huge_pmd_numa_page()
            return;
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
            if ((vma.flags() & UffdHooks.VM_UFFD_FLAGS) != 0 && userfault(task, vma, va, write)) {
                return; // userfaultfd (issue 12): one flag test for areas without it
            }
            if (shared && !write && (vma.flags() & (VmaFlags.VM_UFFD_WP | UffdHooks.VM_UFFD_MINOR)) == 0
                    && shmemFaultAround(task, vma, va, ptes, i)) { // uffd_disable_fault_around()
                return;
            }
            if (!shared || !mapSharedPage(task, vma, va, write, ptes, i)) {
                anonymousFault(task, mm, vma, va, write, ptes, i, node);
            }
        } else if (Pte.protnone(pte) && numa != null) {
            numa.pteFault(task, vma, va, ptes, i); // do_numa_page(); a write then faults again if the page needs it
        } else if (Pte.present(pte)) {
            if (write && (pte & Pte.UFFD_WP) != 0 && vma.has(VmaFlags.VM_UFFD_WP)) {
                // do_wp_page(): userfaultfd_pte_wp() sends the write to the monitor first (userfaultfd, issue 12)
                k.uffd.fault(task, vma, va, true, VmaFlags.VM_UFFD_WP);
            } else if (write && !Pte.writable(pte) && shared) {
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
            if (shared) {
                shmemSwappedIn(vma, va, Pte.swapSlot(pte), ptes[i]);
            }
        } else {
            throw new IllegalStateException("unexpected non-present entry 0x" + Long.toHexString(pte) + " at 0x" + Long.toHexString(va));
        }
    }

    /**
     * userfaultfd (issue 12): a fault on an empty PTE of a registered area. A private anonymous
     * area's page is missing ({@code do_anonymous_page()}: read or write); a shared one's
     * (shmem) is missing if its object has no page at the index, and a minor fault if it has
     * one ({@code shmem_get_folio_gfp()}). Returns true if the monitor handled it (the access
     * is then retried), false to go on with an ordinary fault. Areas registered for minor or
     * write-protect faults do no fault-around ({@code uffd_disable_fault_around()}), which this
     * gives for free: the faulting page is handled first and only once.
     */
    private boolean userfault(Task task, Vma vma, long va, boolean write) {
        if (!vma.has(VmaFlags.VM_SHARED)) {
            if (!vma.has(VmaFlags.VM_UFFD_MISSING)) {
                return false;
            }
            k.uffd.fault(task, vma, va, write, VmaFlags.VM_UFFD_MISSING);
            return true;
        }
        ShmemPages object = vma.anonVma().shmem();
        boolean cached = object != null && object.get(vma.linearIndex(va)) != ShmemPages.NONE;
        long reason = cached ? UffdHooks.VM_UFFD_MINOR : VmaFlags.VM_UFFD_MISSING;
        if (!vma.has(reason)) {
            return false;
        }
        k.uffd.fault(task, vma, va, write, reason);
        return true;
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
     * each index every mapping maps ({@code shmem_fault()} finding it in the object's page
     * cache). The object ({@link ShmemPages}) hangs off the area's anon_vma, which fork and VMA
     * splits share, and keeps its 4 KiB pages (or their swap entries) when no page table maps
     * them, as after MADV_DONTNEED. A page of a huge shmem folio is not held by the object: it is
     * found through another VMA on the anon_vma that maps the same linear index (or shares its
     * swap entry), and goes when the last mapping does. Returns false if neither has the page,
     * for {@link #anonymousFault} to allocate it.
     */
    private boolean mapSharedPage(Task task, Vma vma, long va, boolean write, long[] ptes, int i) {
        long index = vma.linearIndex(va);
        ShmemPages object = vma.anonVma().shmem();
        long slot = object == null ? ShmemPages.NONE : object.get(index);
        if (Pte.isSwap(slot) && swapIn != null) {
            // shmem_swapin_folio(): the object's page was swapped out
            k.hooks.swapEntryDuplicated(slot);
            task.mm().swapEnts++;
            ptes[i] = slot;
            swapIn.handle(task, vma, va, write, ptes, i);
            shmemSwappedIn(vma, va, slot, ptes[i]);
            return true;
        }
        if (slot != ShmemPages.NONE && !Pte.isSwap(slot)) {
            // shmem_fault() found the page in the object's page cache
            mapShmemPage(task.mm(), vma, ptes, i, (int) slot);
            return true;
        }
        for (Vma o : vma.anonVma().vmas()) {
            long a = o.address(index);
            if (o == vma || a < 0 || !o.has(VmaFlags.VM_SHARED) || o.mm().exited) {
                continue;
            }
            long e = k.lookupLeaf(o.mm(), a);
            if (Pte.isSwap(e) && swapIn != null) {
                k.hooks.swapEntryDuplicated(e);
                task.mm().swapEnts++;
                ptes[i] = Pte.swapSlot(e); // the slot, not the other mapping's uffd-wp bit
                swapIn.handle(task, vma, va, write, ptes, i);
                return true;
            }
            if (e == 0 || !Pte.present(e)) {
                continue;
            }
            int pfn = Pte.pfn(e) + (Pte.huge(e) ? (int) ((a & (Kernel.HPAGE_PMD_SIZE - 1)) >>> 12) : 0);
            int head = frames.test(pfn, PageFrames.PG_TAIL | PageFrames.PG_HEAD) ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
            frames.addMapcount(pfn, 1);
            frames.addRefcount(head, 1);
            task.mm().rssAnon++;
            ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED
                    | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0));
            return true;
        }
        return false;
    }

    /** Maps page {@code pfn} of a shmem object at PTE {@code i}, writable if the area is ({@code finish_fault()}). */
    private void mapShmemPage(Mm mm, Vma vma, long[] ptes, int i, int pfn) {
        frames.addMapcount(pfn, 1);
        frames.addRefcount(pfn, 1);
        mm.rssAnon++;
        ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0));
    }

    /**
     * A swap-in fault of a shared anonymous area brought page {@code pte}'s frame back for swap
     * entry {@code entry}: if the object's slot still holds that entry, the page returns to the
     * object ({@code shmem_swapin_folio()} puts it back in the page cache), which takes its
     * reference and lets go of its use of the swap slot.
     */
    private void shmemSwappedIn(Vma vma, long va, long entry, long pte) {
        ShmemPages object = vma.anonVma().shmem();
        if (object == null || !Pte.present(pte)) {
            return;
        }
        long index = vma.linearIndex(va);
        if (object.get(index) != entry) {
            return;
        }
        int pfn = Pte.pfn(pte);
        object.put(index, pfn);
        frames.addRefcount(pfn, 1);
        k.hooks.swapEntryFreed(entry);
    }

    /**
     * {@code do_read_fault()} -> {@code do_fault_around()} for a shared anonymous (shmem) area,
     * whose {@code ->map_pages} is {@code filemap_map_pages()} too: maps every page the shmem
     * object holds in the {@code fault_around_bytes} window around {@code va} (aligned, clamped
     * to the VMA and this PTE table) whose PTE is none; swapped-out slots are left for their own
     * fault. Returns true if that mapped the page at {@code va}.
     */
    private boolean shmemFaultAround(Task task, Vma vma, long va, long[] ptes, int i) {
        ShmemPages object = vma.anonVma().shmem();
        long nr = fileFaults == null ? 1 : fileFaults.faultAroundPages();
        if (object == null || nr <= 1) {
            return false;
        }
        long vmaOff = (va - vma.start()) >>> 12;
        long fromPte = Math.max(i & -nr, i - Math.min(i, vmaOff));
        long toPte = Math.min(Math.min(fromPte + nr, 512), i + ((vma.end() - vma.start()) >>> 12) - vmaOff) - 1;
        long index = vma.linearIndex(va);
        boolean mapped = false;
        for (long j = fromPte; j <= toPte; j++) {
            if (ptes[(int) j] != 0) {
                continue;
            }
            long slot = object.get(index + j - i);
            if (slot == ShmemPages.NONE || Pte.isSwap(slot)) {
                continue;
            }
            mapShmemPage(task.mm(), vma, ptes, (int) j, (int) slot);
            mapped |= j == i;
        }
        return mapped;
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
            frames.addRefcount(head, 1);
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
        ShmemPages object = vma.anonVma().shmem();
        if (object != null && object.size() > 0) {
            long first = vma.linearIndex(haddr);
            for (long x = first; x < first + Kernel.HPAGE_PMD_NR; x++) {
                if (object.get(x) != ShmemPages.NONE) {
                    return true; // the object holds small pages (or their swap entries) there
                }
            }
        }
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
        int pfn = allocUserPage(task, vma, va, node);
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0);
        mapNewAnonPage(task.cpu(), vma, va, ptes, i, pfn, k.cost.zero4kPs, bits);
        mm.rssAnon++;
        ShmemPages object = vma.anonVma().shmem();
        if (object != null) {
            // shmem_get_folio_gfp(): a new zeroed page enters the object's page cache, which
            // holds a reference of its own (a minor fault: no I/O); shmem_add_to_page_cache()
            // allocates the xarray nodes its index needs, charged to the task's group
            long index = vma.linearIndex(va);
            for (int n = object.xaNewNodes(index); n > 0; n--) {
                object.xaCharged(k.hooks.chargeSlabObjectNowaitFirst(mm, AccountedSlabs.RADIX_TREE_NODE, task.cpu()));
            }
            object.xaInsert(index);
            object.put(index, pfn);
            frames.addRefcount(pfn, 1);
        }
    }

    /** Maps a new, exclusive anonymous page: charges zeroing or copying, one mapping, the reclaim policy told. */
    private void mapNewAnonPage(int cpu, Vma vma, long va, long[] ptes, int i, int pfn, long costPs, long bits) {
        // a page on a node of lower bandwidth takes longer to clear or copy (docs/numa.md, "Cost model")
        k.clock.advance(k.topology.pageTransferPs(costPs, k.nodeOfCpu(cpu), frames.nodeOf(pfn)));
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 1);
        k.newAnonFolio(pfn, 0, vma, va);
        ptes[i] = Pte.make(pfn, bits);
    }

    /** {@code do_wp_page()}: reuse an exclusive anonymous page, or copy it (or zero-fill a page replacing the zero page). */
    private void wpFault(Task task, Mm mm, Vma vma, long va, long[] ptes, int i, long pte, int node) {
        int old = Pte.pfn(pte);
        if (old == k.zeroPfn) {
            if ((pte & Pte.DIRTY) != 0) {
                k.ksm.zeroPageUnmapped(mm); // a zero page KSM mapped (KSM, issue 11)
            }
            int pfn = allocUserPage(task, vma, va, node);
            mapNewAnonPage(task.cpu(), vma, va, ptes, i, pfn, k.cost.zero4kPs, WRITABLE_PTE);
            mm.rssAnon++; // the zero page was not counted
            k.vmstat.count(VmEvent.COW_FAULT);
            k.flushTlbPage(mm, va);
            return;
        }
        // wp_can_reuse_anon_folio(): a KSM page is never reused, a write copies it (KSM, issue 11)
        if (k.totalMapcount(old) == 1 && !frames.test(old, PageFrames.PG_KSM)
                && (!frames.test(old, PageFrames.PG_SWAPCACHE) || k.hooks.freeSwapCache(old))) {
            // wp_page_reuse(): the page is exclusive to this mapping and no swap entry still names
            // it; wp_can_reuse_anon_folio() first frees its swap-cache slot (folio_free_swap())
            ptes[i] = pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
            k.vmstat.count(VmEvent.PGREUSE);
            k.flushTlbPage(mm, va);
            return;
        }
        frames.addRefcount(old, 1); // pinned while allocating, so reclaim leaves it (reclaim, issue 3)
        int pfn;
        try {
            pfn = allocUserPage(task, vma, va, node);
        } finally {
            frames.addRefcount(old, -1);
        }
        mapNewAnonPage(task.cpu(), vma, va, ptes, i, pfn, k.cost.copy4kPs, WRITABLE_PTE);
        k.contents.set(pfn, k.contents.get(old)); // the copy holds what the original held
        k.putAnonPage(old, task.cpu());
        k.vmstat.count(VmEvent.COW_FAULT);
        k.flushTlbPage(mm, va);
    }

    /** True if the PMD-aligned range around {@code va} lies in the VMA and may hold a THP ({@code thp_vma_suitable_order()}). */
    private boolean hugeSuitable(Vma vma, long va) {
        if ((vma.flags() & UffdHooks.VM_UFFD_FLAGS) != 0) {
            // vmsim resolves userfaults in 4 KiB pages: a registered anonymous or shmem area
            // takes no huge page (userfaultfd, issue 12; see docs/userfaultfd.md)
            return false;
        }
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
        k.anonVmaPrepare(vma); // do_huge_pmd_anonymous_page() -> vmf_anon_prepare() (none for shmem)
        if (vma.policy() != null || task.mempolicy.policy() != null) {
            node = k.allocationNode(task, vma, haddr, Kernel.HPAGE_PMD_ORDER); // an interleave index of the folio's order
        }
        int head = k.allocPagesMpol(gfp, Kernel.HPAGE_PMD_ORDER, cpu, node);
        if (head < 0) {
            k.vmstat.count(shmem ? VmEvent.THP_FILE_FALLBACK : VmEvent.THP_FAULT_FALLBACK);
            return false;
        }
        if (!k.hooks.tryChargeHuge(mm, Kernel.HPAGE_PMD_NR, gfp)) {
            // vma_alloc_anon_folio_pmd(): mem_cgroup_charge() failed, the folio is put, 4 KiB pages instead
            frames.setRefcount(head, 0);
            k.allocator.freePages(head, Kernel.HPAGE_PMD_ORDER, cpu);
            k.vmstat.count(shmem ? VmEvent.THP_FILE_FALLBACK : VmEvent.THP_FAULT_FALLBACK);
            if (!shmem) {
                k.vmstat.count(VmEvent.THP_FAULT_FALLBACK_CHARGE);
            }
            return false;
        }
        int dep = k.tables.allocTable(cpu, node);
        if (dep < 0) {
            k.allocator.freePages(head, Kernel.HPAGE_PMD_ORDER, cpu);
            k.vmstat.count(shmem ? VmEvent.THP_FILE_FALLBACK : VmEvent.THP_FAULT_FALLBACK);
            return false;
        }
        k.clock.advance(k.cost.pgtableAllocPs + k.topology.pageTransferPs(k.cost.zero2mPs, k.nodeOfCpu(cpu), frames.nodeOf(head)));
        k.deposit(mm, pmdTable, dep);
        frames.setRefcount(head, 1);
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
        if (head != k.hugeZeroPfn && frames.refcount(head) == 1 && k.entireMapcount(head) == 1) {
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

    private int allocUserPage(Task task, Vma vma, long va, int node) {
        k.anonVmaPrepare(vma); // vmf_anon_prepare(): before the page is allocated
        k.hooks.beforeUserAlloc(task.mm(), 1, task.cpu()); // memory cgroup limits (reclaim, issue 3)
        int pfn = k.allocPagesMpol(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), node);
        if (pfn < 0) {
            throw new WorkloadException(String.format("out of memory: %s (pid %d) faulting at 0x%x; "
                    + "reclaim made no progress and the OOM killer found nothing to kill", task.comm(), task.pid(), va));
        }
        return pfn;
    }
}
