package io.vmsim.core.mmu;

import java.util.Arrays;

/**
 * Intel's paging-structure caches: small fully associative caches of upper-level entries that
 * let a walk start lower in the tree. Level {@code k} (1..3) maps the virtual-address prefix
 * {@code va >>> (12 + 9k)} of one address space to the frame of the table at level {@code k},
 * so a hit leaves only {@code k} references to make. INVLPG and CR3 writes flush them
 * (Intel SDM vol. 3, 4.10.3 and 4.10.4); so does this model on any TLB flush.
 */
final class PageWalkCache {
    private final long[][] keys = new long[4][];
    private final int[][] tables = new int[4][];
    private final long[][] stamps = new long[4][];
    private long tick;

    /** Entries of the PDE cache (k=1), PDPTE cache (k=2) and PML4E cache (k=3). */
    PageWalkCache(int pde, int pdpte, int pml4) {
        int[] sizes = {0, pde, pdpte, pml4};
        for (int k = 1; k <= 3; k++) {
            keys[k] = new long[sizes[k]];
            tables[k] = new int[sizes[k]];
            stamps[k] = new long[sizes[k]];
            Arrays.fill(keys[k], -1L);
        }
    }

    private static long key(long va, int k, int pcid) {
        return (va >>> (12 + 9 * k)) | ((long) pcid << 48);
    }

    /** The table frame at level {@code k} covering {@code va}, or -1. */
    int lookup(long va, int k, int pcid) {
        long key = key(va, k, pcid);
        long[] ks = keys[k];
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == key) {
                stamps[k][i] = ++tick;
                return tables[k][i];
            }
        }
        return -1;
    }

    void insert(long va, int k, int pcid, int tablePfn) {
        long[] ks = keys[k];
        if (ks.length == 0) {
            return;
        }
        long key = key(va, k, pcid);
        int victim = 0;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == key) {
                victim = i;
                break;
            }
            long s = ks[i] == -1L ? Long.MIN_VALUE : stamps[k][i];
            if (s < oldest) {
                oldest = s;
                victim = i;
            }
        }
        ks[victim] = key;
        tables[k][victim] = tablePfn;
        stamps[k][victim] = ++tick;
    }

    void flush() {
        for (int k = 1; k <= 3; k++) {
            Arrays.fill(keys[k], -1L);
        }
    }
}
