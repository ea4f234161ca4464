package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaPromotion;

import java.util.Arrays;

/**
 * A Memtis-like promotion policy: T. Lee, S. K. Monga, C. Min, Y. I. Eom, "MEMTIS: Efficient
 * Memory Tiering with Dynamic Page Classification and Page Size Determination", SOSP 2023. Memtis counts sampled accesses per page, keeps a histogram of
 * pages by the log2 of their count, and sets the hot threshold dynamically: the lowest bin such
 * that the pages in it and above fit the fast tier; pages at or above it are hot and promoted.
 * Counts are halved periodically (cooling), so the histogram follows a changing working set.
 *
 * <p>Here the samples are the NUMA hinting faults that memory tiering takes on slow-tier pages
 * ({@code kernel.numa_balancing=2}), in place of Memtis's PEBS samples of every access; bin
 * {@code b} holds pages with {@code 2^(b-1) <= count < 2^b}; the fast tier's capacity is the
 * frames of the top-tier nodes (those with CPUs and any as fast); all counts halve after every
 * {@code cooling_faults} samples; a hot page is promoted at once (no hot-threshold latency, no
 * rate limit). Demotion is Linux's (kswapd's LRU victims), not Memtis's own cold-page
 * classification; huge-page splitting, which Memtis also decides, is not modelled. A count left on
 * a frame whose page moved away is inherited by the frame's next page until cooling clears it.
 * Ordinary balancing decisions are Linux's, as {@link LinuxNumaPolicy} makes them.
 */
public final class MemtisPolicy extends TieringOnLinuxBalancing {
    /** Bins: counts up to 2^15 - 1 (a count saturates there). */
    static final int BINS = 16;
    private static final int MAX_COUNT = (1 << (BINS - 1)) - 1;

    private final long capacity;
    private final long coolingFaults;
    private short[] count = new short[0];
    private final long[] bins = new long[BINS];
    private long samples;

    /**
     * @param nrNodes       nodes of the machine
     * @param fastFrames    frames of the top tier
     * @param coolingFaults samples between two halvings of every count
     */
    public MemtisPolicy(int nrNodes, long fastFrames, long coolingFaults) {
        super(nrNodes);
        this.capacity = fastFrames;
        this.coolingFaults = coolingFaults;
    }

    /** The bin of a count: 0 for none, else {@code floor(log2(count)) + 1}. */
    static int bin(int c) {
        return 32 - Integer.numberOfLeadingZeros(c);
    }

    /** The hot threshold bin: the lowest bin whose pages, with those above, fit the fast tier (at least bin 1). */
    int thresholdBin() {
        long pages = 0;
        for (int b = BINS - 1; b >= 1; b--) {
            pages += bins[b];
            if (pages > capacity) {
                return b + 1;
            }
        }
        return 1;
    }

    @Override
    public int promotion(TaskView task, NumaPromotion fault) {
        int pfn = fault.pfn();
        if (pfn >= count.length) {
            count = Arrays.copyOf(count, Math.max(pfn + 1, count.length * 2));
        }
        int c = count[pfn];
        if (c < MAX_COUNT) {
            if (c > 0) {
                bins[bin(c)]--;
            }
            c++;
            count[pfn] = (short) c;
            bins[bin(c)]++;
        }
        if (++samples % coolingFaults == 0) {
            cool();
        }
        return bin(count[pfn]) >= thresholdBin() ? PROMOTION_NOW : PROMOTION_KEEP;
    }

    /** Cooling: halves every count and rebuilds the histogram. */
    void cool() {
        Arrays.fill(bins, 0);
        for (int i = 0; i < count.length; i++) {
            count[i] >>= 1;
            if (count[i] > 0) {
                bins[bin(count[i])]++;
            }
        }
    }

    /** Pages in histogram bin {@code b} &gt;= 1 (for tests). */
    long pagesInBin(int b) {
        return bins[b];
    }
}
