package io.vmsim.core;

import io.vmsim.api.machine.PageLists;
import io.vmsim.core.alloc.PageFrames;

/**
 * The {@link PageLists} of a policy kind other than reclaim: links and eight bits per frame of
 * its own, so a huge-page, NUMA or dedup policy can never overwrite the reclaim policy's state
 * in the frames. The arrays are allocated on first use, a section of frames at a time
 * ({@link PageFrames}): a policy that keeps no per-frame state costs nothing, so a frame stays
 * 32 bytes, and one that does pays for the sections it touches.
 */
final class KindPageLists implements PageLists {
    private final int nrFrames;
    private PageLists lists;

    KindPageLists(int nrFrames) {
        this.nrFrames = nrFrames;
    }

    private PageLists lists() {
        if (lists == null) {
            lists = new FramePageLists(new PageFrames(nrFrames, new int[] {0}));
        }
        return lists;
    }

    @Override
    public int newList() {
        return lists().newList();
    }

    @Override
    public void addHead(int list, int pfn) {
        lists().addHead(list, pfn);
    }

    @Override
    public void addTail(int list, int pfn) {
        lists().addTail(list, pfn);
    }

    @Override
    public void remove(int list, int pfn) {
        lists().remove(list, pfn);
    }

    @Override
    public void replace(int list, int from, int to) {
        lists().replace(list, from, to);
    }

    @Override
    public int head(int list) {
        return lists().head(list);
    }

    @Override
    public int tail(int list) {
        return lists().tail(list);
    }

    @Override
    public int next(int pfn) {
        return lists == null ? NIL : lists.next(pfn);
    }

    @Override
    public int prev(int pfn) {
        return lists == null ? NIL : lists.prev(pfn);
    }

    @Override
    public int size(int list) {
        return lists().size(list);
    }

    @Override
    public int bits(int pfn) {
        return lists == null ? 0 : lists.bits(pfn);
    }

    @Override
    public void setBits(int pfn, int bits) {
        lists().setBits(pfn, bits);
    }
}
