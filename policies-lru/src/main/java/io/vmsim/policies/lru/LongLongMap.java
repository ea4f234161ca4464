package io.vmsim.policies.lru;

import java.util.Arrays;

/**
 * Page key to {@code long} map with open addressing, linear probing and backward-shift
 * deletion, so ghost and non-resident entries box nothing on the per-reference path. Every
 * key is allowed; {@link #MISSING} cannot be stored as a value.
 */
final class LongLongMap {
    static final long MISSING = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int mask;
    private int size;

    LongLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(values, MISSING);
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    long get(long key) {
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long v = values[i];
            if (v == MISSING) {
                return MISSING;
            }
            if (keys[i] == key) {
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
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == MISSING) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    /** Removes the key; returns its value or {@link #MISSING}. */
    long remove(long key) {
        int i = hash(key) & mask;
        while (true) {
            if (values[i] == MISSING) {
                return MISSING;
            }
            if (keys[i] == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        long old = values[i];
        // Backward-shift: pull later members of the probe run into the hole.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != MISSING; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = MISSING;
        size--;
        return old;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] k = keys;
        long[] v = values;
        keys = new long[k.length * 2];
        values = new long[k.length * 2];
        Arrays.fill(values, MISSING);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (v[i] != MISSING) {
                put(k[i], v[i]);
            }
        }
    }
}
