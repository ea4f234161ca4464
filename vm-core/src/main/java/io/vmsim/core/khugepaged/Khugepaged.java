package io.vmsim.core.khugepaged;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;

import java.util.List;

/**
 * {@code khugepaged} ({@code mm/khugepaged.c}): a kernel thread that wakes every
 * {@code scan_sleep_millisecs}, scans {@code pages_to_scan} PTEs' worth of PMD ranges of
 * THP-eligible areas (each range counts {@value Kernel#HPAGE_PMD_NR}, as
 * {@code khugepaged_scan_mm_slot()} counts it), and collapses a range of 512 PTEs into a
 * newly allocated huge page when the huge-page policy agrees ({@code hpage_collapse_scan_pmd()}
 * counts the empty, swapped, shared and young entries it is given). After a failed allocation
 * it sleeps {@code alloc_sleep_millisecs}. One pass over every address space is a
 * {@code full_scans}.
 *
 * <p>{@code collapse_huge_page()}: the new page is allocated (with direct compaction when
 * {@code khugepaged/defrag} is set), each present page copied and each empty one zeroed, the
 * 512 PTEs replaced by one PMD, the old pages released and the emptied PTE table deposited
 * under the PMD so that a later split cannot fail. {@link #collapseRange} is
 * {@code madvise(MADV_COLLAPSE)}: synchronous, with direct reclaim and compaction, and blind to
 * the {@code max_ptes_*} limits. The new page is charged to the memory cgroup before the
 * collapse ({@code alloc_charge_folio()}); if the group has no room for it even after reclaim,
 * the range is left alone ({@code SCAN_CGROUP_CHARGE_FAIL}). Simplification: ranges with swapped-out entries are not
 * collapsed (no swap-in here), and areas are eligible by the {@code enabled} knob and
 * {@code MADV_HUGEPAGE}/{@code MADV_NOHUGEPAGE} only ({@code thp_vma_allowable_order()}).
 */
public final class Khugepaged implements Daemons.Daemon {
    private final Kernel k;
    private final PageFrames frames;
    private final int pagesToScan;
    private final long scanSleepNs;
    private final long allocSleepNs;
    private final boolean defrag;
    private int mmCursor;
    private long addrCursor;
    private long pagesCollapsed;
    private long fullScans;
    private Migrator.MoveListener copyListener = (from, to) -> { };

    /** Outcome of scanning one PMD range. */
    enum Scan { NOT_ELIGIBLE, DECLINED, COLLAPSED, ALLOC_FAILED, CGROUP_CHARGE_FAIL, ALREADY_HUGE, DEMOTED }

