package io.vmsim.core.mm;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.pgtable.Pte;

/**
 * The reverse map ({@code mm/rmap.c}): from a frame to every page-table entry that maps it,
 * through the anon_vma of an anonymous page. A subpage of a huge page is found both where a
 * PMD maps the whole folio and where a PTE maps the subpage.
 */
public final class Rmap {
    /** Receives each mapping; returns false to stop the walk. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param mm      the address space
         * @param vma     the area
         * @param address the virtual address of the page (of the PMD range for a PMD mapping)
         * @param table   the frame of the table holding the entry
         * @param index   the entry's index in that table
         * @param level   1 for a PTE, 2 for a PMD
         */
        boolean visit(Mm mm, Vma vma, long address, int table, int index, int level);
    }

    private final Kernel k;

    public Rmap(Kernel kernel) {
        this.k = kernel;
    }

    /** {@code rmap_walk()}: visits every entry mapping {@code pfn}; returns how many were visited. */
    public int walk(int pfn, Visitor v) {
        PageFrames f = k.frames;
        if (f.test(pfn, PageFrames.PG_FILE)) {
            return walkFile(pfn, v);
        }
        if (!f.test(pfn, PageFrames.PG_ANON)) {
            return 0;
        }
        if (f.test(pfn, PageFrames.PG_KSM)) {
            return k.ksm.rmapWalk(pfn, v); // rmap_walk_ksm() (KSM, issue 11)
        }
        boolean compound = f.test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL);
        int head = compound ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
        // a folio's anon_vma is the head's: the first tail's mapping field holds the entire mapcount
        AnonVma av = k.anonVmas.get(f.mapping(head));
        long index = f.index(pfn) & 0xffffffffL;
        int visited = 0;
        for (Vma vma : av.vmas()) {
            long address = vma.address(index);
            if (address < 0) {
                continue;
            }
            Mm mm = vma.mm;
            if (mm.pgd < 0) {
                continue;
            }
            int pmdTable = k.walkNoAlloc(mm, address, 2);
            if (pmdTable < 0) {
                continue;
            }
            int pi = Pte.index(address, 2);
            long pmd = k.tables.table(pmdTable)[pi];
            if (pmd == 0 || !Pte.present(pmd)) {
                continue;
            }
            if (Pte.huge(pmd)) {
                if (compound && Pte.pfn(pmd) == head) {
                    visited++;
                    if (!v.visit(mm, vma, address & ~(Kernel.HPAGE_PMD_SIZE - 1), pmdTable, pi, 2)) {
                        return visited;
                    }
                }
                continue;
            }
            int pt = Pte.pfn(pmd);
            int i = Pte.index(address, 1);
            long pte = k.tables.table(pt)[i];
            if (Pte.present(pte) && Pte.pfn(pte) == pfn) {
                visited++;
                if (!v.visit(mm, vma, address, pt, i, 1)) {
                    return visited;
                }
            }
        }
        return visited;
    }

    /**
     * {@code rmap_walk_file()}: visits the PTEs mapping a page-cache page. The file's
     * {@code i_mmap} tree is found by looking for areas of that file in every live mm; a
     * simulation has few areas, so this costs less than keeping an interval tree in step with
     * every split (reclaim, issue 3).
     */
    private int walkFile(int pfn, Visitor v) {
        int file = k.frames.mapping(pfn);
        long index = k.frames.index(pfn) & 0xffffffffL;
        int visited = 0;
        for (Mm mm : k.mms()) {
            if (mm.pgd < 0) {
                continue;
            }
            for (Vma vma : mm.vmas.values()) {
                if (vma.file != file) {
                    continue;
                }
                long address = vma.address(index);
                if (address < 0) {
                    continue;
                }
                int pt = k.walkNoAlloc(mm, address, 1);
                if (pt < 0) {
                    continue;
                }
                int i = Pte.index(address, 1);
                long pte = k.tables.table(pt)[i];
                if (Pte.present(pte) && Pte.pfn(pte) == pfn) {
                    visited++;
                    if (!v.visit(mm, vma, address, pt, i, 1)) {
                        return visited;
                    }
                }
            }
        }
        return visited;
    }

    /**
     * {@code folio_referenced()}: tests and clears the accessed bit of every mapping of the
     * page; returns how many were set. As x86's {@code ptep_clear_flush_young()}, it does not
     * flush the TLB: a cached translation keeps the page looking unused until it is evicted
     * from the TLB, a known inaccuracy Linux accepts for speed.
     */
    public int referenced(int pfn) {
        int[] young = new int[1];
        walk(pfn, (mm, vma, address, table, index, level) -> {
            long[] t = k.tables.table(table);
            if ((t[index] & Pte.ACCESSED) != 0) {
                t[index] &= ~Pte.ACCESSED;
                young[0]++;
            }
            return true;
        });
        return young[0];
    }
}
