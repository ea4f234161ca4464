package io.vmsim.core.hugepage;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code split_huge_page()} and the deferred split queue of {@code mm/huge_memory.c}.
 *
 * <p>Splitting first replaces every PMD mapping of the folio by 512 PTEs (with the deposited
 * table, so that cannot fail: {@code unmap_folio()} with {@code TTU_SPLIT_HUGE_PMD}), then turns
 * the folio into 512 order-0 pages ({@code __split_huge_page()}): each keeps its own PTE
 * mappings as its refcount, goes on the reclaim policy's lists, and a subpage that no one maps
 * any more is freed. Like the kernel's, the split needs no memory and never fails (the design
 * rule of {@code seeds/004_*}).
 *
 * <p>A THP that loses some but not all of its PTE mappings (a partial {@code munmap} or
 * {@code MADV_DONTNEED}) is queued ({@code deferred_split_folio()}, counted as
 * {@code thp_deferred_split_page}) and split later by {@link #scanDeferred}
 * ({@code deferred_split_scan()}, a shrinker in Linux), which compaction and reclaim call under
 * pressure, freeing the unmapped subpages.
 */
public final class HugePageSplitter {
    private final Kernel k;
    private final PageFrames frames;
    private final Rmap rmap;
    private final LinkedHashSet<Integer> deferred = new LinkedHashSet<>();

    public HugePageSplitter(Kernel kernel) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.rmap = new Rmap(kernel);
    }

    /** True if {@code pfn} belongs to a compound (huge) page. */
    public boolean isThp(int pfn) {
        return frames.test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL);
    }

    /** {@code deferred_split_folio()}: queue a partially unmapped THP once. */
    public void queue(int head) {
        if (frames.test(head, PageFrames.PG_HEAD) && deferred.add(head)) {
            k.vmstat.count(VmEvent.THP_DEFERRED_SPLIT_PAGE);
        }
    }

    /** Forgets a THP that is being freed. */
    public void forget(int head) {
        deferred.remove(head);
    }

    /** THPs on the deferred split queue ({@code ds_queue->split_queue_len}). */
    public int deferredCount() {
        return deferred.size();
    }

    /**
     * {@code deferred_split_scan()}: splits up to {@code nr} queued THPs, freeing their unmapped
     * subpages. Returns the number of pages freed.
     */
    public long scanDeferred(int nr, int cpu) {
        long before = k.allocator.freePages();
        for (int i = 0; i < nr && !deferred.isEmpty(); i++) {
            int head = deferred.iterator().next();
            deferred.remove(head);
            split(head, cpu);
        }
        return k.allocator.freePages() - before;
    }

    /**
     * {@code split_huge_page()} of the THP holding {@code pfn}; does nothing for an order-0 page.
     * Never fails.
     */
    public void split(int pfn, int cpu) {
        if (!isThp(pfn)) {
            return;
        }
        int head = pfn & ~(Kernel.HPAGE_PMD_NR - 1);
        deferred.remove(head);
        // unmap_folio(): every PMD mapping becomes 512 PTEs (thp_split_pmd each)
        record PmdMap(Mm mm, int table, int index, long address) {
        }
        List<PmdMap> pmds = new ArrayList<>();
        rmap.walk(head, (mm, vma, address, table, index, level) -> {
            if (level == 2) {
                pmds.add(new PmdMap(mm, table, index, address));
            }
            return true;
        });
        for (PmdMap p : pmds) {
            k.splitHugePmd(p.mm(), p.table(), p.index(), p.address());
        }
        if (k.entireMapcount(head) != 0) {
            throw new IllegalStateException("THP at PFN " + head + " still has " + k.entireMapcount(head)
                    + " PMD mappings the rmap did not find");
        }
        // __split_huge_page(): the folio's references become the subpages' own
        boolean onLru = frames.test(head, PageFrames.PG_LRU);
        int unevictable = frames.flags(head) & (PageFrames.PG_UNEVICTABLE | PageFrames.PG_MLOCKED);
        if (onLru) {
            frames.clear(head, PageFrames.PG_LRU);
            k.reclaim.pageRemoved(head);
        }
        k.hooks.folioSplit(head, Kernel.HPAGE_PMD_NR);
        int anonVma = frames.mapping(head);
        for (int i = 0; i < Kernel.HPAGE_PMD_NR; i++) {
            int p = head + i;
            frames.setFlags(p, frames.flags(p) & (~(PageFrames.PG_HEAD | PageFrames.PG_TAIL)));
            frames.setPrev(p, -1);
            frames.setNext(p, -1);
            if (i > 0) {
                frames.setPriv(p, 0); // folio fields kept in tail pages (khugepaged's idle count)
            }
            frames.setMapping(p, anonVma);
            frames.setRefcount(p, frames.mapcount(p));
        }
        k.nrAnonThps--;
        for (int i = 0; i < Kernel.HPAGE_PMD_NR; i++) {
            int p = head + i;
            if (frames.refcount(p) == 0) {
                frames.setFlags(p, 0);
                frames.setMapping(p, 0);
                frames.setIndex(p, 0);
                k.nrAnonPages--;
                k.hooks.uncharge(p, 1);
                k.allocator.freePages(p, 0, cpu);
            } else if (onLru) {
                frames.set(p, PageFrames.PG_LRU);
                k.reclaim.pageAddedUnreferenced(p, true);
            } else {
                frames.set(p, unevictable); // still on the unevictable list, now as 512 pages
            }
        }
        k.vmstat.count(VmEvent.THP_SPLIT_PAGE);
    }
}
