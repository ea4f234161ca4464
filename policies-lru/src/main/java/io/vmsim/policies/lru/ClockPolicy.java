package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;

/**
 * CLOCK (second chance): resident pages on a circle swept by one hand; a page whose reference
 * bit is set gets it cleared and is passed over, the first page found clear is evicted.
 * F. J. Corbató, "A paging experiment with the Multics system", MIT Project MAC MAC-M-384,
 * 1968. The reference bit is the hardware accessed bit of mapped pages, read and cleared through
 * {@link ScanControl#testAndClearYoung} as the kernel does, plus a bit of the policy's own set
 * by every use through a system call ({@link #pageMarkedAccessed}: CLOCK's bit means "used
 * since the hand passed", not Linux's two steps) and, if {@code insert_referenced}, by the
 * reference that brought the page in.
 *
 * <p>The circle is a list through the frames' links: the tail is under the hand, a passed page
 * goes to the head, which is where a new page enters (just behind the hand). In the paper a
 * page enters with its bit set; libCacheSim's variant enters clear
 * ({@code insert_referenced=false}).
 *
 * <p>Membership of the circle is the frame's policy bits; the reference bits sit apart, one bit
 * per frame in a dense array of the policy's own (grown to the highest frame marked), so that a
 * hit, which only sets the bit, touches 8 KiB per 65,536 frames instead of the frame's list
 * node. A frame's bit means something only while it is on the circle: it is written whenever a
 * frame joins the circle, so a mark of a frame off the circle is overwritten before it is read.
 */
public final class ClockPolicy implements ReclaimPolicy {
    private static final int MEMBER = 1;

    private final PageLists lists;
    private final int circle;
    private final boolean insertReferenced;
    /** The reference bits, bit {@code pfn & 63} of word {@code pfn >>> 6}. */
    private long[] referenced = new long[16];

    /** A clock over {@code lists}; new pages enter referenced iff {@code insertReferenced}. */
    public ClockPolicy(PageLists lists, boolean insertReferenced) {
        this.lists = lists;
        this.circle = lists.newList();
        this.insertReferenced = insertReferenced;
    }

    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    /** Sets the frame's reference bit; a frame off the circle has its bit rewritten when it joins. */
    @Override
    public void pageMarkedAccessed(int pfn) {
        int w = pfn >>> 6;
        long[] r = referenced;
        if (w >= r.length) {
            r = grow(w);
        }
        r[w] |= 1L << pfn;
    }

    private long[] grow(int word) {
        referenced = Arrays.copyOf(referenced, Math.max(word + 1, referenced.length * 2));
        return referenced;
    }

    private boolean isReferenced(int pfn) {
        int w = pfn >>> 6;
        return w < referenced.length && (referenced[w] & 1L << pfn) != 0;
    }

    private void setReferenced(int pfn, boolean on) {
        int w = pfn >>> 6;
        if (on) {
            long[] r = w < referenced.length ? referenced : grow(w);
            r[w] |= 1L << pfn;
        } else if (w < referenced.length) {
            referenced[w] &= ~(1L << pfn);
        }
    }

    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            return;
        }
        lists.addHead(circle, pfn);
        lists.setBits(pfn, MEMBER);
        setReferenced(pfn, false);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            return;
        }
        lists.addHead(circle, pfn);
        lists.setBits(pfn, MEMBER);
        setReferenced(pfn, insertReferenced);
    }

    @Override
    public void pageRemoved(int pfn) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            lists.remove(circle, pfn);
            lists.setBits(pfn, 0);
            setReferenced(pfn, false);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        // Two full turns clear every bit, so a third finds a victim unless all are pinned.
        long budget = 3L * lists.size(circle);
        while (sc.nrToReclaim() > 0 && budget-- > 0) {
            int pfn = lists.tail(circle);
            if (pfn == PageLists.NIL) {
                return;
            }
            sc.scanned(1);
            boolean young = sc.testAndClearYoung(pfn);
            boolean marked = isReferenced(pfn);
            lists.remove(circle, pfn);
            if (young || marked) {
                lists.addHead(circle, pfn);
                lists.setBits(pfn, MEMBER);
                setReferenced(pfn, false);
                continue;
            }
            lists.setBits(pfn, 0);
            setReferenced(pfn, false);
            if (!sc.reclaim(pfn)) {
                lists.addHead(circle, pfn);
                lists.setBits(pfn, MEMBER);
            }
        }
    }

    @Override
    public int size() {
        return lists.size(circle);
    }

    @Override
    public void verifyInvariants() {
        Lists.verify(lists, circle, "clock", pfn -> (lists.bits(pfn) & MEMBER) != 0);
    }
}
