package io.vmsim.policies.lru;

import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;

/**
 * Belady's MIN with demand paging: on a miss with memory full, evict the resident page whose
 * next reference is farthest in the future (never referenced again counts as farthest).
 * L. A. Belady, "A study of replacement algorithms for a virtual-storage computer", IBM
 * Systems Journal 5(2), 1966. Unlike libCacheSim's Belady, the missing page is always
 * loaded (no bypass), which is what a page cache must do.
 *
 * <p>Offline: the study hands it the future through {@link OfflineStudy}; each resident frame
 * is keyed by its page's next use in an indexed max-heap, updated on every reference
 * (O(log N)). Without the future it refuses to run rather than guess.
 */
public final class OptPolicy implements ReclaimPolicy, OfflineStudy {
    private final int[] heap;
    private final int[] slot; // pfn -> heap index, -1 if absent
    private final long[] key; // pfn -> next use
    private int size;
    private Study oracle;

    /** A policy for a machine of {@code nrFrames} frames. */
    public OptPolicy(int nrFrames) {
        heap = new int[nrFrames];
        slot = new int[nrFrames];
        key = new long[nrFrames];
        Arrays.fill(slot, -1);
    }

    @Override
    public void study(Study s) {
        this.oracle = s.knowsFuture() ? s : null;
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    private long nextUse() {
        if (oracle == null) {
            throw new PolicyException(PolicyException.Kind.CONFIGURATION, "opt", "built-in (policies-lru)",
                    "opt looks ahead in the trace, which only a replacement study knows; use 'vmsim mrc --trace FILE'"
                            + " (or 'vmsim mrc --machine'), not 'vmsim run'", null);
        }
        return oracle.nextUseOfCurrent();
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        long k = nextUse();
        if (slot[pfn] >= 0) {
            update(pfn, k);
            return;
        }
        key[pfn] = k;
        heap[size] = pfn;
        slot[pfn] = size;
        up(size++);
    }

    /**
     * A page nobody asked for (readahead) has no known next use here: it is keyed as never
     * used again, so it is the first to go, as MIN would evict a page it will not need.
     */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if (slot[pfn] >= 0) {
            return;
        }
        key[pfn] = Study.NEVER;
        heap[size] = pfn;
        slot[pfn] = size;
        up(size++);
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        if (slot[pfn] >= 0) {
            update(pfn, nextUse());
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        int i = slot[pfn];
        if (i < 0) {
            return;
        }
        int last = heap[--size];
        slot[pfn] = -1;
        if (i < size) {
            heap[i] = last;
            slot[last] = i;
            down(i);
            up(i);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        int budget = size;
        while (sc.nrToReclaim() > 0 && size > 0 && budget-- > 0) {
            int victim = heap[0];
            pageRemoved(victim);
            sc.scanned(1);
            if (!sc.reclaim(victim)) {
                // Pinned: keep it, but it cannot be the farthest choice now; retry the next one.
                key[victim] = Long.MIN_VALUE;
                heap[size] = victim;
                slot[victim] = size;
                up(size++);
            }
        }
    }

    @Override
    public int size() {
        return size;
    }

    private void update(int pfn, long k) {
        long old = key[pfn];
        key[pfn] = k;
        if (k > old) {
            up(slot[pfn]);
        } else {
            down(slot[pfn]);
        }
    }

    private void up(int i) {
        int p = heap[i];
        long k = key[p];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int q = heap[parent];
            if (key[q] >= k) {
                break;
            }
            heap[i] = q;
            slot[q] = i;
            i = parent;
        }
        heap[i] = p;
        slot[p] = i;
    }

    private void down(int i) {
        int p = heap[i];
        long k = key[p];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && key[heap[c + 1]] > key[heap[c]]) {
                c++;
            }
            int q = heap[c];
            if (key[q] <= k) {
                break;
            }
            heap[i] = q;
            slot[q] = i;
            i = c;
        }
        heap[i] = p;
        slot[p] = i;
    }

    @Override
    public void verifyInvariants() {
        for (int i = 0; i < size; i++) {
            if (slot[heap[i]] != i) {
                throw new IllegalStateException("opt: heap slot " + i + " holds pfn " + heap[i] + " whose slot is "
                        + slot[heap[i]]);
            }
            if (i > 0 && key[heap[(i - 1) >>> 1]] < key[heap[i]]) {
                throw new IllegalStateException("opt: heap order broken at " + i);
            }
        }
    }
}
