package io.vmsim.core.mmu;

import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.time.CostModel;
import io.vmsim.core.time.SimClock;

/**
 * The memory-management unit of one CPU: its TLB hierarchy, page-walk caches and hardware page
 * walker. {@link #translate} is the simulator's hot path: a reference that hits the L1 DTLB
 * touches a handful of array slots and allocates nothing.
 *
 * <p>The walker behaves as x86 hardware does: it sets the accessed bit in every entry it
 * traverses and the dirty bit in the leaf on a write; it does not cache non-present entries;
 * a write through a TLB entry filled from a clean PTE re-walks to set the dirty bit, and a
 * write through a read-only entry re-walks and faults if the PTE is still read-only.
 */
public final class Mmu {
    /** {@link #translate} result: the entry is not present (or a table on the way is missing). */
    public static final int FAULT_NOT_PRESENT = -1;
    /** {@link #translate} result: a write hit a read-only leaf. */
    public static final int FAULT_PROTECTION = -2;

    private static final long SZ_2M = 1L << 60;
    private static final long SZ_1G = 2L << 60;
    private static final int PCID_SHIFT = 45;

    private final TlbArray l1d4k;
    private final TlbArray l1d2m;
    private final TlbArray l1d1g;
    private final TlbArray stlb;
    private final boolean stlbHolds2m;
    private final PageWalkCache pwc;
    private final PageTables tables;
    private final int levels;
    private final SimClock clock;
    private final long accessPs;
    private final long stlbHitPs;
    private final long walkRefPs;

    /** References translated (a retry after a fault is the same reference: see {@link #faultRetries}). */
    public long accesses;
    /** Lookups that missed every L1 DTLB. */
    public long l1Misses;
    /** Lookups that also missed the STLB and walked. */
    public long stlbMisses;
    /** Page walks started (TLB misses and dirty-bit/permission re-walks). */
    public long walks;
    /** Memory references made by the walker. */
    public long walkRefs;
    /** Re-walks to set a dirty bit or re-check permission after a write through a clean or read-only entry. */
    public long dirtyAssists;
    /**
     * Translations retried after the kernel handled a fault ({@link #retry}); their walks count
     * in {@link #walks} and {@link #walkRefs}, but not as accesses or TLB misses.
     */
    public long faultRetries;
    /** Picoseconds charged for STLB lookups and walker references: a translation's cost beyond {@link #accesses}' own. */
    public long tlbMissPs;
    /** Page size shift (12, 21 or 30) of the last successful translation. */
    public int lastShift;

    public Mmu(CpuProfile profile, boolean pageWalkCaches, PageTables tables, int levels, SimClock clock, CostModel cost) {
        this.l1d4k = new TlbArray(profile.l1d4k());
        this.l1d2m = new TlbArray(profile.l1d2m());
        this.l1d1g = new TlbArray(profile.l1d1g());
        this.stlb = new TlbArray(profile.stlb());
        this.stlbHolds2m = profile.stlbHolds2m();
        this.pwc = pageWalkCaches ? new PageWalkCache(profile.pwcPde(), profile.pwcPdpte(), profile.pwcPml4()) : null;
        this.tables = tables;
        this.levels = levels;
        this.clock = clock;
        this.accessPs = cost.accessPs;
        this.stlbHitPs = cost.stlbHitPs;
        this.walkRefPs = cost.walkRefPs;
    }

    /**
     * Translates a reference. Returns the 4 KiB frame number that holds {@code va}, or
     * {@link #FAULT_NOT_PRESENT} / {@link #FAULT_PROTECTION} when the kernel must handle a fault
     * (after which the caller retries).
     *
     * @param pcid the address space's PCID
     * @param pgd  the frame of its top-level table
     */
    public int translate(int pcid, int pgd, long va, boolean write) {
        accesses++;
        clock.advance(accessPs);
        long pc = (long) pcid << PCID_SHIFT;
        long v4 = va >>> 12;
        int s = l1d4k.lookup(v4 | pc, v4);
        if (s >= 0) {
            if (write && l1d4k.perms[s] != TlbArray.WRITABLE_DIRTY) {
                return rewalk(pcid, pgd, va);
            }
            lastShift = 12;
            return l1d4k.pfns[s];
        }
        long v2 = va >>> 21;
        s = l1d2m.lookup(v2 | pc | SZ_2M, v2);
        if (s >= 0) {
            if (write && l1d2m.perms[s] != TlbArray.WRITABLE_DIRTY) {
                return rewalk(pcid, pgd, va);
            }
            lastShift = 21;
            return l1d2m.pfns[s] + (int) (v4 & 511);
        }
        long v1 = va >>> 30;
        s = l1d1g.lookup(v1 | pc | SZ_1G, v1);
        if (s >= 0) {
            if (write && l1d1g.perms[s] != TlbArray.WRITABLE_DIRTY) {
                return rewalk(pcid, pgd, va);
            }
            lastShift = 30;
            return l1d1g.pfns[s] + (int) (v4 & 0x3ffff);
        }
        l1Misses++;
        clock.advance(stlbHitPs);
        tlbMissPs += stlbHitPs;
        s = stlb.lookup(v4 | pc, v4);
        if (s >= 0) {
            if (write && stlb.perms[s] != TlbArray.WRITABLE_DIRTY) {
                return rewalk(pcid, pgd, va);
            }
            l1d4k.insert(v4 | pc, v4, stlb.pfns[s], stlb.perms[s]);
            lastShift = 12;
            return stlb.pfns[s];
        }
        if (stlbHolds2m) {
            s = stlb.lookup(v2 | pc | SZ_2M, v2);
            if (s >= 0) {
                if (write && stlb.perms[s] != TlbArray.WRITABLE_DIRTY) {
                    return rewalk(pcid, pgd, va);
                }
                l1d2m.insert(v2 | pc | SZ_2M, v2, stlb.pfns[s], stlb.perms[s]);
                lastShift = 21;
                return stlb.pfns[s] + (int) (v4 & 511);
            }
        }
        stlbMisses++;
        return walk(pcid, pgd, va, write);
    }

