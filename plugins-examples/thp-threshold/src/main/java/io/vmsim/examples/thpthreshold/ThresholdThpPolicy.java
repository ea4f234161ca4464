package io.vmsim.examples.thpthreshold;

import io.vmsim.api.PageSize;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;

import java.util.HashMap;
import java.util.Map;

/**
 * Huge pages only for areas that have proved they are used: the first {@code threshold} 2 MiB
 * ranges an area touches get 4 KiB pages, later ones a 2 MiB page at their first fault, in the
 * spirit of utilisation-based promotion (Ingens, OSDI 2016; HawkEye, ASPLOS 2019) rather than
 * Linux's "always" at first touch.
 *
 * <p>Why count per area (VMA) and not 4 KiB faults per 2 MiB range: the core asks a huge-page
 * policy only at the first fault of a PMD range that holds nothing yet. Once that fault has
 * mapped a 4 KiB page the range has a page table, and later faults inside it never reach
 * {@link #onFault}; promoting such a range afterwards is khugepaged's job ({@link #shouldCollapse},
 * answered with the same idea: collapse once {@code threshold} of its 512 pages are present).
 */
final class ThresholdThpPolicy implements HugePagePolicy {
    private static final int HPAGE_PMD_NR = 512;

    private final int threshold;
    private final Map<Long, Integer> rangesPerArea = new HashMap<>();

    ThresholdThpPolicy(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
        if (enabled.equals("never")) {
            return FaultDecision.BASE; // the administrator's switch still wins
        }
        int seen = rangesPerArea.merge(vma.start(), 1, Integer::sum);
        if (seen <= threshold) {
            return FaultDecision.BASE;
        }
        return new FaultDecision(PageSize.SIZE_2M, Effort.LIGHT); // never stall a fault for it
    }

    @Override
    public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        return HPAGE_PMD_NR - none >= Math.min(threshold, HPAGE_PMD_NR) && swap == 0;
    }
}
