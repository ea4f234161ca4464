package io.vmsim.core.pgtable;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;

import java.util.Arrays;

/**
 * Storage of every page-table page. A table is a real allocated frame (flag
 * {@link PageFrames#PG_PGTABLE}, counted in meminfo's {@code PageTables}); its 512 entries live
 * in a {@code long[512]} slot whose number is kept in the frame's {@code priv} field, so the
 * per-frame metadata stays 32 bytes. Slots are recycled and never garbage.
 */
public final class PageTables {
    private final PageFrames frames;
    private final PageAllocator allocator;
    private long[][] slots = new long[1024][];
    private int nrSlots;
    private int[] freeSlots = new int[256];
    private int nrFreeSlots;
    private long nrTables;
    private Accounting accounting;

    /**
     * Memory-cgroup accounting of page-table pages: {@code GFP_PGTABLE_USER} includes
     * {@code __GFP_ACCOUNT} (include/asm-generic/pgalloc.h), so each table of a user address
     * space is charged to the memory cgroup of the task that allocates it.
     */
    public interface Accounting {
        /** {@code try_charge_memcg()} of one page to group {@code memcg} by a task on {@code cpu}: may reclaim or OOM-kill. */
        void tryCharge(int memcg, int cpu);

        /** The charged page is table {@code pfn}. */
        void charged(int pfn, int memcg);

        /** Table {@code pfn} is freed on {@code cpu}: its charge, if any, is given back. */
        void uncharge(int pfn, int cpu);
    }

    public PageTables(PageFrames frames, PageAllocator allocator) {
        this.frames = frames;
        this.allocator = allocator;
    }

    /**
     * Allocates a zeroed page-table page on {@code node}, or returns -1 if memory is exhausted.
     * Like {@code pte_alloc_one()}, this uses GFP_PGTABLE_USER, which may reclaim.
     */
    public int allocTable(int cpu, int node) {
        return allocTable(cpu, node, 0);
    }

    /** Sets the memory-cgroup accounting of the tables (none: nothing is charged). */
    public void setAccounting(Accounting a) {
        this.accounting = a;
    }

    /**
     * As {@link #allocTable(int, int)}, charging the table to memory cgroup {@code memcg} (0,
     * the root: not charged).
     */
    public int allocTable(int cpu, int node, int memcg) {
        return allocTable(cpu, node, memcg, -1L);
    }

    /** As {@link #allocTable(int, int, int)} within the nodes of {@code nodemask} (a task's MPOL_BIND; -1 for all). */
    public int allocTable(int cpu, int node, int memcg, long nodemask) {
        boolean charge = memcg != 0 && accounting != null;
        if (charge) {
            accounting.tryCharge(memcg, cpu);
        }
        int pfn = allocator.allocPages(Gfp.GFP_PGTABLE_USER, 0, cpu, node, nodemask);
        if (pfn < 0) {
            return -1;
        }
        if (charge) {
            accounting.charged(pfn, memcg);
        }
        int slot;
        if (nrFreeSlots > 0) {
            slot = freeSlots[--nrFreeSlots];
            Arrays.fill(slots[slot], 0L);
        } else {
            if (nrSlots == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            slot = nrSlots++;
            slots[slot] = new long[512];
        }
        frames.set(pfn, PageFrames.PG_PGTABLE);
        frames.setPriv(pfn, slot);
        nrTables++;
        return pfn;
    }

    /** Frees a page-table page; its entries must already be cleared by the caller. */
    public void freeTable(int pfn, int cpu) {
        if (!frames.test(pfn, PageFrames.PG_PGTABLE)) {
            throw new IllegalStateException("PFN " + pfn + " is not a page-table page");
        }
        if (accounting != null) {
            accounting.uncharge(pfn, cpu);
        }
        int slot = frames.priv(pfn);
        if (nrFreeSlots == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[nrFreeSlots++] = slot;
        frames.clear(pfn, PageFrames.PG_PGTABLE);
        frames.setPriv(pfn, 0);
        frames.setRefcount(pfn, 0);
        nrTables--;
        allocator.freePages(pfn, 0, cpu);
    }

    /** The 512 entries of the table held by frame {@code pfn}. */
    public long[] table(int pfn) {
        return slots[frames.priv(pfn)];
    }

    /** Number of page-table pages allocated now. */
    public long nrTables() {
        return nrTables;
    }

    /** True if every entry of the table is empty. */
    public boolean isEmpty(int pfn) {
        long[] t = table(pfn);
        for (long e : t) {
            if (e != 0) {
                return false;
            }
        }
        return true;
    }
}
