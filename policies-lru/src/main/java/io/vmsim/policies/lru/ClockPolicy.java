package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

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
 */
public final class ClockPolicy implements ReclaimPolicy {
    private static final int MEMBER = 1;
    private static final int REFERENCED = 2;

    private final PageLists lists;
    private final int circle;
    private final boolean insertReferenced;

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

    @Override
    public void pageMarkedAccessed(int pfn) {
        int b = lists.bits(pfn);
        if ((b & MEMBER) != 0) {
            lists.setBits(pfn, b | REFERENCED);
        }
    }

    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            return;
        }
        lists.addHead(circle, pfn);
        lists.setBits(pfn, MEMBER);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            return;
        }
        lists.addHead(circle, pfn);
        lists.setBits(pfn, MEMBER | (insertReferenced ? REFERENCED : 0));
    }

    @Override
    public void pageRemoved(int pfn) {
        if ((lists.bits(pfn) & MEMBER) != 0) {
            lists.remove(circle, pfn);
            lists.setBits(pfn, 0);
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
            int bits = lists.bits(pfn);
            lists.remove(circle, pfn);
            if (young || (bits & REFERENCED) != 0) {
                lists.addHead(circle, pfn);
                lists.setBits(pfn, MEMBER);
                continue;
            }
            lists.setBits(pfn, 0);
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
