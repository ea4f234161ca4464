package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * First-in, first-out replacement: pages are evicted in the order they became resident,
 * regardless of use. It needs no access information at all (neither callbacks nor accessed
 * bits), which makes it the floor any use-aware policy should beat; see Belady, "A study of
 * replacement algorithms for a virtual-storage computer", IBM Systems Journal 5(2), 1966.
 */
public final class FifoPolicy implements ReclaimPolicy {
    private final PfnList list;

    /** Creates an empty FIFO queue threaded through the frames' links. */
    public FifoPolicy(PageLists lists) {
        this.list = new PfnList(lists, 1);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if (!list.contains(pfn)) {
            list.pushHead(pfn);
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        list.remove(pfn);
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
        list.verify("fifo");
    }
}
