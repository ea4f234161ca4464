package io.vmsim.policies.lru;

/**
 * A list of page keys of pages no longer resident (ARC's B1/B2, S3-FIFO's ghost queue), in
 * insertion order: add at the young end, remove any key, pop the oldest. A ring of
 * (key, stamp) pairs plus a key-to-stamp map; removing from the middle only deletes the map
 * entry, and the stale ring slot is skipped when it reaches the old end. Nothing is boxed.
 */
final class GhostList {
    private final LongLongMap stamps;
    private long[] ringKeys;
    private long[] ringStamps;
    private int head; // oldest slot
    private int count; // slots in use, live or stale
    private long nextStamp;

    GhostList(int expected) {
        int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        stamps = new LongLongMap(expected);
        ringKeys = new long[cap];
        ringStamps = new long[cap];
    }

    int size() {
        return stamps.size();
    }

    boolean contains(long key) {
        return stamps.containsKey(key);
    }

    /** Adds a key at the young end (moving it there if present). */
    void add(long key) {
        if (count == ringKeys.length) {
            compact();
        }
        long s = nextStamp++;
        stamps.put(key, s);
        int slot = (head + count) & (ringKeys.length - 1);
        ringKeys[slot] = key;
        ringStamps[slot] = s;
        count++;
    }

    /** Removes a key; returns whether it was there. */
    boolean remove(long key) {
        return stamps.remove(key) != LongLongMap.MISSING;
    }

    /** Removes and returns the oldest key; the list must not be empty. */
    long removeOldest() {
        while (true) {
            if (count == 0) {
                throw new IllegalStateException("ghost list is empty");
            }
            long k = ringKeys[head];
            long s = ringStamps[head];
            head = (head + 1) & (ringKeys.length - 1);
            count--;
            if (stamps.removeIfValue(k, s)) {
                return k;
            }
        }
    }

    /**
     * Drops stale slots; doubles the ring if it is still more than half full. A ring that keeps
     * its size is compacted in place (each live slot moves back towards the old end, never past
     * a slot not yet read), so a list at its bound allocates nothing however many keys pass
     * through it (a new pair of arrays at every compaction was a steady allocation per eviction).
     */
    private void compact() {
        int cap = ringKeys.length;
        int mask = cap - 1;
        boolean grow = stamps.size() * 2 > cap;
        long[] k = grow ? new long[cap * 2] : ringKeys;
        long[] s = grow ? new long[cap * 2] : ringStamps;
        int to = grow ? 0 : head;
        int toMask = k.length - 1;
        int n = 0;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            long key = ringKeys[slot];
            long stamp = ringStamps[slot];
            if (stamps.get(key) == stamp) {
                int dst = (to + n++) & toMask;
                k[dst] = key;
                s[dst] = stamp;
            }
        }
        ringKeys = k;
        ringStamps = s;
        head = to;
        count = n;
    }

    /** Checks that every live key has exactly one live slot. */
    void verify(String owner) {
        int live = 0;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & (ringKeys.length - 1);
            if (stamps.get(ringKeys[slot]) == ringStamps[slot]) {
                live++;
            }
        }
        if (live != stamps.size()) {
            throw new IllegalStateException(owner + ": ghost list has " + live + " live slots for " + stamps.size()
                    + " keys");
        }
    }
}
