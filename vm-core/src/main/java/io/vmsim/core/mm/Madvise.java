package io.vmsim.core.mm;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The madvise() advice that concerns reclaim ({@code mm/madvise.c}, Linux 6.18):
 *
 * <ul>
 *   <li>{@code MADV_COLD} ({@code madvise_cold_or_pageout_pte_range()} without pageout): for
 *       each page mapped in the range and by no other process, the accessed bits of its PTE (or
 *       PMD) are cleared, and its PG_referenced, and the reclaim policy hears
 *       {@code pageDeactivated} ({@code folio_deactivate()}): Linux moves an active page to the
 *       inactive list. Nothing visible changes: the pages stay mapped.</li>
 *   <li>{@code MADV_PAGEOUT} (the same walk with pageout, then {@code reclaim_pages()}): each such
 *       page on the LRU is reclaimed now, whatever its references: a clean file page leaves the
 *       page cache, an anonymous page is swapped out when there is swap: its PTEs become swap
 *       entries and it is written, but it stays in the swap cache, clean and on the LRU, until a
 *       later reclaim frees it (Linux's write is asynchronous; see {@code Vmscan.keepInSwapCache}).
 *       Pages that cannot be reclaimed (dirty file pages, anonymous pages without swap, which
 *       vmsim keeps off the LRU) stay as they were. The policy hears {@code pageEvictedOnRequest}
 *       for a page freed now, and {@code pageRemoved} then {@code pageAddedUnreferenced} for an
 *       anonymous page kept in the swap cache.</li>
 *   <li>{@code MADV_FREE} ({@code madvise_free_pte_range()}, private anonymous areas only): swap
 *       entries in the range are freed; each page mapped only here loses PG_dirty and the dirty
 *       and accessed bits of its PTE, and becomes lazy-free ({@code folio_mark_lazyfree()} ->
 *       {@code lru_lazyfree()}, {@code pglazyfree}): no longer swap-backed, it moves to the file
 *       LRU (the policy hears {@code pageRemoved}, then {@code pageAddedUnreferenced(pfn,
 *       false)}), from which reclaim frees it without writing it anywhere ({@code pglazyfreed}),
 *       unless it was written again meanwhile, which makes it swap-backed again. Without memory
 *       pressure the pages stay mapped with their data. Since Linux puts anonymous pages on the LRU
 *       even without swap, a lazy-free page joins the LRU there too, where vmsim otherwise keeps
 *       anonymous pages unevictable.</li>
 * </ul>
 * COLD and PAGEOUT refuse locked and hugetlb areas ({@code can_madv_lru_vma()}), FREE anything but
 * private anonymous areas without VM_LOCKED ({@code madvise_dontneed_free_valid_vma()}): EINVAL,
 * after the areas before. An unaligned start is EINVAL; a range that meets unmapped space ENOMEM,
 * after the rest was advised ({@code madvise_walk_vmas()}).
 *
 * <p>Huge pages: a PMD-mapped THP that the range covers whole is advised whole (cold: the PMD's
 * accessed bit; pageout: split first when it could be swapped, as vmsim's reclaim always splits;
 * free: the PMD is cleaned, but the THP is not made lazy-free, a simplification), one the range
 * covers in part is split first ({@code split_folio()}) when mapped only here. A PTE-mapped part of
 * a huge page, and a page in the swap cache under FREE, are left alone (Linux tries to split or
 * to free the swap slot first).
 */
final class Madvise {
    private final Kernel k;

    Madvise(Kernel kernel) {
        this.k = kernel;
    }

    /** True for the advice this class handles. */
    static boolean handles(String advice) {
        return "cold".equals(advice) || "pageout".equals(advice) || "free".equals(advice);
    }

    void advise(Mm mm, long addr, long length, String advice, int cpu) {
        if ((addr & 4095) != 0 || length < 0) {
            throw new IllegalArgumentException(String.format("madvise(0x%x, %d, %s): EINVAL (%s)", addr, length, advice,
                    length < 0 ? "negative length" : "start not page-aligned"));
        }
        long end = addr + ((length + 4095) & -4096L);
        long expected = addr;
        boolean hole = false;
        for (Vma v : MmSyscalls.affected(mm, addr, end)) {
            hole |= v.start > expected;
            expected = v.end;
            boolean ok = "free".equals(advice)
                    ? v.file == -1 && !v.hasAny(VmaFlags.VM_SHARED | VmaFlags.VM_LOCKED | VmaFlags.VM_HUGETLB)
                    : !v.hasAny(VmaFlags.VM_LOCKED | VmaFlags.VM_HUGETLB);
            if (!ok) {
                throw new IllegalArgumentException(String.format("madvise(0x%x, %d, %s): EINVAL (area %s)", addr, length,
                        advice, v));
            }
            walk(mm, Math.max(addr, v.start), Math.min(end, v.end), advice, cpu);
        }
        if (hole || expected < end) {
            throw new SyscallError("ENOMEM", String.format("madvise(0x%x, %d, %s): the range meets unmapped space", addr,
                    length, advice));
        }
    }

    private void walk(Mm mm, long start, long end, String advice, int cpu) {
        boolean free = "free".equals(advice);
        boolean pageout = "pageout".equals(advice);
        List<Integer> reclaim = new ArrayList<>();
        boolean flush = false;
        long mask = Kernel.HPAGE_PMD_SIZE - 1;
        for (long va = start; va < end; ) {
            long next = Math.min(end, (va | mask) + 1);
            int pmdTable = k.walkNoAlloc(mm, va, 2);
            if (pmdTable < 0) {
                va = next;
                continue;
            }
            long[] pmds = k.tables.table(pmdTable);
            int pi = Pte.index(va, 2);
            long pmd = pmds[pi];
            if (pmd != 0 && Pte.huge(pmd)) {
                int head = Pte.pfn(pmd);
                boolean exclusive = head != k.hugeZeroPfn && k.entireMapcount(head) == 1 && k.frames.mapcount(head) == 0
                        && frames().refcount(head) == 1;
                boolean whole = (va & mask) == 0 && next - va == Kernel.HPAGE_PMD_SIZE;
                if (!exclusive) {
                    va = next;
                    continue;
                }
                if (whole && !(pageout && frames().test(head, PageFrames.PG_LRU))) {
                    if (free) {
                        pmds[pi] = pmd & ~(Pte.ACCESSED | Pte.DIRTY);
                        frames().clear(head, PageFrames.PG_DIRTY);
                    } else {
                        pmds[pi] = pmd & ~Pte.ACCESSED;
                        coldPage(head);
                    }
                    k.flushTlbPage(mm, va);
                    va = next;
                    continue;
                }
                k.huge.splitFolio(head, cpu); // split_folio(): then page by page below
                pmd = pmds[pi];
            }
            if (pmd == 0 || Pte.huge(pmd)) {
                va = next;
                continue;
            }
            long[] ptes = k.tables.table(Pte.pfn(pmd));
            for (long a = va; a < next; a += 4096) {
                int i = Pte.index(a, 1);
                long e = ptes[i];
                if (e == 0) {
                    continue;
                }
                if (!Pte.present(e)) {
                    if (free && Pte.isSwap(e)) {
                        // madvise_free_pte_range(): the swapped-out data is dropped
                        ptes[i] = 0;
                        mm.swapEnts--;
                        k.hooks.swapEntryFreed(e);
                    }
                    continue;
                }
                int pfn = Pte.pfn(e);
                if (pfn == k.zeroPfn || frames().test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL)
                        || k.totalMapcount(pfn) != 1) {
                    continue; // the zero page, part of a huge page, or mapped elsewhere too (folio_maybe_mapped_shared())
                }
                if (free) {
                    if (!frames().test(pfn, PageFrames.PG_ANON) || frames().test(pfn, PageFrames.PG_SWAPCACHE | PageFrames.PG_KSM)) {
                        continue; // a KSM page is never made lazy-free here (KSM, issue 11; docs/ksm.md)
                    }
                    frames().clear(pfn, PageFrames.PG_DIRTY);
                    if ((e & (Pte.ACCESSED | Pte.DIRTY)) != 0) {
                        ptes[i] = e & ~(Pte.ACCESSED | Pte.DIRTY);
                        flush = true;
                    }
                    markLazyfree(pfn);
                } else if (pageout) {
                    frames().clear(pfn, PageFrames.PG_REFERENCED | PageFrames.PG_YOUNG);
                    if (frames().test(pfn, PageFrames.PG_LRU)) {
                        reclaim.add(pfn);
                    }
                } else {
                    if ((e & Pte.ACCESSED) != 0) {
                        ptes[i] = e & ~Pte.ACCESSED;
                        flush = true;
                    }
                    coldPage(pfn);
                }
            }
            va = next;
        }
        if (flush) {
            k.flushTlbRange(mm, start, end);
        }
        for (int pfn : reclaim) {
            k.hooks.reclaimOnRequest(pfn);
        }
    }

    private PageFrames frames() {
        return k.frames;
    }

    /** folio_clear_referenced(), folio_test_clear_young(), folio_deactivate(). */
    private void coldPage(int head) {
        frames().clear(head, PageFrames.PG_REFERENCED | PageFrames.PG_YOUNG);
        if (frames().test(head, PageFrames.PG_LRU)) {
            k.reclaim.pageDeactivated(head);
        }
    }

    /** {@code folio_mark_lazyfree()} and {@code lru_lazyfree()}: see the class comment. */
    private void markLazyfree(int pfn) {
        PageFrames f = frames();
        if (!f.test(pfn, PageFrames.PG_SWAPBACKED) || f.test(pfn, PageFrames.PG_MLOCKED)) {
            return;
        }
        if (f.test(pfn, PageFrames.PG_LRU)) {
            f.clear(pfn, PageFrames.PG_LRU);
            k.reclaim.pageRemoved(pfn);
        }
        f.clear(pfn, PageFrames.PG_SWAPBACKED | PageFrames.PG_UNEVICTABLE | PageFrames.PG_ACTIVE
                | PageFrames.PG_REFERENCED | PageFrames.PG_YOUNG);
        f.set(pfn, PageFrames.PG_LRU);
        k.reclaim.pageAddedUnreferenced(pfn, false);
        k.vmstat.count(VmEvent.PGLAZYFREE);
    }
}
