package io.vmsim.core.mrc;

import io.vmsim.api.policy.OfflineStudy;

/**
 * What a replacement study knows while it replays one reference, the same in both engines:
 * the reference's position, the page that missed (while its miss is handled) and, from the
 * trace's next-use table, the future.
 */
final class StudyCursor implements OfflineStudy.Study {
    private final MrcTrace trace;
    private int[] next;
    /** Index of the reference being handled. */
    int pos;
    /** Page key of the page whose miss is being handled, else {@link #NO_PAGE_KEY}. */
    long incoming = NO_PAGE_KEY;

    StudyCursor(MrcTrace trace) {
        this.trace = trace;
    }

    @Override
    public long incomingPageKey() {
        return incoming;
    }

    @Override
    public long position() {
        return pos;
    }

    @Override
    public boolean knowsFuture() {
        return true;
    }

    @Override
    public long nextUseOfCurrent() {
        if (next == null) {
            next = trace.nextUse();
        }
        int n = next[pos];
        return n == MrcTrace.NEVER ? NEVER : n;
    }
}
