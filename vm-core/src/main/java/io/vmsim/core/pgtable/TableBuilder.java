package io.vmsim.core.pgtable;

/**
 * Builds mappings in a page-table tree directly, for trees that no simulated process owns:
 * the EPT/NPT tables of a hypervisor and the tables of a guest in the nested-walk measurement.
 */
public final class TableBuilder {
    private final PageTables tables;
    private final int levels;
    private long tablesAllocated;

    public TableBuilder(PageTables tables, int levels) {
        this.tables = tables;
        this.levels = levels;
    }

    /** Allocates an empty root table. */
    public int newRoot(int cpu, int node) {
        int root = tables.allocTable(cpu, node);
        if (root < 0) {
            throw new IllegalStateException("out of memory for a page-table root");
        }
        tablesAllocated++;
        return root;
    }

    /**
     * Maps {@code va} to frame {@code pfn} with a leaf at {@code leafLevel} (1 = 4K PTE, 2 = 2M
     * PMD, 3 = 1G PUD), allocating intermediate tables as needed.
     */
    public void map(int root, long va, int pfn, int leafLevel, long bits, int cpu, int node) {
        int table = root;
        for (int level = levels; level > leafLevel; level--) {
            long[] t = tables.table(table);
            int idx = Pte.index(va, level);
            long e = t[idx];
            if (e == 0) {
                int nt = tables.allocTable(cpu, node);
                if (nt < 0) {
                    throw new IllegalStateException("out of memory for a page table");
                }
                tablesAllocated++;
                t[idx] = Pte.make(nt, Pte.TABLE_BITS);
                table = nt;
            } else if (Pte.huge(e)) {
                throw new IllegalStateException("0x" + Long.toHexString(va) + " is already mapped by a huge leaf at level " + level);
            } else {
                table = Pte.pfn(e);
            }
        }
        tables.table(table)[Pte.index(va, leafLevel)] = Pte.make(pfn, bits | (leafLevel > 1 ? Pte.HUGE : 0));
    }

    /** Tables this builder allocated. */
    public long tablesAllocated() {
        return tablesAllocated;
    }
}
