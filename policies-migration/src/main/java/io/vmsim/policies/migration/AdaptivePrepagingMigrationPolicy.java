package io.vmsim.policies.migration;

import io.vmsim.api.policy.MigrationView;

/**
 * Adaptive pre-paging by dual-direction "bubbling" around the last faulted page, after M. R.
 * Hines and K. Gopalan, "Post-Copy Based Live Virtual Machine Migration Using Adaptive
 * Pre-Paging and Dynamic Self-Ballooning", VEE 2009 (section 3.2): each remote fault makes its
 * page the <em>pivot</em>, and the background stream pushes the pending pages nearest to it,
 * alternately above and below (pivot+1, pivot-1, pivot+2, ...), so that a guest with spatial
 * locality in either direction finds its next pages already sent. A new fault moves the pivot;
 * when the bubble has reached both ends of RAM, any page left is sent in address order. This is
 * the paper's single-pivot variant; precopy rounds walk in address order.
 */
final class AdaptivePrepagingMigrationPolicy extends LinearMigrationPolicy {
    /** The next candidate above the pivot, and below it. */
    private long up;
    private long down = -1;
    /** Which side the next page comes from. */
    private boolean upNext = true;

    @Override
    public boolean observesRemoteFaults() {
        return true;
    }

    @Override
    public void remoteFault(long page, long timeNs) {
        postcopy = true;
        up = page + 1;
        down = page - 1;
        upNext = true;
    }

    @Override
    public long nextPostcopyPage(MigrationView view) {
        if (!postcopy) {
            postcopy = true; // before any fault the pivot is page 0: the bubble grows upwards only
            up = 0;
            down = -1;
        }
        long a = up < view.pages() ? view.nextPending(up) : -1;
        long b = down >= 0 ? view.previousPending(down) : -1;
        long p;
        if (a >= 0 && (b < 0 || upNext)) {
            p = a;
            up = a + 1;
        } else if (b >= 0) {
            p = b;
            down = b - 1;
        } else {
            return walk(view);
        }
        upNext = !upNext;
        return p;
    }
}
