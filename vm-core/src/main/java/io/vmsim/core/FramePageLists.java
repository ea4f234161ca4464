package io.vmsim.core;

import io.vmsim.api.machine.IntrusivePageLists;
import io.vmsim.api.machine.PageLists;
import io.vmsim.core.alloc.PageFrames;

import java.util.Arrays;

/**
 * {@link PageLists} through the links ({@code page->lru}) and the top eight flag bits of
 * {@link PageFrames}, whose metadata is allocated a section at a time: what
 * {@link IntrusivePageLists} does over flat arrays.
 */
final class FramePageLists implements PageLists {
    private static final int BITS_SHIFT = IntrusivePageLists.BITS_SHIFT;
    private static final int BITS_MASK = 0xff << BITS_SHIFT;

    private final PageFrames f;
    private int[] heads = new int[8];
    private int[] tails = new int[8];
    private int[] sizes = new int[8];
    private int nrLists;

    FramePageLists(PageFrames frames) {
        this.f = frames;
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
        f.setPrev(pfn, NIL);
        f.setNext(pfn, h);
        if (h != NIL) {
            f.setPrev(h, pfn);
        } else {
            tails[list] = pfn;
        }
        heads[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void addTail(int list, int pfn) {
        int t = tails[list];
        f.setNext(pfn, NIL);
        f.setPrev(pfn, t);
        if (t != NIL) {
            f.setNext(t, pfn);
        } else {
            heads[list] = pfn;
        }
        tails[list] = pfn;
        sizes[list]++;
    }

    @Override
    public void remove(int list, int pfn) {
        int p = f.prev(pfn);
        int n = f.next(pfn);
        if (p != NIL) {
            f.setNext(p, n);
        } else {
            heads[list] = n;
        }
        if (n != NIL) {
            f.setPrev(n, p);
        } else {
            tails[list] = p;
        }
        f.setPrev(pfn, NIL);
        f.setNext(pfn, NIL);
        sizes[list]--;
    }

    @Override
    public void replace(int list, int from, int to) {
        int p = f.prev(from);
        int n = f.next(from);
        f.setPrev(to, p);
        f.setNext(to, n);
        if (p != NIL) {
            f.setNext(p, to);
        } else {
            heads[list] = to;
        }
        if (n != NIL) {
            f.setPrev(n, to);
        } else {
            tails[list] = to;
        }
        f.setPrev(from, NIL);
        f.setNext(from, NIL);
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
        return f.next(pfn);
    }

    @Override
    public int prev(int pfn) {
        return f.prev(pfn);
    }

    @Override
    public int size(int list) {
        return sizes[list];
    }

    @Override
    public int bits(int pfn) {
        return f.flags(pfn) >>> BITS_SHIFT;
    }

    @Override
    public void setBits(int pfn, int bits) {
        f.setFlags(pfn, (f.flags(pfn) & ~BITS_MASK) | ((bits & 0xff) << BITS_SHIFT));
    }
}
