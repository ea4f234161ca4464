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
 * after the page's previous slot. The count is kept in three levels so that a reference touches
 * few cache lines: the bitmap itself (64 slots a word, {@link Long#bitCount} for a partial
 * word), a count per line of 8 words (512 slots, one cache line of the bitmap), and a Fenwick
 * tree over blocks of 8 lines (4,096 slots) whose size is the slots / 1,024 bytes, small enough
 * to stay in the first-level cache for millions of pages. A count is one Fenwick prefix over
 * the blocks before the slot's block, at most 7 line counts and at most 8 words of one cache
 * line; when the previous slot is within 8 words of the newest, the words between are counted
 * directly instead. Slots are renumbered densely when they run out (every live page keeps its
 * order, amortised O(1) per reference as at least half the slots are free after a
 * renumbering), so the slots stay within a small multiple of the distinct pages, however long
 * the trace.
 *
 * <p>Memory: 4 bytes per page id for its slot; per slot 4 bytes (its owner, read only when
 * renumbering) and a bit, plus a short per 512 slots and an int per 4,096; 8 bytes per distance
 * of the histogram; nothing per reference.
 */
public final class StackDistances {
    private static final int WORD_SHIFT = 6;      // 64 slots a word
    private static final int LINE_SHIFT = 3;      // 8 words (one 64-byte cache line) a line
    private static final int BLOCK_SHIFT = 3;     // 8 lines a block
    private static final int LINE_SLOTS_SHIFT = WORD_SHIFT + LINE_SHIFT;
    private static final int BLOCK_SLOTS_SHIFT = LINE_SLOTS_SHIFT + BLOCK_SHIFT;

    /** Slot of each page id's latest access, -1 if never referenced. */
    private int[] slotOf = new int[0];
    /** Bit s of word s/64: slot s holds the latest access of its owner. */
    private long[] words;
    /** Marks per line of 8 words. */
    private short[] lineCount;
    /** Fenwick tree over blocks, 1-based: fen[i] sums the marks of blocks (i - lowbit(i), i]. */
    private int[] fen;
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

    private void allocate(int slots) {
        cap = slots;
        int nw = slots >>> WORD_SHIFT;
        int nl = (nw + (1 << LINE_SHIFT) - 1) >>> LINE_SHIFT;
        int nb = (nl + (1 << BLOCK_SHIFT) - 1) >>> BLOCK_SHIFT;
        words = new long[nw];
        lineCount = new short[nl];
        fen = new int[nb + 1];
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

    /** References per batch of {@link #accessAll}. */
    private static final int BATCH = 256;
    private final int[] batch = new int[BATCH];
    /** Where the look-ahead loads of {@link #accessAll} go, so that they are not optimised away. */
    private int sink;

    /**
     * Records the references {@code refs[0..n)}, each the page id {@code refs[i] >>> shift}, as
     * {@link #access} would one by one. In batches of 256: first the batch's slots and bitmap
     * words are loaded in a loop of independent loads (the cache misses overlap), then the
     * distances are computed (re-reading the slots: a page may repeat within the batch), then
     * the histogram is updated, again independent loads.
     */
    public void accessAll(int[] refs, int n, int shift) {
        final int[] so = slotOf;
        final int[] dist = batch;
        int sk = 0;
        for (int base = 0; base < n; base += BATCH) {
            int end = Math.min(n, base + BATCH);
            final long[] w = words;
            for (int i = base; i < end; i++) {
                int s = so[refs[i] >>> shift];
                if (s >= 0) {
                    sk += (int) w[s >>> WORD_SHIFT];
                }
            }
            for (int i = base; i < end; i++) {
                dist[i - base] = step(refs[i] >>> shift);
            }
            for (int i = 0; i < end - base; i++) {
                count(dist[i]);
            }
        }
        sink += sk;
    }

    /** Moves page {@code id} to the top of the stack; returns its distance (0: first reference). */
    private int step(int id) {
        refs++;
        int s = slotOf[id];
        int d;
        if (s < 0) {
            d = 0;
        } else if (s == time - 1) {
            return 1; // the most recent page again: distance 1, and it keeps its slot
        } else {
            d = after(s) + 1;
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
        int ws = s >>> WORD_SHIFT;
        int wt = (time - 1) >>> WORD_SHIFT;
        // the bits of s's word above s (a shift by 64 is a shift by 0 in Java: split it)
        long above = (w[ws] >>> (s & 63)) >>> 1;
        if (wt - ws <= (1 << LINE_SHIFT)) {
            // near the newest slot: count the words between directly
            int c = Long.bitCount(above);
            for (int i = ws + 1; i <= wt; i++) {
                c += Long.bitCount(w[i]);
            }
            return c;
        }
        return live - upTo(s);
    }

    /** Marks in slots 0..s inclusive. */
    private int upTo(int s) {
        final long[] w = words;
        int ws = s >>> WORD_SHIFT;
        int line = s >>> LINE_SLOTS_SHIFT;
        int block = s >>> BLOCK_SLOTS_SHIFT;
        int sum = 0;
        final int[] f = fen;
        for (int i = block; i > 0; i -= i & -i) {
            sum += f[i];
        }
        final short[] lc = lineCount;
        for (int l = block << BLOCK_SHIFT; l < line; l++) {
            sum += lc[l];
        }
        for (int i = line << LINE_SHIFT; i < ws; i++) {
            sum += Long.bitCount(w[i]);
        }
        // bits 0..(s & 63) of s's word
        return sum + Long.bitCount(w[ws] << (63 - (s & 63)));
    }

    private void mark(int s) {
        words[s >>> WORD_SHIFT] |= 1L << s;
        lineCount[s >>> LINE_SLOTS_SHIFT]++;
        fenAdd((s >>> BLOCK_SLOTS_SHIFT) + 1, 1);
    }

    private void unmark(int s) {
        words[s >>> WORD_SHIFT] &= ~(1L << s);
        lineCount[s >>> LINE_SLOTS_SHIFT]--;
        fenAdd((s >>> BLOCK_SLOTS_SHIFT) + 1, -1);
    }

    private void fenAdd(int i, int v) {
        final int[] f = fen;
        final int n = f.length - 1;
        for (; i <= n; i += i & -i) {
            f[i] += v;
        }
    }

    /** Renumbers the live slots 0..live-1 in order, growing the slots to at least twice the live pages. */
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
        int want = roundSlots(Math.max(cap, 2L * (live + 1)));
        if (want > cap) {
            allocate(want);
        } else {
            Arrays.fill(words, 0);
            Arrays.fill(lineCount, (short) 0);
            Arrays.fill(fen, 0);
        }
        time = j;
        // every slot below j holds a mark
        Arrays.fill(words, 0, j >>> WORD_SHIFT, -1L);
        if ((j & 63) != 0) {
            words[j >>> WORD_SHIFT] = (1L << j) - 1;
        }
        for (int l = 0; l < lineCount.length; l++) {
            long lo = (long) l << LINE_SLOTS_SHIFT;
            lineCount[l] = (short) Math.max(0, Math.min(j - lo, 1L << LINE_SLOTS_SHIFT));
        }
        // linear-time Fenwick build over the blocks
        int nb = fen.length - 1;
        for (int b = 0; b < nb; b++) {
            long lo = (long) b << BLOCK_SLOTS_SHIFT;
            fen[b + 1] += (int) Math.max(0, Math.min(j - lo, 1L << BLOCK_SLOTS_SHIFT));
            int i = b + 1;
            int parent = i + (i & -i);
            if (parent <= nb) {
                fen[parent] += fen[i];
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
