package io.vmsim.core.filemap;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} keys to {@code long} values with linear probing and
 * backward-shift deletion, so the page cache's index (the kernel's per-file xarray) costs two
 * longs per entry and no object per page. Key {@link Long#MIN_VALUE} is reserved as empty.
 */
final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys;
    private long[] values;
    private int size;
    private int mask;

    LongLongMap() {
        keys = new long[1024];
        values = new long[1024];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The value of {@code key}, or {@code missing}. */
    long get(long key, long missing) {
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return missing;
            }
        }
    }

    void put(long key, long value) {
        if ((size + 1) * 4L > keys.length * 3L) {
            grow();
        }
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                values[i] = value;
                return;
            }
            if (k == EMPTY) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    /** Removes {@code key}; returns its value or {@code missing}. */
    long remove(long key, long missing) {
        int i = hash(key) & mask;
        for (; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == EMPTY) {
                return missing;
            }
            if (k == key) {
                break;
            }
        }
        long v = values[i];
        // backward-shift deletion keeps every probe chain unbroken without tombstones
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        size--;
        return v;
    }

    private void grow() {
        long[] ok = keys;
        long[] ov = values;
        keys = new long[ok.length * 2];
        values = new long[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != EMPTY) {
                put(ok[i], ov[i]);
            }
        }
    }
}
