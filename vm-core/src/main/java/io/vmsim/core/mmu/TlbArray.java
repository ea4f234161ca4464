package io.vmsim.core.mmu;

import java.util.Arrays;

/**
 * One set-associative TLB with least-recently-used replacement within a set, in primitive
 * arrays. A tag combines the virtual page number of the entry's size, the address space's
 * PCID and a size code, so one array can hold several page sizes (the STLB).
 */
final class TlbArray {
    static final long INVALID = -1L;
    /** Entry permission bit: the PTE was writable when the entry was filled. */
    static final byte WRITABLE = 1;
    /** Entry permission bit: the PTE's dirty bit was set when the entry was filled. */
    static final byte DIRTY = 2;
    /** Both: a write may complete through the entry without a walk. */
    static final byte WRITABLE_DIRTY = WRITABLE | DIRTY;

    private final int ways;
    private final int setMask;
    final long[] tags;
    final int[] pfns;
    final byte[] perms;
    private final long[] stamps;
    private long tick;

    TlbArray(CpuProfile.TlbGeometry g) {
        this.ways = g.ways();
        this.setMask = g.sets() - 1;
        int n = g.entries();
        tags = new long[n];
        pfns = new int[n];
        perms = new byte[n];
        stamps = new long[n];
        Arrays.fill(tags, INVALID);
    }

    /** Returns the slot holding {@code tag} (marking it most recently used), or -1. */
    int lookup(long tag, long vpn) {
        int base = ((int) vpn & setMask) * ways;
        long[] t = tags;
        for (int i = base, end = base + ways; i < end; i++) {
            if (t[i] == tag) {
                stamps[i] = ++tick;
                return i;
            }
        }
        return -1;
    }

    /** Fills an entry, evicting the least recently used of its set (or updating it if present). */
    void insert(long tag, long vpn, int pfn, byte perm) {
        int base = ((int) vpn & setMask) * ways;
        int victim = base;
        long oldest = Long.MAX_VALUE;
        for (int i = base, end = base + ways; i < end; i++) {
            if (tags[i] == tag) {
                victim = i;
                break;
            }
            if (tags[i] == INVALID) {
                victim = i;
                oldest = Long.MIN_VALUE;
            } else if (stamps[i] < oldest) {
                victim = i;
                oldest = stamps[i];
            }
        }
        tags[victim] = tag;
        pfns[victim] = pfn;
        perms[victim] = perm;
        stamps[victim] = ++tick;
    }

    /** Drops the entry with {@code tag}, if any. */
    void invalidate(long tag, long vpn) {
        int base = ((int) vpn & setMask) * ways;
        for (int i = base, end = base + ways; i < end; i++) {
            if (tags[i] == tag) {
                tags[i] = INVALID;
            }
        }
    }

    /** Drops every entry whose tag, masked, equals {@code value} (e.g. every entry of one PCID). */
    void invalidateMatching(long mask, long value) {
        for (int i = 0; i < tags.length; i++) {
            if (tags[i] != INVALID && (tags[i] & mask) == value) {
                tags[i] = INVALID;
            }
        }
    }

    void invalidateAll() {
        Arrays.fill(tags, INVALID);
    }

    int capacity() {
        return tags.length;
    }
}
