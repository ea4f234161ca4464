package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;

/**
 * One list of page frames threaded through the frames' own links ({@link PageLists}, the
 * {@code lru} list_head of Linux's {@code struct page}), so insert, remove and move-to-front are
 * O(1) and the list costs no memory per frame. Membership is the frame's policy bits equal to
 * this list's tag.
 *
 * <p>The head is the hot end (most recently inserted or moved), the tail the cold end.
 */
final class PfnList {
    private static final int NIL = PageLists.NIL;

    private final PageLists lists;
    private final int id;
    private final int tag;

    /** A list with a tag from 1 to 255 that no other list of the same policy uses. */
    PfnList(PageLists lists, int tag) {
        if (tag < 1 || tag > 255) {
            throw new IllegalArgumentException("tag " + tag);
        }
        this.lists = lists;
        this.id = lists.newList();
        this.tag = tag;
    }

    int size() {
        return lists.size(id);
    }

    boolean contains(int pfn) {
        return lists.bits(pfn) == tag;
    }

    /** Inserts at the hot end; a frame already on the list is moved there. */
    void pushHead(int pfn) {
        if (contains(pfn)) {
            lists.moveToHead(id, pfn);
            return;
        }
        lists.addHead(id, pfn);
        lists.setBits(pfn, tag);
    }

    /** Moves a frame on the list to the hot end; does nothing for a frame not on it. */
    void moveToHead(int pfn) {
        if (contains(pfn)) {
            lists.moveToHead(id, pfn);
        }
    }

    /** Moves a frame known to be on the list to the hot end (no membership test). */
    void moveMemberToHead(int pfn) {
        lists.moveToHead(id, pfn);
    }

    /** Takes a frame known to be on the list off it (no membership test). */
    void removeMember(int pfn) {
        lists.remove(id, pfn);
        lists.setBits(pfn, 0);
    }

    /** Inserts a frame known to be on no list at the hot end (no membership test). */
    void pushNewHead(int pfn) {
        lists.addHead(id, pfn);
        lists.setBits(pfn, tag);
    }

    /** The frame at the cold end, or -1 if empty. */
    int tail() {
        return lists.tail(id);
    }

    /** Removes a frame if it is on the list; returns whether it was. */
    boolean remove(int pfn) {
        if (!contains(pfn)) {
            return false;
        }
        lists.remove(id, pfn);
        lists.setBits(pfn, 0);
        return true;
    }

    /** Walks the list and checks that links, ends, membership and size agree. */
    void verify(String owner) {
        int count = 0;
        int expectedPrev = NIL;
        for (int pfn = lists.head(id); pfn != NIL; pfn = lists.next(pfn)) {
            if (lists.prev(pfn) != expectedPrev) {
                throw new IllegalStateException(owner + ": pfn " + pfn + " has prev " + lists.prev(pfn)
                        + ", expected " + expectedPrev);
            }
            if (!contains(pfn)) {
                throw new IllegalStateException(owner + ": pfn " + pfn + " is linked but not tagged");
            }
            if (++count > size()) {
                throw new IllegalStateException(owner + ": list longer than its size " + size() + " (cycle?)");
            }
            expectedPrev = pfn;
        }
        if (count != size() || tail() != expectedPrev) {
            throw new IllegalStateException(owner + ": walked " + count + " frames ending at " + expectedPrev
                    + ", but size is " + size() + " and tail is " + tail());
        }
    }
}
