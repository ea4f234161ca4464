package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * LRU stack distances in one pass, so the exact LRU miss count at every cache size at once
 * (Mattson, Gecsei, Slutz, Traiger, "Evaluation techniques for storage hierarchies", IBM
 * Systems Journal 9(2), 1970: LRU is a stack algorithm, so a reference hits in a cache of N
 * pages exactly when its stack distance is at most N).
 *
 * <p>The distance of a reference is one plus the number of distinct pages referenced since the
 * previous reference to its page. Each reference takes the next access slot; a bitmap over the
 * slots holds a 1 at each page's latest access, and the distance is one plus the count of 1s
 * after the page's previous slot. The count is kept in a tree of fan-out 8 over the bitmap's
 * words: a count per 8 words (512 slots, one cache line of the bitmap), a count per 8 of those
 * (4,096 slots), and so on up to a level of at most 8 nodes. The 1s after slot {@code s} are the
 * bits above {@code s} in its word, then at each level the counts of the siblings after
 * {@code s}'s node within its group of 8 (read as a fixed 8 with a mask, no data-dependent
 * loop), climbing only until {@code s}'s node is the newest slot's: nothing lies beyond the
 * newest slot, so a reference whose previous access is near the top of the stack reads one or
 * two cache lines, one from far down reads one group of 8 per level (six for 4 M slots). Moving a
 * page to the top clears its old slot's bit and sets the new one's, and changes the counts only
 * at the levels where the two slots' nodes differ. Slots are renumbered densely when they run
 * out (every live page keeps its order, amortised O(1) per reference as at least half
 * of the slots are free after a renumbering), so the slots stay within a small multiple of the
 * distinct pages, however long the trace.
 *
 * <p>Memory: 4 bytes per page id for its slot; per slot 4 bytes (its owner, read only when
 * renumbering) and a bit, plus a char per 512 slots and an int per 4,096 (and 1/8 of that per
 * level above); 8 bytes per distance of the histogram; nothing per reference.
 */
public final class StackDistances {
    private static final int WORD_SHIFT = 6;      // 64 slots a word
    private static final int FAN_SHIFT = 3;       // 8 children a node
    private static final int FAN = 1 << FAN_SHIFT;
    private static final int LINE_SLOTS_SHIFT = WORD_SHIFT + FAN_SHIFT; // 512 slots a line of 8 words
    /**
     * Slots per live page after a renumbering, at least. Four renumber less often (16 times
     * instead of about 42 on a 1.1 M-page Zipf trace) but the larger arrays made G1 grow the
     * default heap of a whole {@code mrc --frames all} run to 1-2.5 GB (docs/mrc.md); two keep it
     * near 0.5 GB at about 5% more time a pass.
     */
    private static final int ROOM = 2;

