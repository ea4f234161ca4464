package io.vmsim.core.mm;

import java.util.Arrays;

/**
 * What an anonymous page holds, as a 64-bit content tag: equal tags are equal contents (KSM,
 * issue 11). The kernel compares pages with {@code memcmp()} and hashes them with xxhash
 * ({@code calc_checksum()} in {@code mm/ksm.c}); vmsim compares tags.
 *
 * <p>A side table keyed by PFN, allocated on the first tag stored: a page that never had its
 * contents modelled costs nothing here, and {@code struct page} stays at 32 bytes a frame
 * ({@code PageFrames.BYTES_PER_FRAME}). Only content-aware writes (scenario phases with a
 * {@code fill}, tests) store tags; a plain write leaves the modelled contents as they were.
 * An open-addressing table of {@code int} keys and {@code long} values: lookups and updates
 * allocate nothing; it grows (rehashes) when half full.
 */
public final class PageContents {
    /** The tag of a zero-filled page ({@code ZERO_PAGE}'s contents). */
    public static final long ZERO = 0;
    /** No tag stored: contents not modelled (a page no content-aware write reached). */
    public static final long UNKNOWN = Long.MIN_VALUE;
    private static final int EMPTY = -1;

    private int[] keys;
    private long[] values;
    private int size;

    /** The tag of frame {@code pfn}, or {@link #UNKNOWN}. */
    public long get(int pfn) {
        if (keys == null) {
            return UNKNOWN;
        }
        int mask = keys.length - 1;
        for (int i = hash(pfn) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == pfn) {
                return values[i];
            }
            if (k == EMPTY) {
                return UNKNOWN;
            }
        }
    }

    /** True if frame {@code pfn} has a tag. */
    public boolean has(int pfn) {
        return get(pfn) != UNKNOWN;
    }

    /** Stores the tag of frame {@code pfn}; {@link #UNKNOWN} removes it. */
    public void set(int pfn, long tag) {
        if (tag == UNKNOWN) {
            clear(pfn);
            return;
        }
        if (keys == null) {
            keys = new int[64];
            Arrays.fill(keys, EMPTY);
            values = new long[64];
        }
        int mask = keys.length - 1;
        int i = hash(pfn) & mask;
        while (keys[i] != EMPTY && keys[i] != pfn) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            keys[i] = pfn;
            size++;
        }
        values[i] = tag;
        if (size * 2 > keys.length) {
            grow();
        }
    }

    /** Forgets the tag of frame {@code pfn} (the frame was freed). Cheap when no tag was ever stored. */
    public void clear(int pfn) {
        if (keys == null || size == 0) {
            return;
        }
        int mask = keys.length - 1;
        int i = hash(pfn) & mask;
        while (keys[i] != pfn) {
            if (keys[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every probe chain unbroken
        size--;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (keys[j] == EMPTY) {
                break;
            }
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                values[i] = values[j];
                i = j;
            }
        }
        keys[i] = EMPTY;
    }

    /** Moves the tag of {@code from} to {@code to} (page migration copies the contents). */
    public void move(int from, int to) {
        long t = get(from);
        if (t != UNKNOWN) {
            clear(from);
            set(to, t);
        }
    }

    /** Frames with a tag. */
    public int size() {
        return size;
    }

    /** Bytes the table holds now (0 until a tag is stored). */
    public long bytes() {
        return keys == null ? 0 : (long) keys.length * (Integer.BYTES + Long.BYTES);
    }

    private void grow() {
        int[] ok = keys;
        long[] ov = values;
        keys = new int[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new long[ok.length * 2];
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != EMPTY) {
                set(ok[i], ov[i]);
            }
        }
    }

    private static int hash(int pfn) {
        int h = pfn * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** A content checksum of a tag, as {@code calc_checksum()} gives of a page (32 bits). */
    public static int checksum(long tag) {
        long z = tag + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (z ^ (z >>> 32));
    }
}
