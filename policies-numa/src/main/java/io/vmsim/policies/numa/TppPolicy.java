package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaPromotion;

import java.util.Arrays;

/**
 * TPP, transparent page placement for CXL tiered memory: H. A. Maruf, H. Wang, A. Dhanotia,
 * J. Weiner, N. Agarwal, P. Bhattacharya, C. Petersen, M. Chowdhury, S. Kanaujia, P. Chauhan,
 * "TPP: Transparent Page Placement for CXL-Enabled Tiered-Memory", ASPLOS 2023
 * (doi:10.1145/3582016.3582063). Two of its mechanisms, on top of Linux's demotion and tiering
 * mode (much of TPP was merged into Linux 5.18):
 * <ul>
 *   <li>decoupled allocation and reclamation: kswapd demotes a top-tier node's cold pages until
 *       its free memory reaches a demotion watermark above the allocation watermarks, and wakes
 *       as soon as free memory drops below it, so that new allocations and promotions find
 *       headroom on the fast node ({@link #demotionWatermarkPages}: Linux's mark plus
 *       {@code demote_scale_factor} ten-thousandths of the node);</li>
 *   <li>promotion of pages found on the active LRU: a hinting fault on a slow-tier page that is
 *       not active marks it (as {@code mark_page_accessed()} would move it toward the active list)
 *       and leaves it; the next hinting fault on it promotes it at once, with no hot threshold and
 *       no rate limit.</li>
 * </ul>
 * Simplifications: "active" is this policy's own mark of one earlier hinting fault on the frame
 * (NUMA policies do not see the reclaim policy's lists); a mark left on a frame whose page was
 * freed without being promoted carries over to the next page there. TPP's page-type-aware
 * allocation (file pages to the slow tier) is not modelled: pages are placed locally. Ordinary
 * balancing decisions (a page of a node with CPUs, {@code kernel.numa_balancing=1}) are Linux's,
 * as {@link LinuxNumaPolicy} makes them.
 */
public final class TppPolicy extends TieringOnLinuxBalancing {
    private final long demoteScaleFactor;
    private final long[] nodeFrames;
    /** One bit per frame: a hinting fault found the page inactive and marked it. */
    private long[] marked = new long[0];

    /**
     * @param nodeFrames        frames of each node
     * @param demoteScaleFactor headroom above Linux's mark, in units of 0.01% of the node
     */
    public TppPolicy(long[] nodeFrames, long demoteScaleFactor) {
        super(nodeFrames.length);
        this.nodeFrames = nodeFrames.clone();
        this.demoteScaleFactor = demoteScaleFactor;
    }

    @Override
    public int promotion(TaskView task, NumaPromotion fault) {
        int pfn = fault.pfn();
        int word = pfn >>> 6;
        if (word >= marked.length) {
            marked = Arrays.copyOf(marked, Math.max(word + 1, marked.length * 2));
        }
        long bit = 1L << (pfn & 63);
        if ((marked[word] & bit) == 0) {
            marked[word] |= bit; // inactive: mark it, promote on the next hinting fault
            return PROMOTION_KEEP;
        }
        marked[word] &= ~bit; // active: promote, and the frame it leaves starts unmarked
        return PROMOTION_NOW;
    }

    /** True if the page in {@code pfn} is marked active (for tests). */
    boolean marked(int pfn) {
        int word = pfn >>> 6;
        return word < marked.length && (marked[word] & (1L << (pfn & 63))) != 0;
    }

    @Override
    public long demotionWatermarkPages(int node, long markPages) {
        return markPages + nodeFrames[node] * demoteScaleFactor / 10_000;
    }
}