    /**
     * Translates {@code va} again after the kernel handled a fault on it, as a CPU re-executes
     * the faulting instruction. It is the same reference, so it counts once in
     * {@link #faultRetries} and not as another access or L1/STLB miss: misses per reference
     * then never exceed one. Its time and its walker's memory references are real and are
     * charged and counted.
     */
    public int retry(int pcid, int pgd, long va, boolean write) {
        long a = accesses;
        long l1 = l1Misses;
        long st = stlbMisses;
        int pfn = translate(pcid, pgd, va, write);
        accesses = a;
        l1Misses = l1;
        stlbMisses = st;
        faultRetries++;
        return pfn;
    }

    private int rewalk(int pcid, int pgd, long va) {
        dirtyAssists++;
        invalidate(pcid, va);
        return walk(pcid, pgd, va, true);
    }

    /** Walks the tables, sets accessed/dirty bits, and fills the TLBs on success. */
    private int walk(int pcid, int pgd, long va, boolean write) {
        walks++;
        int table = pgd;
        int level = levels;
        if (pwc != null) {
            for (int k = 1; k <= 3; k++) {
                int t = pwc.lookup(va, k, pcid);
                if (t >= 0) {
                    table = t;
                    level = k;
                    break;
                }
            }
        }
        int refs = 0;
        try {
            for (;; level--) {
                long[] t = tables.table(table);
                int idx = Pte.index(va, level);
                long e = t[idx];
                refs++;
                if ((e & Pte.PRESENT) == 0) {
                    return FAULT_NOT_PRESENT;
                }
                if (level == 1 || (e & Pte.HUGE) != 0) {
                    if (write && (e & Pte.RW) == 0) {
                        return FAULT_PROTECTION;
                    }
                    long ne = e | Pte.ACCESSED | (write ? Pte.DIRTY : 0L);
                    if (ne != e) {
                        t[idx] = ne;
                    }
                    fill(pcid, va, level, Pte.pfn(ne), ne);
                    return resultPfn(va, level, Pte.pfn(ne));
                }
                if ((e & Pte.ACCESSED) == 0) {
                    t[idx] = e | Pte.ACCESSED;
                }
                table = Pte.pfn(e);
                if (pwc != null && level - 1 <= 3) {
                    pwc.insert(va, level - 1, pcid, table);
                }
            }
        } finally {
            walkRefs += refs;
            clock.advance(refs * walkRefPs);
            tlbMissPs += refs * walkRefPs;
        }
    }

    private int resultPfn(long va, int level, int pfn) {
        lastShift = 3 + 9 * level;
        return switch (level) {
            case 1 -> pfn;
            case 2 -> pfn + (int) ((va >>> 12) & 511);
            default -> pfn + (int) ((va >>> 12) & 0x3ffff);
        };
    }

    private void fill(int pcid, long va, int level, int pfn, long e) {
        byte perm = (byte) (((e & Pte.RW) != 0 ? TlbArray.WRITABLE : 0) | ((e & Pte.DIRTY) != 0 ? TlbArray.DIRTY : 0));
        long pc = (long) pcid << PCID_SHIFT;
        if (level == 1) {
            long v = va >>> 12;
            l1d4k.insert(v | pc, v, pfn, perm);
            stlb.insert(v | pc, v, pfn, perm);
        } else if (level == 2) {
            long v = va >>> 21;
            l1d2m.insert(v | pc | SZ_2M, v, pfn, perm);
            if (stlbHolds2m) {
                stlb.insert(v | pc | SZ_2M, v, pfn, perm);
            }
        } else {
            long v = va >>> 30;
            l1d1g.insert(v | pc | SZ_1G, v, pfn, perm);
        }
    }

    /** INVLPG: drops every translation of {@code va} in this address space, of any page size, and the walk caches. */
    public void invalidate(int pcid, long va) {
        long pc = (long) pcid << PCID_SHIFT;
        long v4 = va >>> 12;
        long v2 = va >>> 21;
        long v1 = va >>> 30;
        l1d4k.invalidate(v4 | pc, v4);
        stlb.invalidate(v4 | pc, v4);
        l1d2m.invalidate(v2 | pc | SZ_2M, v2);
        stlb.invalidate(v2 | pc | SZ_2M, v2);
        l1d1g.invalidate(v1 | pc | SZ_1G, v1);
        if (pwc != null) {
            pwc.flush();
        }
    }

    /** Drops every translation of one address space (a PCID-tagged CR3 reload without the no-flush bit). */
    public void flushPcid(int pcid) {
        long mask = 0xfffL << PCID_SHIFT;
        long value = (long) pcid << PCID_SHIFT;
        l1d4k.invalidateMatching(mask, value);
        l1d2m.invalidateMatching(mask, value);
        l1d1g.invalidateMatching(mask, value);
        stlb.invalidateMatching(mask, value);
        if (pwc != null) {
            pwc.flush();
        }
    }

    /** Drops everything. */
    public void flushAll() {
        l1d4k.invalidateAll();
        l1d2m.invalidateAll();
        l1d1g.invalidateAll();
        stlb.invalidateAll();
        if (pwc != null) {
            pwc.flush();
        }
    }

    /** Page-table levels this MMU walks. */
    public int levels() {
        return levels;
    }
}
