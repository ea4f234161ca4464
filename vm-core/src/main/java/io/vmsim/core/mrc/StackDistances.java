package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * LRU stack distances in one pass, so the exact LRU miss count at every cache size at once
 * (Mattson, Gecsei, Slutz, Traiger, "Evaluation techniques for storage hierarchies", IBM
 * Systems Journal 9(2), 1970: LRU is a stack algorithm, so a reference hits in a cache of N
 * pages exactly when its stack distance is at most N).
 *
 * <p>The distance of a reference is one plus the number of distinct pages referenced since the
 * previous reference to its page. A Fenwick tree over access slots holds a 1 at each page's
 * latest access: the distance is the count of 1s after the page's previous slot, O(log n) per
 * reference. Slots are renumbered densely when they run out (every live page keeps its order),
 * so the tree stays within a small multiple of the distinct pages, however long the trace.
 *
 * <p>Memory: 4 bytes per page id for its slot, 8 per tree slot (tree and owner), 8 per distance
 * of the histogram; nothing per reference.
 */
public final class StackDistances {
    /** Slot of each page id's latest access, -1 if never referenced. */
    private int[] slotOf = new int[0];
    /** Fenwick tree, 1-based: bit[i] sums marks of slots (i - lowbit(i), i]. */
    private int[] bit;
    /** Page id owning each slot, -1 if the slot is stale. */
    private int[] owner;
    private int cap;
    private int time;
    private int live;
    /** hist[d]: references at stack distance d (d >= 1). */
    private long[] hist = new long[1024];
    private int maxDistance;
    private long cold;
    private long refs;

    public StackDistances() {
        cap = 1 << 12;
        bit = new int[cap + 1];
        owner = new int[cap];
    }

    /** Makes room for page ids below {@code distinct}. */
    public void ensureIds(int distinct) {
        if (distinct > slotOf.length) {
            int old = slotOf.length;
            int n = Math.max(distinct, old + (old >> 1));
            slotOf = Arrays.copyOf(slotOf, n);
            Arrays.fill(slotOf, old, n, -1);
        }
    }

    /**
     * Records a reference to page {@code id} (below the bound given to {@link #ensureIds});
     * returns its stack distance, or 0 for a first reference (a cold miss).
     */
    public int access(int id) {
        refs++;
        int s = slotOf[id];
        int d;
        if (s < 0) {
            cold++;
            d = 0;
        } else if (s == time - 1) {
            hist[1]++; // the most recent page again: distance 1, and it keeps its slot
            if (maxDistance == 0) {
                maxDistance = 1;
            }
            return 1;
        } else {
            // Pages referenced since: the marks after slot s (prefix(s + 1) counts slots 0..s, this page's included).
            d = live - prefix(s + 1) + 1;
            add(s + 1, -1);
            owner[s] = -1;
            live--;
            if (d >= hist.length) {
                hist = Arrays.copyOf(hist, Math.max(d + 1, hist.length * 2));
            }
            hist[d]++;
            if (d > maxDistance) {
                maxDistance = d;
            }
        }
        if (time == cap) {
            compact();
        }
        int t = time++;
        owner[t] = id;
        slotOf[id] = t;
        add(t + 1, 1);
        live++;
        return d;
    }

    private int prefix(int i) {
        int sum = 0;
        final int[] b = bit;
        for (; i > 0; i -= i & -i) {
            sum += b[i];
        }
        return sum;
    }

    private void add(int i, int v) {
        final int[] b = bit;
        final int n = cap;
        for (; i <= n; i += i & -i) {
            b[i] += v;
        }
    }

    /** Renumbers the live slots 0..live-1 in order, growing the tree to at least twice the live pages. */
    private void compact() {
        int j = 0;
        for (int s = 0; s < time; s++) {
            int id = owner[s];
            if (id >= 0) {
                owner[j] = id;
                slotOf[id] = j;
                j++;
            }
        }
        int want = Math.max(cap, 2 * (live + 1));
        if (want > cap) {
            cap = want;
            owner = Arrays.copyOf(owner, cap);
            bit = new int[cap + 1];
        } else {
            Arrays.fill(bit, 0);
        }
        Arrays.fill(owner, j, cap, -1);
        time = j;
        // linear-time build: every slot below j holds a mark
        for (int i = 1; i <= cap; i++) {
            bit[i] += i <= j ? 1 : 0;
            int parent = i + (i & -i);
            if (parent <= cap) {
                bit[parent] += bit[i];
            }
        }
    }

    /** References recorded. */
    public long refs() {
        return refs;
    }

    /** First references (cold misses). */
    public long cold() {
        return cold;
    }

    /** References at stack distance {@code d} (at least 1). */
    public long atDistance(int d) {
        return d < hist.length ? hist[d] : 0;
    }

    /** The largest distance seen. */
    public int maxDistance() {
        return maxDistance;
    }

    /**
     * Misses of LRU with {@code n} frames for every {@code n} in {@code 1..sizes}: element
     * {@code n-1} is cold misses plus references at a distance above {@code n}.
     */
    public long[] missCurve(int sizes) {
        long[] out = new long[sizes];
        long above = 0;
        for (int d = hist.length - 1; d > sizes; d--) {
            above += hist[d];
        }
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = cold + above;
            if (n < hist.length) {
                above += hist[n];
            }
        }
        return out;
    }
}
