package io.vmsim.policies.lru;

/**
 * Page key to {@code long} map with open addressing, linear probing and backward-shift
 * deletion, so ghost and non-resident entries box nothing on the per-reference path. Every
 * key is allowed; {@link #MISSING} cannot be stored as a value.
 *
 * <p>Each slot is a key and its value side by side in one array ({@code table[2i]},
 * {@code table[2i + 1]}), so a probe reads one cache line, not one in each of two arrays: a
 * ghost list of a large cache is far bigger than the caches, and ARC probes its two on every
 * miss.
 */
final class LongLongMap {
    static final long MISSING = Long.MIN_VALUE;

    /** key, value, key, value, ...: {@code mask + 1} slots. */
    private long[] table;
    private int mask;
    private int size;

    LongLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        table = newTable(cap);
        mask = cap - 1;
    }

    private static long[] newTable(int slots) {
        long[] t = new long[2 * slots];
        for (int i = 1; i < t.length; i += 2) {
            t[i] = MISSING;
        }
        return t;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    long get(long key) {
        final long[] t = table;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long v = t[2 * i + 1];
            if (v == MISSING) {
                return MISSING;
            }
            if (t[2 * i] == key) {
                return v;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != MISSING;
    }

    void put(long key, long value) {
        if (value == MISSING) {
            throw new IllegalArgumentException("reserved value");
        }
        final long[] t = table;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            if (t[2 * i + 1] == MISSING) {
                t[2 * i] = key;
                t[2 * i + 1] = value;
                if (++size * 2 > mask + 1) {
                    grow();
                }
                return;
            }
            if (t[2 * i] == key) {
                t[2 * i + 1] = value;
                return;
            }
        }
    }

    /** Removes the key; returns its value or {@link #MISSING}. */
    long remove(long key) {
        final long[] t = table;
        int i = hash(key) & mask;
        while (true) {
            if (t[2 * i + 1] == MISSING) {
                return MISSING;
            }
            if (t[2 * i] == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        long old = t[2 * i + 1];
        deleteAt(i);
        return old;
    }

    /** Removes the key if it maps to {@code value}; returns whether it did (one probe, where get and remove take two). */
    boolean removeIfValue(long key, long value) {
        final long[] t = table;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long v = t[2 * i + 1];
            if (v == MISSING) {
                return false;
            }
            if (t[2 * i] == key) {
                if (v != value) {
                    return false;
                }
                deleteAt(i);
                return true;
            }
        }
    }

    /** Backward-shift: pulls later members of the probe run into the hole at slot {@code i}. */
    private void deleteAt(int i) {
        final long[] t = table;
        int hole = i;
        for (int j = (i + 1) & mask; t[2 * j + 1] != MISSING; j = (j + 1) & mask) {
            int home = hash(t[2 * j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                t[2 * hole] = t[2 * j];
                t[2 * hole + 1] = t[2 * j + 1];
                hole = j;
            }
        }
        t[2 * hole + 1] = MISSING;
        size--;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = table;
        table = newTable(2 * (mask + 1));
        mask = 2 * (mask + 1) - 1;
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i + 1] != MISSING) {
                put(old[i], old[i + 1]);
            }
        }
    }
}
