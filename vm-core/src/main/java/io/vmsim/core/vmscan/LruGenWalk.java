package io.vmsim.core.vmscan;

import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;

import java.util.List;

/**
 * The two page-table scans of the multi-gen LRU ({@code mm/vmscan.c}, Linux 6.18) behind
 * {@link ScanControl#walkYoung} and {@link ScanControl#lookAround}:
 * <ul>
 *   <li>{@code walk_mm()}: every address space's tables, entry by entry in address order; a young
 *       leaf (PTE, or PMD of a huge page) that maps an LRU page of the domain being reclaimed has
 *       its accessed bit cleared ({@code ptep_test_and_clear_young()}, no TLB flush) and the page
 *       reported, once per run of entries mapping the same folio ({@code walk_update_folio()}).
 *       The kernel's Bloom filter of PMDs worth walking and its skipping of old PMDs are left out:
 *       they save time, not change what is found.</li>
 *   <li>{@code lru_gen_look_around()}: from a young PTE found by the reverse map, the present
 *       PTEs of the same table within the area, at most {@code MIN_LRU_BATCH} around it.</li>
 * </ul>
 * Both cost one {@code rmapPs} per young entry cleared. One instance per reclaim driver; the
 * walks allocate nothing.
 */
final class LruGenWalk {
    /** {@code MIN_LRU_BATCH} (BITS_PER_LONG): the look-around window. */
    static final int MIN_LRU_BATCH = 64;
    private static final long PMD_SIZE = 1L << 21;

    /** Tells whether a page belongs to the domain being reclaimed. */
    @FunctionalInterface
    interface Domain {
        boolean contains(int pfn);
    }

    private final Kernel k;
    private final PageFrames frames;
    private final Rmap rmap;
    private final long rmapPs;
    private final LookAround lookAround = new LookAround();

    // state of the walk in progress
    private Domain domain;
    private ScanControl.YoungVisitor visitor;
    private boolean anon;
    private int young;
    private int last;

    LruGenWalk(Kernel k, Rmap rmap, long rmapPs) {
        this.k = k;
        this.frames = k.frames;
        this.rmap = rmap;
        this.rmapPs = rmapPs;
    }

    /** {@link ScanControl#walkYoung}: returns the young entries found and cleared. */
    int walkYoung(Domain d, boolean withAnon, ScanControl.YoungVisitor v) {
        this.domain = d;
        this.visitor = v;
        this.anon = withAnon;
        this.young = 0;
        List<Mm> mms = k.mms();
        for (int m = 0; m < mms.size(); m++) {
            Mm mm = mms.get(m);
            if (mm.pgd() >= 0) {
                last = -1;
                walkTable(mm.pgd(), k.levels);
            }
        }
        k.clock.advance(young * rmapPs);
        this.visitor = null;
        this.domain = null;
        return young;
    }

    private void walkTable(int table, int level) {
        long[] t = k.tables.table(table);
        for (int i = 0; i < 512; i++) {
            long e = t[i];
            if ((e & Pte.PRESENT) == 0) {
                continue; // none, swap entry, or PROT_NONE: the hardware sets no accessed bit there
            }
            if (level > 1 && !Pte.huge(e)) {
                walkTable(Pte.pfn(e), level - 1);
                continue;
            }
            if (level > 2) {
                continue; // a PUD leaf is a hugetlb page, never on the LRU
            }
            int head = eligible(e);
            if (head < 0 || (!anon && frames.test(head, PageFrames.PG_ANON))) {
                continue;
            }
            t[i] = e & ~Pte.ACCESSED;
            young++;
            if (head != last) {
                last = head;
                visitor.young(head);
            }
        }
    }

    /** The folio head an entry maps if the entry is young and the folio an LRU page of the domain; else -1. */
    private int eligible(long e) {
        if ((e & Pte.ACCESSED) == 0 || (e & Pte.SPECIAL) != 0) {
            return -1;
        }
        int pfn = Pte.pfn(e);
        if (pfn < 0 || pfn >= frames.nrFrames() || pfn == k.zeroPfn || pfn == k.hugeZeroPfn) {
            return -1;
        }
        int head = frames.test(pfn, PageFrames.PG_TAIL) ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
        if (!frames.test(head, PageFrames.PG_LRU) || !domain.contains(head)) {
            return -1;
        }
        return head;
    }

    /**
     * {@link ScanControl#lookAround} for {@code pfn}: returns the PTEs of the page found young;
     * neighbours found young are reported to {@code v}.
     */
    int lookAround(int pfn, Domain d, ScanControl.YoungVisitor v) {
        this.domain = d;
        this.visitor = v;
        this.young = 0;
        lookAround.own = 0;
        rmap.walk(pfn, lookAround);
        int own = lookAround.own;
        k.clock.advance((1 + own + young) * rmapPs);
        this.visitor = null;
        this.domain = null;
        return own;
    }

    /** The reverse-map visitor of {@link #lookAround}, one reusable instance. */
    private final class LookAround implements Rmap.Visitor {
        int own;

        @Override
        public boolean visit(Mm mm, Vma vma, long address, int table, int index, int level) {
            long[] t = k.tables.table(table);
            if ((t[index] & Pte.ACCESSED) == 0) {
                return true;
            }
            t[index] &= ~Pte.ACCESSED;
            own++;
            if (level != 1) {
                return true; // only a PTE-mapped page looks around (pvmw.pte)
            }
            long start = Math.max(address & ~(PMD_SIZE - 1), vma.start());
            long end = Math.min(address | (PMD_SIZE - 1), vma.end() - 1) + 1;
            long window = (long) MIN_LRU_BATCH << 12;
            if (end - start > window) {
                if (address - start < window / 2) {
                    end = start + window;
                } else if (end - address < window / 2) {
                    start = end - window;
                } else {
                    start = address - window / 2;
                    end = address + window / 2;
                }
            }
            last = -1;
            for (long a = start; a < end; a += 4096) {
                int i = index + (int) ((a - address) >> 12);
                long e = t[i];
                if ((e & Pte.PRESENT) == 0) {
                    continue;
                }
                int head = eligible(e);
                if (head < 0) {
                    continue;
                }
                t[i] = e & ~Pte.ACCESSED;
                young++;
                if (head != last) {
                    last = head;
                    visitor.young(head);
                }
            }
            return true;
        }
    }
}