    public Khugepaged(Kernel kernel, int pagesToScan, long scanSleepMs, long allocSleepMs, boolean defrag) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.pagesToScan = pagesToScan;
        this.scanSleepNs = scanSleepMs * 1_000_000L;
        this.allocSleepNs = allocSleepMs * 1_000_000L;
        this.defrag = defrag;
    }

    /** Told of each page copied into a new huge page (old frame, new subpage frame), e.g. by tests. */
    public void setCopyListener(Migrator.MoveListener listener) {
        this.copyListener = listener;
    }

    @Override
    public String name() {
        return "khugepaged";
    }

    /** How long to wait before the first scan. */
    public long scanSleepNs() {
        return scanSleepNs;
    }

    /** {@code khugepaged/pages_collapsed}. */
    public long pagesCollapsed() {
        return pagesCollapsed;
    }

    /** {@code khugepaged/full_scans}. */
    public long fullScans() {
        return fullScans;
    }

    @Override
    public long run(long nowNs) {
        if ("never".equals(k.thpEnabled)) {
            return -1; // enabled=never: khugepaged quits
        }
        return scan(pagesToScan) ? allocSleepNs : scanSleepNs;
    }

    /**
     * {@code khugepaged_do_scan()}: scans up to {@code budget} pages' worth of PMD ranges from
     * where the last scan stopped. Returns true if a huge-page allocation failed.
     */
    public boolean scan(int budget) {
        int progress = 0;
        boolean wrapped = false;
        while (progress < budget) {
            List<Mm> mms = k.mms();
            if (mmCursor >= mms.size()) {
                mmCursor = 0;
                addrCursor = 0;
                fullScans++;
                k.vmstat.count(VmEvent.KHUGEPAGED_FULL_SCANS);
                if (wrapped || mms.isEmpty()) {
                    return false;
                }
                wrapped = true;
            }
            Mm mm = mms.get(mmCursor);
            long haddr = -1;
            Vma vma = null;
            for (Vma v : mm.vmas()) {
                if (v.end() <= addrCursor || !eligible(v)) {
                    continue;
                }
                long h = (Math.max(v.start(), addrCursor) + Kernel.HPAGE_PMD_SIZE - 1) & ~(Kernel.HPAGE_PMD_SIZE - 1);
                if (h + Kernel.HPAGE_PMD_SIZE <= v.end()) {
                    haddr = h;
                    vma = v;
                    break;
                }
            }
            if (vma == null) {
                mmCursor++;
                addrCursor = 0;
                continue;
            }
            addrCursor = haddr + Kernel.HPAGE_PMD_SIZE;
            progress += Kernel.HPAGE_PMD_NR;
            if (scanPmd(mm, vma, haddr, 0, false) == Scan.ALLOC_FAILED) {
                return true;
            }
        }
        return false;
    }

    /** {@code thp_vma_allowable_order()} for khugepaged: anonymous, private, not excluded, allowed by {@code enabled}. */
    boolean eligible(Vma v) {
        if (!v.isAnon() || v.hasAny(VmaFlags.VM_SHARED | VmaFlags.VM_NOHUGEPAGE | VmaFlags.VM_HUGETLB)) {
            return false;
        }
        return switch (k.thpEnabled) {
            case "always" -> true;
            case "madvise" -> v.has(VmaFlags.VM_HUGEPAGE);
            default -> false;
        };
    }

    /**
     * {@code madvise(MADV_COLLAPSE)} over {@code [start, end)} of one area: every PMD range that
     * lies inside is collapsed now if it has at least one present page. Returns the number of
     * ranges PMD-mapped afterwards.
     */
    public int collapseRange(Mm mm, Vma vma, long start, long end, int cpu) {
        int ok = 0;
        if (!vma.isAnon() || vma.hasAny(VmaFlags.VM_SHARED | VmaFlags.VM_HUGETLB)) {
            return 0;
        }
        long first = (Math.max(start, vma.start()) + Kernel.HPAGE_PMD_SIZE - 1) & ~(Kernel.HPAGE_PMD_SIZE - 1);
        for (long h = first; h + Kernel.HPAGE_PMD_SIZE <= Math.min(end, vma.end()); h += Kernel.HPAGE_PMD_SIZE) {
            Scan s = scanPmd(mm, vma, h, cpu, true);
            if (s == Scan.COLLAPSED || s == Scan.ALREADY_HUGE) {
                ok++;
            }
        }
        k.vmstat.add(VmEvent.MADV_COLLAPSE_OK, ok);
        return ok;
    }

    /**
     * A PMD-mapped huge page: test and clear its accessed bit (flushing the TLB entry, as
     * {@code pmdp_clear_flush_young()} does on x86), count consecutive idle visits in the folio
     * (kept in its third page, as Linux keeps folio fields in tail pages), and split it if the
     * policy wants it demoted.
     */
    private Scan visitHuge(Mm mm, Vma vma, long haddr, long[] pmdT, int pi, int cpu) {
        long pmd = pmdT[pi];
        int head = Pte.pfn(pmd);
        if (head == k.hugeZeroPfn || !frames.test(head, PageFrames.PG_HEAD) || !frames.test(head, PageFrames.PG_ANON)) {
            return Scan.ALREADY_HUGE;
        }
        int idle;
        if ((pmd & Pte.ACCESSED) != 0) {
            pmdT[pi] = pmd & ~Pte.ACCESSED;
            k.flushTlbPage(mm, haddr);
            idle = 0;
        } else {
            idle = frames.priv(head + 2) + 1;
        }
        frames.setPriv(head + 2, idle);
        if (!k.thp.shouldSplit(vma, haddr, idle)) {
            return Scan.ALREADY_HUGE;
        }
        frames.setPriv(head + 2, 0);
        k.huge.splitFolio(head, cpu);
        k.vmstat.count(VmEvent.THP_DEMOTED);
        return Scan.DEMOTED;
    }

    /** {@code hpage_collapse_scan_pmd()}: count the range's entries, ask the policy, collapse. */
    Scan scanPmd(Mm mm, Vma vma, long haddr, int cpu, boolean madvCollapse) {
        int pmdTable = k.walkNoAlloc(mm, haddr, 2);
        if (pmdTable < 0) {
            return Scan.NOT_ELIGIBLE;
        }
        long[] pmdT = k.tables.table(pmdTable);
        int pi = Pte.index(haddr, 2);
        long pmd = pmdT[pi];
        if (pmd == 0) {
            return Scan.NOT_ELIGIBLE;
        }
        if (Pte.huge(pmd)) {
            return madvCollapse ? Scan.ALREADY_HUGE : visitHuge(mm, vma, haddr, pmdT, pi, cpu);
        }
        long[] ptes = k.tables.table(Pte.pfn(pmd));
        int none = 0;
        int swap = 0;
        int shared = 0;
        int young = 0;
        boolean writable = false;
        int node = -1;
        for (int i = 0; i < Kernel.HPAGE_PMD_NR; i++) {
            long e = ptes[i];
            if (e == 0) {
                none++;
                continue;
            }
            if (!Pte.present(e)) {
                swap++;
                continue;
            }
            int pfn = Pte.pfn(e);
            if (pfn == k.zeroPfn) {
                none++;
                continue;
            }
            if (frames.test(pfn, PageFrames.PG_KSM)) {
                return Scan.NOT_ELIGIBLE; // __collapse_huge_page_isolate(): a KSM page is never collapsed (KSM, issue 11)
            }
            if (node < 0) {
                node = frames.nodeOf(pfn);
            }
            writable |= Pte.writable(e);
            if (k.totalMapcount(pfn) > 1) {
                shared++;
            }
            if ((e & Pte.ACCESSED) != 0 || frames.test(pfn, PageFrames.PG_REFERENCED)) {
                young++;
            }
        }
        if (none == Kernel.HPAGE_PMD_NR || swap > 0 || !writable) {
            return Scan.NOT_ELIGIBLE; // SCAN_EXCEED_NONE_PTE / SCAN_EXCEED_SWAP_PTE / SCAN_PAGE_RO
        }
        if (!madvCollapse && !k.thp.shouldCollapse(vma, haddr, none, swap, shared, young)) {
            return Scan.DECLINED;
        }
        int gfp = (madvCollapse || defrag ? Gfp.GFP_TRANSHUGE : Gfp.GFP_TRANSHUGE_LIGHT) | Gfp.__GFP_COMP | Gfp.__GFP_THISNODE;
        int head = k.allocator.allocPages(gfp, Kernel.HPAGE_PMD_ORDER, cpu, Math.max(node, 0));
        if (head < 0) {
            k.vmstat.count(VmEvent.THP_COLLAPSE_ALLOC_FAILED);
            return Scan.ALLOC_FAILED;
        }
        // alloc_charge_folio() (mm/khugepaged.c): thp_collapse_alloc counts the allocation, then
        // the new folio is charged to the mm's memory cgroup; a failed charge puts it back and
        // the range is left as it is (SCAN_CGROUP_CHARGE_FAIL; no alloc_sleep, no *_alloc_failed)
        k.vmstat.count(VmEvent.THP_COLLAPSE_ALLOC);
        if (!k.hooks.tryChargeHuge(mm, Kernel.HPAGE_PMD_NR, gfp)) {
            frames.setRefcount(head, 0);
            k.allocator.freePages(head, Kernel.HPAGE_PMD_ORDER, cpu);
            return Scan.CGROUP_CHARGE_FAIL;
        }
        collapse(mm, vma, haddr, pmdTable, pi, ptes, head, cpu);
        return Scan.COLLAPSED;
    }

    /** {@code collapse_huge_page()} once the new page is allocated. */
    private void collapse(Mm mm, Vma vma, long haddr, int pmdTable, int pi, long[] ptes, int head, int cpu) {
        long[] pmdT = k.tables.table(pmdTable);
        int pt = Pte.pfn(pmdT[pi]);
        long young = 0;
        for (int i = 0; i < Kernel.HPAGE_PMD_NR; i++) {
            long e = ptes[i];
            ptes[i] = 0;
            if (e == 0 || !Pte.present(e) || Pte.pfn(e) == k.zeroPfn) {
                k.clock.advance(k.cost.zero4kPs); // __collapse_huge_page_copy() clears the holes
                continue;
            }
            int pfn = Pte.pfn(e);
            young |= e & Pte.ACCESSED;
            k.clock.advance(k.cost.copy4kPs);
            copyListener.moved(pfn, head + i);
            k.contents.set(head + i, k.contents.get(pfn)); // the copy holds what the page held (KSM, issue 11)
            boolean compound = frames.test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL);
            mm.rssAnon--;
            k.putAnonPage(pfn, cpu);
            int oldHead = pfn & ~(Kernel.HPAGE_PMD_NR - 1);
            if (compound && frames.refcount(oldHead) > 0) {
                k.huge.partiallyUnmapped(oldHead);
            }
        }
        // the emptied PTE table is the one deposited for the huge PMD (pgtable_trans_huge_deposit)
        pmdT[pi] = 0;
        k.deposit(mm, pmdTable, pt);
        mm.tablesPerLevel[1]--;
        frames.setRefcount(head, 1);
        k.setEntireMapcount(head, 1);
        k.newAnonFolio(head, Kernel.HPAGE_PMD_ORDER, vma, haddr, false, Kernel.NO_SHADOW); // a collapse is no use of the page
        k.nrAnonThps++;
        long bits = Pte.PRESENT | Pte.USER | Pte.HUGE | young
                | (vma.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0);
        if (!vma.accessible()) {
            bits = Pte.mkProtnone(bits); // mk_huge_pmd(page, vma->vm_page_prot) with PAGE_NONE
        }
        pmdT[pi] = Pte.make(head, bits);
        mm.rssAnon += Kernel.HPAGE_PMD_NR;
        k.flushTlbRange(mm, haddr, haddr + Kernel.HPAGE_PMD_SIZE);
        k.vmstat.count(VmEvent.KHUGEPAGED_PAGES_COLLAPSED);
        pagesCollapsed++;
    }
}
