package io.vmsim.api.machine;

import java.util.Arrays;

/**
 * {@link PageLists} over flat per-frame arrays of its own: what a replacement study
 * ({@code vmsim mrc}) and a policy's unit tests run on (the simulated machine threads its lists
 * through its own frame metadata instead). Each frame's {@code prev} and {@code next} links and
 * its flags word sit side by side in one array, four ints a frame (so a frame never straddles a
 * 64-byte cache line): moving a page touches one cache line for the page and one for each
 * neighbour, where separate link and flag arrays touch three for the page. The policy's eight
 * bits are the top eight of the flags word. The fourth int is the owner's
 * ({@link #ownerWord}), not the policy's: a replacement study keeps there which page the frame
 * holds, so that evicting the page a policy just took off a list reads no other cache line.
 */
public final class IntrusivePageLists implements PageLists {
    /** Where the policy's eight bits sit in a flags word. */
    public static final int BITS_SHIFT = 24;
    private static final int BITS_MASK = 0xff << BITS_SHIFT;
    /** Ints per frame in {@link #node}: prev, next, flags, padding. */
    private static final int STRIDE_SHIFT = 2;
    private static final int PREV = 0;
    private static final int NEXT = 1;
    private static final int FLAGS = 2;
    private static final int OWNER = 3;

    /** Per frame {@code pfn}: prev at {@code 4 pfn}, next at {@code 4 pfn + 1}, flags at {@code 4 pfn + 2}. */
    private final int[] node;
    private int[] heads = new int[8];
    private int[] tails = new int[8];
    private int[] sizes = new int[8];
    private int nrLists;

    private IntrusivePageLists(int nrFrames) {
        this.node = new int[Math.multiplyExact(nrFrames, 1 << STRIDE_SHIFT)];
    }

    /** Lists over {@code nrFrames} frames, with arrays of their own (a study's frames, or a policy's unit test). */
    public static IntrusivePageLists standalone(int nrFrames) {
        return new IntrusivePageLists(nrFrames);
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
        final int[] n = node;
        int h = heads[list];
        int at = pfn << STRIDE_SHIFT;
        n[at + PREV] = NIL;
        n[at + NEXT] = h;
        if (h != NIL) {
            n[(h << STRIDE_SHIFT) + PREV] = pfn;
        } else {
            tails[list] = pfn;
        }
        heads[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void addTail(int list, int pfn) {
        final int[] n = node;
        int t = tails[list];
        int at = pfn << STRIDE_SHIFT;
        n[at + NEXT] = NIL;
        n[at + PREV] = t;
        if (t != NIL) {
            n[(t << STRIDE_SHIFT) + NEXT] = pfn;
        } else {
            heads[list] = pfn;
        }
        tails[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void remove(int list, int pfn) {
        final int[] n = node;
        int at = pfn << STRIDE_SHIFT;
        int p = n[at + PREV];
        int x = n[at + NEXT];
        if (p != NIL) {
            n[(p << STRIDE_SHIFT) + NEXT] = x;
        } else {
            heads[list] = x;
        }
        if (x != NIL) {
            n[(x << STRIDE_SHIFT) + PREV] = p;
        } else {
            tails[list] = p;
        }
        n[at + PREV] = NIL;
        n[at + NEXT] = NIL;
        sizes[list]--;
    }

    /** Unlinks and relinks in place: the page's own links are read and written once. */
    @Override
    public void moveToHead(int list, int pfn) {
        int h = heads[list];
        if (h == pfn) {
            return;
        }
        final int[] n = node;
        int at = pfn << STRIDE_SHIFT;
        int p = n[at + PREV]; // not NIL: pfn is on the list and not its head
        int x = n[at + NEXT];
        n[(p << STRIDE_SHIFT) + NEXT] = x;
        if (x != NIL) {
            n[(x << STRIDE_SHIFT) + PREV] = p;
        } else {
            tails[list] = p;
        }
        n[at + PREV] = NIL;
        n[at + NEXT] = h;
        n[(h << STRIDE_SHIFT) + PREV] = pfn;
        heads[list] = pfn;
    }

    @Override
    public void replace(int list, int from, int to) {
        final int[] n = node;
        int af = from << STRIDE_SHIFT;
        int at = to << STRIDE_SHIFT;
        int p = n[af + PREV];
        int x = n[af + NEXT];
        n[at + PREV] = p;
        n[at + NEXT] = x;
        if (p != NIL) {
            n[(p << STRIDE_SHIFT) + NEXT] = to;
        } else {
            heads[list] = to;
        }
        if (x != NIL) {
            n[(x << STRIDE_SHIFT) + PREV] = to;
        } else {
            tails[list] = to;
        }
        n[af + PREV] = NIL;
        n[af + NEXT] = NIL;
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
        return node[(pfn << STRIDE_SHIFT) + NEXT];
    }

    @Override
    public int prev(int pfn) {
        return node[(pfn << STRIDE_SHIFT) + PREV];
    }

    @Override
    public int size(int list) {
        return sizes[list];
    }

    /**
     * The int that the owner of these lists (a replacement study, not the policy) keeps for frame
     * {@code pfn} in the frame's node, 0 until set; {@link #replace} does not move it.
     */
    public int ownerWord(int pfn) {
        return node[(pfn << STRIDE_SHIFT) + OWNER];
    }

    /** Sets the owner's int of frame {@code pfn} (see {@link #ownerWord}). */
    public void setOwnerWord(int pfn, int word) {
        node[(pfn << STRIDE_SHIFT) + OWNER] = word;
    }

    @Override
    public int bits(int pfn) {
        return node[(pfn << STRIDE_SHIFT) + FLAGS] >>> BITS_SHIFT;
    }

    @Override
    public void setBits(int pfn, int bits) {
        int at = (pfn << STRIDE_SHIFT) + FLAGS;
        node[at] = (node[at] & ~BITS_MASK) | ((bits & 0xff) << BITS_SHIFT);
    }
}
