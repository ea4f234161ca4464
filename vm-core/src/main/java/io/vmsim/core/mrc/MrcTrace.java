package io.vmsim.core.mrc;

import io.vmsim.core.trace.LongIntHashMap;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceReader;

/**
 * A trace in the form replacement studies want, built once and shared read-only by every
 * run: each reference as a dense page id (0 .. distinct-1) with its write bit, so a run's
 * page-to-frame map is a plain {@code int[]} indexed by id. Page = address {@code >> 12},
 * instruction fetches dropped, as {@code traces/README.md} prescribes.
 */
public final class MrcTrace {
    private final String source;
    private final int[] refs; // id << 1 | write
    private final long[] pages; // id -> page number
    private volatile long[] next;

    private MrcTrace(String source, int[] refs, long[] pages) {
        this.source = source;
        this.refs = refs;
        this.pages = pages;
    }

    /** Densifies a pre-parsed trace. */
    public static MrcTrace of(PreparsedTrace trace) {
        return of(trace, Long.MAX_VALUE);
    }

    /** Densifies the first {@code limit} data references of a pre-parsed trace ({@code --limit}). */
    public static MrcTrace of(PreparsedTrace trace, long limit) {
        int n = trace.refs();
        int[] refs = new int[n];
        LongIntHashMap ids = new LongIntHashMap(1 << 12);
        long[] pages = new long[1 << 10];
        int distinct = 0;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            long ref = trace.get(i);
            if (TraceReader.kind(ref) == TraceReader.INSTR) {
                continue;
            }
            if (kept == limit) {
                break;
            }
            long page = TraceReader.address(ref) >>> 12;
            int id = ids.get(page);
            if (id == LongIntHashMap.MISSING) {
                id = distinct++;
                if (id >= (1 << 30)) {
                    throw new IllegalArgumentException(trace.source() + ": more than 2^30 distinct pages");
                }
                ids.put(page, id);
                if (id == pages.length) {
                    pages = java.util.Arrays.copyOf(pages, id * 2);
                }
                pages[id] = page;
            }
            refs[kept++] = id << 1 | (TraceReader.isWrite(ref) ? 1 : 0);
        }
        return new MrcTrace(trace.source(), kept == n ? refs : java.util.Arrays.copyOf(refs, kept),
                java.util.Arrays.copyOf(pages, distinct));
    }

    /** Where the trace was read from. */
    public String source() {
        return source;
    }

    /** Number of references. */
    public int refs() {
        return refs.length;
    }

    /** Number of distinct pages. */
    public int distinctPages() {
        return pages.length;
    }

    /** The dense page id of reference {@code i}. */
    int id(int i) {
        return refs[i] >>> 1;
    }

    /** Packed references, {@code id << 1 | write}; callers must not modify. */
    int[] packed() {
        return refs;
    }

    /** The page number of a dense id. */
    long page(int id) {
        return pages[id];
    }

    /** Page numbers by dense id; callers must not modify. */
    long[] pages() {
        return pages;
    }

    /**
     * For each reference, the position of the next reference to the same page, or
     * {@link io.vmsim.api.policy.OfflineStudy.Study#NEVER}; computed on first use (one backward
     * pass) then shared. Null if {@code wanted} is false and it was never computed.
     */
    long[] nextUse(boolean wanted) {
        long[] n = next;
        if (n == null && wanted) {
            synchronized (this) {
                n = next;
                if (n == null) {
                    n = new long[refs.length];
                    long[] last = new long[pages.length];
                    java.util.Arrays.fill(last, io.vmsim.api.policy.OfflineStudy.Study.NEVER);
                    for (int i = refs.length - 1; i >= 0; i--) {
                        int id = refs[i] >>> 1;
                        n[i] = last[id];
                        last[id] = i;
                    }
                    next = n;
                }
            }
        }
        return n;
    }
}
