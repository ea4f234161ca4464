package io.vmsim.core.mmu;

import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.pgtable.Pte;

/**
 * The two-dimensional page walk of hardware-assisted virtualisation (Intel EPT, AMD NPT). A
 * guest's page tables live in guest-physical memory, so every guest table entry the walker
 * reads is first translated through the host's tables (EPT), and so is the final guest-physical
 * address of the data. With {@code g} guest levels and {@code h} host levels to a leaf that makes
 * {@code g * (h + 1) + h} references: 24 for 4K/4K, 19 for guest 4K on host 2M, 15 for 2M/2M —
 * the figures of the THP commit ({@code seeds/004_*}). This class does not use that formula:
 * it walks both trees and counts the entries it reads.
 */
public final class NestedWalk {
    private final PageTables guestTables;
    private final int guestLevels;
    private final PageTables hostTables;
    private final int hostLevels;
    private final int eptRoot;

    /** Host-physical frame of the last translation. */
    private long lastHostPfn;

    /**
     * @param guestTables the guest's page tables, indexed by guest-physical frame number
     * @param guestLevels levels of the guest's tables
     * @param hostTables  the host's EPT/NPT tables, indexed by host-physical frame number
     * @param hostLevels  levels of the host's tables
     * @param eptRoot     host frame of the EPT root (the EPTP)
     */
    public NestedWalk(PageTables guestTables, int guestLevels, PageTables hostTables, int hostLevels, int eptRoot) {
        this.guestTables = guestTables;
        this.guestLevels = guestLevels;
        this.hostTables = hostTables;
        this.hostLevels = hostLevels;
        this.eptRoot = eptRoot;
    }

    /**
     * Translates guest-virtual {@code gva} through the guest tables rooted at guest frame
     * {@code guestCr3}, with cold TLBs and walk caches, and returns the memory references made.
     *
     * @throws IllegalStateException if a guest or host entry on the way is not present
     */
    public long walkRefs(int guestCr3, long gva) {
        long refs = 0;
        int table = guestCr3;
        for (int level = guestLevels; ; level--) {
            int idx = Pte.index(gva, level);
            refs += hostWalk(((long) table << 12) + idx * 8L);
            long e = guestTables.table(table)[idx];
            refs++;
            if (!Pte.present(e)) {
                throw new IllegalStateException("guest entry for 0x" + Long.toHexString(gva) + " not present at level " + level);
            }
            if (level == 1 || Pte.huge(e)) {
                long gpa = ((long) Pte.pfn(e) << 12) + (gva & (Pte.span(level) - 1));
                refs += hostWalk(gpa);
                return refs;
            }
            table = Pte.pfn(e);
        }
    }

    /** Host-physical frame number holding the data of the last {@link #walkRefs} call. */
    public long lastHostPfn() {
        return lastHostPfn;
    }

    /** Walks the EPT for guest-physical {@code gpa}; returns the references made. */
    private int hostWalk(long gpa) {
        int table = eptRoot;
        int refs = 0;
        for (int level = hostLevels; ; level--) {
            long e = hostTables.table(table)[Pte.index(gpa, level)];
            refs++;
            if (!Pte.present(e)) {
                throw new IllegalStateException("EPT violation: guest-physical 0x" + Long.toHexString(gpa) + " not mapped at level " + level);
            }
            if (level == 1 || Pte.huge(e)) {
                lastHostPfn = Pte.pfn(e) + ((gpa & (Pte.span(level) - 1)) >>> 12);
                return refs;
            }
            table = Pte.pfn(e);
        }
    }
}
