package io.vmsim.examples.twoq;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * 2Q (Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer Management Replacement
 * Algorithm", VLDB 1994), in its simplified form and learning about use the way Linux does:
 * by testing accessed bits when it needs victims, not by watching every reference.
 *
 * <p>A new page enters {@code a1} (probation, FIFO). A page found young at the tail of
 * {@code a1} has been used again and is promoted to {@code am} (the main LRU); an old one is
 * evicted. While {@code a1} is at most {@code kin_percent} of the pages, victims come from
 * {@code am} instead, where a young page gets a second chance at the head (CLOCK, as Linux's
 * active list ages). Simplification: no {@code A1out} ghost list.
 *
 * <p>Both lists are threaded through the frames themselves ({@link PageLists}), so the policy
 * allocates nothing per page; bit 1 of the frame's policy bits says "on am".
 */
final class TwoQPolicy implements ReclaimPolicy {
    private static final int ON_AM = 1;

    private final PageLists lists;
    private final int a1;
    private final int am;
    private final int kinPercent;

    TwoQPolicy(PageLists lists, int kinPercent) {
        this.lists = lists;
        this.a1 = lists.newList();
        this.am = lists.newList();
        this.kinPercent = kinPercent;
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        lists.addHead(a1, pfn);
    }

    @Override
    public void pageRemoved(int pfn) {
        lists.remove(listOf(pfn), pfn);
        lists.setBits(pfn, 0);
    }

    @Override
    public void shrink(ScanControl sc) {
        int budget = 2 * size(); // every page looked at twice at most: a young page gets one second chance
        while (sc.nrToReclaim() > 0 && size() > 0 && budget-- > 0) {
            boolean fromA1 = lists.size(a1) > 0 && (lists.size(a1) * 100L > kinPercent * (long) size() || lists.size(am) == 0);
            int list = fromA1 ? a1 : am;
            int pfn = lists.tail(list);
            sc.scanned(1);
            lists.remove(list, pfn);
            if (sc.testAndClearYoung(pfn)) {
                lists.addHead(am, pfn); // used again: into (or back to the head of) the main queue
                lists.setBits(pfn, ON_AM);
            } else {
                lists.setBits(pfn, 0);
                if (!sc.reclaim(pfn)) {
                    lists.addHead(a1, pfn); // refused for now (pinned, dirty): still ours; the core never hands it back
                }
            }
        }
    }

    @Override
    public int size() {
        return lists.size(a1) + lists.size(am);
    }

    private int listOf(int pfn) {
        return (lists.bits(pfn) & ON_AM) != 0 ? am : a1;
    }
}
