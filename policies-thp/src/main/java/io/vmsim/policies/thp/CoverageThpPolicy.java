package io.vmsim.policies.thp;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;

/**
 * Huge pages by measured use, in the spirit of Ingens (Kwon et al., "Coordinated and Efficient
 * Huge Page Management with Ingens", OSDI 2016) and HawkEye (Panwar et al., "HawkEye: Efficient
 * Fine-grained OS Support for Huge Pages", ASPLOS 2019).
 *
 * <p>Both papers observe that Linux's greedy fault-time huge pages bloat memory when a program
 * touches a 2 MiB range sparsely, and both promote asynchronously instead. This policy
 * <ul>
 *   <li>never allocates a huge page at fault time, except in {@code MADV_HUGEPAGE} areas where
 *       the program asked for it (with Linux's {@code defrag} effort); sparse regions therefore
 *       cost only the pages they touch;</li>
 *   <li>lets khugepaged promote a PMD range only when its <em>utilization</em> (present pages
 *       out of 512) reaches {@code util_threshold} (Ingens's 90% rule) and its <em>access
 *       coverage</em> (pages whose accessed bit is set, out of the present ones) reaches
 *       {@code min_coverage} (HawkEye's signal of a range worth a TLB entry).</li>
 * </ul>
 * Simplifications: HawkEye ranks candidate ranges by coverage across processes and Ingens
 * tracks utilization in a bitmap per range; here khugepaged's scan order decides which range
 * is looked at next and the counts come from its scan. Neither paper's bloat recovery (HawkEye's
 * zero-page deduplication of huge pages, demotion) is modelled: the SPI gives no per-subpage
 * use of a PMD-mapped page.
 */
public final class CoverageThpPolicy implements HugePagePolicy {
    private static final int HPAGE_PMD_NR = 512;

    private final double utilThreshold;
    private final double minCoverage;
    private final int demoteIdleScans;

    /**
     * @param utilThreshold fraction of a range's 512 pages that must be present to promote it
     * @param minCoverage   fraction of the present pages that must have been accessed
     */
    public CoverageThpPolicy(double utilThreshold, double minCoverage) {
        this(utilThreshold, minCoverage, 0);
    }

    /**
     * @param demoteIdleScans split a huge page whose accessed bit khugepaged found clear this many
     *                        visits in a row (Ingens demotes idle huge pages to recover bloat); 0 never
     */
    public CoverageThpPolicy(double utilThreshold, double minCoverage, int demoteIdleScans) {
        this.utilThreshold = utilThreshold;
        this.minCoverage = minCoverage;
        this.demoteIdleScans = demoteIdleScans;
    }

    /**
     * Demotion (Ingens, OSDI 2016, section 4: huge pages that go idle are split so their unused
     * base pages can be reclaimed): split after {@code demote_idle_scans} idle visits.
     */
    @Override
    public boolean shouldSplit(io.vmsim.api.machine.VmaView vma, long address, int idleScans) {
        return demoteIdleScans > 0 && idleScans >= demoteIdleScans;
    }

    @Override
    public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
        boolean madvised = (vma.flags() & VmaFlags.VM_HUGEPAGE) != 0;
        if (!madvised || "never".equals(enabled) || (vma.flags() & VmaFlags.VM_NOHUGEPAGE) != 0) {
            return FaultDecision.BASE;
        }
        return new FaultDecision(PageSize.SIZE_2M, LinuxThpPolicy.effort(defrag, true));
    }

    @Override
    public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        if ((vma.flags() & VmaFlags.VM_NOHUGEPAGE) != 0 || swap > 0) {
            return false;
        }
        int present = HPAGE_PMD_NR - none;
        return present >= Math.ceil(utilThreshold * HPAGE_PMD_NR) && young > 0 && young >= minCoverage * present;
    }
}