    /** Slot of each page id's latest access, -1 if never referenced. */
    private int[] slotOf = new int[0];
    /** Bit s of word s/64: slot s holds the latest access of its owner (length a multiple of 8). */
    private long[] words;
    /** Marks per line of 8 words (length a multiple of 8). */
    private char[] lines;
    /**
     * Marks per node above the lines: {@code up[i][x]} counts slots {@code x << (12 + 3i)} onwards,
     * {@code 1 << (12 + 3i)} of them (each length a multiple of 8); as many levels as needed for
     * the last to have one node.
     */
    private int[][] up;
    /** Page id of each slot's access; meaningful only where the slot's mark is set. */
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
        this(1 << 12);
    }

    /** With room for {@code slots} access slots before the first renumbering (rounded up to 64; tests use small ones). */
    StackDistances(int slots) {
        allocate(roundSlots(Math.max(1, slots)));
    }

    private static int roundSlots(long n) {
        long r = (n + 63) & ~63L;
        if (r > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("more than 2^30 live pages");
        }
        return (int) r;
    }

    /** {@code n} rounded up to a multiple of 8. */
    private static int padded(long n) {
        return (int) ((n + FAN - 1) & ~(long) (FAN - 1));
    }

    private void allocate(int slots) {
        cap = slots;
        long nw = slots >>> WORD_SHIFT;
        words = new long[padded(nw)];
        long nl = (nw + FAN - 1) >>> FAN_SHIFT;
        lines = new char[padded(nl)];
        java.util.List<int[]> levels = new java.util.ArrayList<>();
        for (long n = (nl + FAN - 1) >>> FAN_SHIFT; nl > 1; n = (n + FAN - 1) >>> FAN_SHIFT) {
            levels.add(new int[padded(n)]);
            nl = n;
        }
        up = levels.toArray(new int[0][]);
        owner = owner == null ? new int[slots] : Arrays.copyOf(owner, slots);
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
        int d = step(id);
        count(d);
        return d;
    }

    /** References per batch of {@link #accessAll} and {@link #distances}. */
    private static final int BATCH = 256;
    private final int[] batch = new int[BATCH];
    /** Where the look-ahead loads go, so that they are not optimised away. */
    private int sink;

    /**
     * Records the references {@code refs[0..n)}, each the page id {@code refs[i] >>> shift}, as
     * {@link #access} would one by one. In batches of 256: first the batch's slots and bitmap
     * lines are loaded in a loop of independent loads (the cache misses overlap), then the
     * distances are computed (re-reading the slots: a page may repeat within the batch), then
     * the histogram is updated, again independent loads.
     */
    public void accessAll(int[] refs, int n, int shift) {
        final int[] dist = batch;
        int sk = 0;
        for (int base = 0; base < n; base += BATCH) {
            int end = Math.min(n, base + BATCH);
            sk += lookAhead(refs, base, end, shift);
            for (int i = base; i < end; i++) {
                dist[i - base] = step(refs[i] >>> shift);
            }
            countDistances(dist, end - base);
        }
        sink += sk;
    }

    /**
     * The first half of {@link #accessAll}: moves the pages {@code refs[i] >>> shift} to the top
     * of the stack in order and overwrites each {@code refs[i]} with its distance (0: a cold
     * miss), leaving the histogram alone; {@link #countDistances} adds them to it later, maybe on
     * another thread. The two halves touch separate fields: one thread may call this and another
     * {@code countDistances} (and nothing else) as long as each hand-over of the array orders
     * the two (a queue does), and the results are read after both are done.
     */
    public void distances(int[] refs, int n, int shift) {
        int sk = 0;
        for (int base = 0; base < n; base += BATCH) {
            int end = Math.min(n, base + BATCH);
            sk += lookAhead(refs, base, end, shift);
            for (int i = base; i < end; i++) {
                refs[i] = step(refs[i] >>> shift);
            }
        }
        sink += sk;
    }

    /**
     * Loads the slot and the bitmap line of each page of {@code refs[from..to)}, independent loads
     * whose cache misses overlap, so that the distances computed next find them in the cache.
     */
    private int lookAhead(int[] refs, int from, int to, int shift) {
        final int[] so = slotOf;
        final long[] w = words;
        int sk = 0;
        for (int i = from; i < to; i++) {
            int s = so[refs[i] >>> shift];
            if (s >= 0) {
                int g = (s >>> WORD_SHIFT) & -FAN; // both ends of the word's line: an array need not start on a cache line
                sk += (int) w[g] + (int) w[g + FAN - 1];
            }
        }
        return sk;
    }

    /** Adds the distances {@code dist[0..n)} to the histogram (0: a cold miss), as {@link #distances} gave them. */
    public void countDistances(int[] dist, int n) {
        long[] h = hist;
        long c = cold;
        int max = maxDistance;
        for (int i = 0; i < n; i++) {
            int d = dist[i];
            if (d == 0) {
                c++;
                continue;
            }
            if (d >= h.length) {
                h = Arrays.copyOf(h, Math.max(d + 1, h.length * 2));
            }
            h[d]++;
            if (d > max) {
                max = d;
            }
        }
        hist = h;
        cold = c;
        maxDistance = max;
    }

    /** Moves page {@code id} to the top of the stack; returns its distance (0: first reference). */
    private int step(int id) {
        refs++;
        int s = slotOf[id];
        if (s == time - 1 && s >= 0) {
            return 1; // the most recent page again: distance 1, and it keeps its slot
        }
        int d = 0;
        if (s >= 0) {
            d = after(s) + 1;
            if (time < cap) {
                int t = time++;
                owner[t] = id;
                slotOf[id] = t;
                move(s, t);
                return d;
            }
            unmark(s);
            live--;
        }
        if (time == cap) {
            compact();
        }
        int t = time++;
        owner[t] = id;
        slotOf[id] = t;
        mark(t);
        live++;
        return d;
    }

    /** Adds a distance to the histogram (0: a cold miss). */
    private void count(int d) {
        if (d == 0) {
            cold++;
            return;
        }
        if (d >= hist.length) {
            hist = Arrays.copyOf(hist, Math.max(d + 1, hist.length * 2));
        }
        hist[d]++;
        if (d > maxDistance) {
            maxDistance = d;
        }
    }

    /** Marks in the slots after {@code s} (up to the newest, {@code time - 1}). */
    private int after(int s) {
        final long[] w = words;
        int x = s >>> WORD_SHIFT;
        int xt = (time - 1) >>> WORD_SHIFT;
        // the bits of s's word above s (a shift by 64 is a shift by 0 in Java: split it)
        int c = Long.bitCount((w[x] >>> (s & 63)) >>> 1);
        if (x == xt) {
            return c;
        }
        // the words after s's in its line: all 8 read, those up to s's masked off ((k - j) >> 31 is -1 for j > k)
        int base = x & -FAN;
        int k = x & (FAN - 1);
        for (int j = 0; j < FAN; j++) {
            c += Long.bitCount(w[base + j]) & ((k - j) >> 31);
        }
        x >>>= FAN_SHIFT;
        xt >>>= FAN_SHIFT;
        if (x == xt) {
            return c;
        }
        final char[] l = lines;
        base = x & -FAN;
        k = x & (FAN - 1);
        for (int j = 0; j < FAN; j++) {
            c += l[base + j] & ((k - j) >> 31);
        }
        x >>>= FAN_SHIFT;
        xt >>>= FAN_SHIFT;
        final int[][] u = up;
        for (int i = 0; x != xt; i++) {
            final int[] a = u[i];
            base = x & -FAN;
            k = x & (FAN - 1);
            for (int j = 0; j < FAN; j++) {
                c += a[base + j] & ((k - j) >> 31);
            }
            x >>>= FAN_SHIFT;
            xt >>>= FAN_SHIFT;
        }
        return c;
    }

    private void mark(int s) {
        words[s >>> WORD_SHIFT] |= 1L << s;
        lines[s >>> LINE_SLOTS_SHIFT]++;
        final int[][] u = up;
        int x = s >>> LINE_SLOTS_SHIFT;
        for (int i = 0; i < u.length; i++) {
            x >>>= FAN_SHIFT;
            u[i][x]++;
        }
    }

    private void unmark(int s) {
        words[s >>> WORD_SHIFT] &= ~(1L << s);
        lines[s >>> LINE_SLOTS_SHIFT]--;
        final int[][] u = up;
        int x = s >>> LINE_SLOTS_SHIFT;
        for (int i = 0; i < u.length; i++) {
            x >>>= FAN_SHIFT;
            u[i][x]--;
        }
    }

    /**
     * Clears slot {@code s}'s mark and sets slot {@code t}'s ({@code t > s}): the counts change
     * only at the levels where the two slots' nodes differ, from the bottom up to where they meet.
     */
    private void move(int s, int t) {
        final long[] w = words;
        w[s >>> WORD_SHIFT] &= ~(1L << s);
        w[t >>> WORD_SHIFT] |= 1L << t;
        int x = s >>> LINE_SLOTS_SHIFT;
        int y = t >>> LINE_SLOTS_SHIFT;
        if (x == y) {
            return;
        }
        final char[] l = lines;
        l[x]--;
        l[y]++;
        final int[][] u = up;
        x >>>= FAN_SHIFT;
        y >>>= FAN_SHIFT;
        for (int i = 0; x != y; i++) {
            final int[] a = u[i];
            a[x]--;
            a[y]++;
            x >>>= FAN_SHIFT;
            y >>>= FAN_SHIFT;
        }
    }

    /**
     * Renumbers the live slots 0..live-1 in order, growing the slots to at least {@link #ROOM}
     * times the live pages: a renumbering writes every live page's slot (a random write per page),
     * so the more free slots after it, the rarer it is.
     */
    private void compact() {
        int j = 0;
        final long[] w = words;
        for (int i = 0; i < w.length; i++) {
            long bits = w[i];
            while (bits != 0) {
                int s = (i << WORD_SHIFT) | Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                int id = owner[s];
                owner[j] = id;
                slotOf[id] = j;
                j++;
            }
        }
        int want = roundSlots(Math.max(cap, (long) ROOM * (live + 1)));
        if (want > cap) {
            allocate(want);
        } else {
            Arrays.fill(words, 0);
        }
        time = j;
        // every slot below j holds a mark
        Arrays.fill(words, 0, j >>> WORD_SHIFT, -1L);
        if ((j & 63) != 0) {
            words[j >>> WORD_SHIFT] = (1L << j) - 1;
        }
        for (int x = 0; x < lines.length; x++) {
            lines[x] = (char) filled(j, x, LINE_SLOTS_SHIFT);
        }
        for (int i = 0; i < up.length; i++) {
            int[] a = up[i];
            int shift = LINE_SLOTS_SHIFT + FAN_SHIFT * (i + 1);
            for (int x = 0; x < a.length; x++) {
                a[x] = filled(j, x, shift);
            }
        }
    }

    /** Slots below {@code j} in node {@code x} of {@code 1 << shift} slots. */
    private static int filled(int j, int x, int shift) {
        long lo = (long) x << shift;
        return (int) Math.max(0, Math.min(j - lo, 1L << shift));
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
