package io.vmsim.policies.lru;

/**
 * An intrusive doubly-linked list of page-frame numbers kept in two {@code int} arrays indexed
 * by PFN, so that insert, remove and move-to-front are O(1) and cost no allocation: the same
 * idea as the {@code lru} list_head embedded in Linux's {@code struct page}.
 *
 * <p>The head is the hot end (most recently inserted or moved), the tail the cold end.
 */
final class PfnList {
    /** End of the list. */
    private static final int NIL = -1;
    /** Marks a frame that is not on the list (so membership costs no extra array). */
    private static final int UNLINKED = -2;

    private final int[] prev;
    private final int[] next;
    private int head = NIL;
    private int tail = NIL;
    private int size;

    PfnList(int nrFrames) {
        prev = new int[nrFrames];
        next = new int[nrFrames];
        java.util.Arrays.fill(next, UNLINKED);
    }

    int size() {
        return size;
    }

    boolean contains(int pfn) {
        return next[pfn] != UNLINKED;
    }

    /** Inserts at the hot end; a frame already on the list is moved there. */
    void pushHead(int pfn) {
        if (contains(pfn)) {
            if (head == pfn) {
                return;
            }
            unlink(pfn);
        }
        prev[pfn] = NIL;
        next[pfn] = head;
        if (head != NIL) {
            prev[head] = pfn;
        } else {
            tail = pfn;
        }
        head = pfn;
        size++;
    }

    /** Moves a frame on the list to the hot end; does nothing for a frame not on it. */
    void moveToHead(int pfn) {
        if (contains(pfn) && head != pfn) {
            unlink(pfn);
            pushHead(pfn);
        }
    }

    /** The frame at the cold end, or -1 if empty. */
    int tail() {
        return tail;
    }

    /** Removes a frame if it is on the list; returns whether it was. */
    boolean remove(int pfn) {
        if (!contains(pfn)) {
            return false;
        }
        unlink(pfn);
        return true;
    }

    private void unlink(int pfn) {
        int p = prev[pfn];
        int n = next[pfn];
        if (p != NIL) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n != NIL) {
            prev[n] = p;
        } else {
            tail = p;
        }
        next[pfn] = UNLINKED;
        size--;
    }

    /** Walks the list and checks that links, ends and size agree. */
    void verify(String owner) {
        int count = 0;
        int expectedPrev = NIL;
        for (int pfn = head; pfn != NIL; pfn = next[pfn]) {
            if (prev[pfn] != expectedPrev) {
                throw new IllegalStateException(owner + ": pfn " + pfn + " has prev " + prev[pfn]
                        + ", expected " + expectedPrev);
            }
            if (++count > size) {
                throw new IllegalStateException(owner + ": list longer than its size " + size + " (cycle?)");
            }
            expectedPrev = pfn;
        }
        if (count != size || tail != expectedPrev) {
            throw new IllegalStateException(owner + ": walked " + count + " frames ending at " + expectedPrev
                    + ", but size is " + size + " and tail is " + tail);
        }
    }
}
