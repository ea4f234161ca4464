package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;

import java.util.function.IntPredicate;

/** Invariant checks shared by the policies that thread lists through {@link PageLists}. */
final class Lists {
    private Lists() {
    }

    /** Walks {@code list}: links, ends and size agree, and every frame satisfies {@code member}. */
    static void verify(PageLists lists, int list, String owner, IntPredicate member) {
        int count = 0;
        int expectedPrev = PageLists.NIL;
        int size = lists.size(list);
        for (int pfn = lists.head(list); pfn != PageLists.NIL; pfn = lists.next(pfn)) {
            if (lists.prev(pfn) != expectedPrev) {
                throw new IllegalStateException(owner + ": pfn " + pfn + " has prev " + lists.prev(pfn)
                        + ", expected " + expectedPrev);
            }
            if (!member.test(pfn)) {
                throw new IllegalStateException(owner + ": pfn " + pfn + " is linked but its bits "
                        + lists.bits(pfn) + " say otherwise");
            }
            if (++count > size) {
                throw new IllegalStateException(owner + ": list longer than its size " + size + " (cycle?)");
            }
            expectedPrev = pfn;
        }
        if (count != size || lists.tail(list) != expectedPrev) {
            throw new IllegalStateException(owner + ": walked " + count + " frames ending at " + expectedPrev
                    + ", but size is " + size + " and tail is " + lists.tail(list));
        }
    }
}
