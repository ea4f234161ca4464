package io.vmsim.api.machine;

import java.util.Arrays;

/**
 * {@link PageLists} over per-frame {@code prev}/{@code next} link arrays and the top eight bits
 * of a per-frame flags array. The simulator builds one over its own frame arrays; a policy's
 * unit tests can build one with {@link #standalone(int)}.
 */
public final class IntrusivePageLists implements PageLists {
    /** Where the policy's eight bits sit in a flags word. */
    public static final int BITS_SHIFT = 24;
    private static final int BITS_MASK = 0xff << BITS_SHIFT;

    private final int[] prev;
    private final int[] next;
    private final int[] flags;
    private int[] heads = new int[8];
    private int[] tails = new int[8];
    private int[] sizes = new int[8];
    private int nrLists;

    /**
     * Lists over the given arrays, which must have one slot per frame. The top eight bits of
     * {@code flags} are the policy's; the other bits are left alone.
     */
    public IntrusivePageLists(int[] prev, int[] next, int[] flags) {
        if (prev.length != next.length || prev.length != flags.length) {
            throw new IllegalArgumentException("link and flag arrays differ in length");
        }
        this.prev = prev;
        this.next = next;
        this.flags = flags;
    }

    /** Lists with arrays of their own, for testing a policy outside the simulator. */
    public static IntrusivePageLists standalone(int nrFrames) {
        return new IntrusivePageLists(new int[nrFrames], new int[nrFrames], new int[nrFrames]);
    }

    @Override
    public int newList() {
        if (nrLists == heads.length) {
            heads = Arrays.copyOf(heads, nrLists * 2);
            tails = Arrays.copyOf(tails, nrLists * 2);
            sizes = Arrays.copyOf(sizes, nrLists * 2);
        }
        heads[nrLists] = NIL;
        tails[nrLists] = NIL;
        return nrLists++;
    }

    @Override
    public void addHead(int list, int pfn) {
        int h = heads[list];
        prev[pfn] = NIL;
        next[pfn] = h;
        if (h != NIL) {
            prev[h] = pfn;
        } else {
            tails[list] = pfn;
        }
        heads[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void addTail(int list, int pfn) {
        int t = tails[list];
        next[pfn] = NIL;
        prev[pfn] = t;
        if (t != NIL) {
            next[t] = pfn;
        } else {
            heads[list] = pfn;
        }
        tails[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void remove(int list, int pfn) {
        int p = prev[pfn];
        int n = next[pfn];
        if (p != NIL) {
            next[p] = n;
        } else {
            heads[list] = n;
        }
        if (n != NIL) {
            prev[n] = p;
        } else {
            tails[list] = p;
        }
        prev[pfn] = NIL;
        next[pfn] = NIL;
        sizes[list]--;
    }

    @Override
    public void replace(int list, int from, int to) {
        int p = prev[from];
        int n = next[from];
        prev[to] = p;
        next[to] = n;
        if (p != NIL) {
            next[p] = to;
        } else {
            heads[list] = to;
        }
        if (n != NIL) {
            prev[n] = to;
        } else {
            tails[list] = to;
        }
        prev[from] = NIL;
        next[from] = NIL;
        setBits(to, bits(from));
        setBits(from, 0);
    }

    @Override
    public int head(int list) {
        return heads[list];
    }

    @Override
    public int tail(int list) {
        return tails[list];
    }

    @Override
    public int next(int pfn) {
        return next[pfn];
    }

    @Override
    public int prev(int pfn) {
        return prev[pfn];
    }

    @Override
    public int size(int list) {
        return sizes[list];
    }

    @Override
    public int bits(int pfn) {
        return flags[pfn] >>> BITS_SHIFT;
    }

    @Override
    public void setBits(int pfn, int bits) {
        flags[pfn] = (flags[pfn] & ~BITS_MASK) | ((bits & 0xff) << BITS_SHIFT);
    }
}
