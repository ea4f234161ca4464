package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * Exact least-recently-used replacement: every reference moves its page to the hot end, and
 * victims come from the cold end. This is the textbook algorithm that Linux approximates with
 * accessed bits and its active/inactive lists ({@code mm/vmscan.c}); it is a baseline for cache
 * studies, not a model of the kernel, and it opts in to {@link #observesEveryAccess()}.
 *
 * <p>O(1) per operation: an intrusive doubly-linked list through the frames' own links
 * ({@link PageLists}), so the policy costs no memory per frame.
 */
public final class LruPolicy implements ReclaimPolicy {
    private final PfnList list;

    /** Creates an empty LRU list threaded through the frames' links. */
    public LruPolicy(PageLists lists) {
        this.list = new PfnList(lists, 1);
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        list.pushHead(pfn);
    }

    /** Exact LRU orders by last use; a readahead page enters at the hot end, by its arrival. */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        list.pushHead(pfn);
    }

    @Override
    public void pageRemoved(int pfn) {
        list.remove(pfn);
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        list.moveToHead(pfn);
    }

    @Override
    public void shrink(ScanControl sc) {
        Evictor.shrink(list, sc);
    }

    @Override
    public int size() {
        return list.size();
    }

    @Override
    public void verifyInvariants() {
        list.verify("lru");
    }
}
