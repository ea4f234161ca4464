package io.vmsim.core.trace;

import java.util.Arrays;

/**
 * A map from {@code long} keys to {@code int} values with open addressing and linear probing,
 * so that counting millions of pages boxes nothing. Every key is allowed; the value
 * {@link #MISSING} is reserved to mark empty slots. Not thread-safe.
 */
public final class LongIntHashMap {
    /** Returned by {@link #get} for an absent key; cannot be stored. */
    public static final int MISSING = Integer.MIN_VALUE;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;
    private int shift;

    /** A map sized for about {@code expected} keys before it grows. */
    public LongIntHashMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, MISSING);
        mask = cap - 1;
        shift = 64 - Integer.numberOfTrailingZeros(cap);
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    public int get(long key) {
        int i = slot(key);
        while (true) {
            int v = values[i];
            if (v == MISSING || keys[i] == key) {
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Sets {@code key} to {@code value}; returns the previous value or {@link #MISSING}. */
    public int put(long key, int value) {
        if (value == MISSING) {
            throw new IllegalArgumentException("MISSING cannot be stored");
        }
        int i = slot(key);
        while (true) {
            int v = values[i];
            if (v == MISSING) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) { // load factor 1/2 keeps probes short
                    grow();
                }
                return MISSING;
            }
            if (keys[i] == key) {
                values[i] = value;
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Number of keys. */
    public int size() {
        return size;
    }

    /** Calls {@code action} for every entry, in no particular order. */
    public void forEach(Entry action) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != MISSING) {
                action.accept(keys[i], values[i]);
            }
        }
    }

    /** A primitive (key, value) consumer. */
    @FunctionalInterface
    public interface Entry {
        /** Receives one entry. */
        void accept(long key, int value);
    }

    private int slot(long key) {
        // Fibonacci hashing: page numbers are dense and sequential, so spread them.
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(values, MISSING);
        mask = keys.length - 1;
        shift = 64 - Integer.numberOfTrailingZeros(keys.length);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != MISSING) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }
}
