package io.vmsim.policies.thp;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;

/**
 * Linux's transparent-huge-page rules.
 *
 * <p>At a fault, whether to try a PMD-sized page follows the {@code enabled} knob as
 * {@code Documentation/admin-guide/mm/transhuge.rst} describes it: {@code always} for every
 * eligible area, {@code madvise} only in areas with {@code MADV_HUGEPAGE} ({@code VM_HUGEPAGE}),
 * {@code never} not at all; {@code MADV_NOHUGEPAGE} ({@code VM_NOHUGEPAGE}) always wins. How hard
 * the allocation may try follows {@code vma_thp_gfp_mask()} in {@code mm/huge_memory.c}
 * (called {@code alloc_hugepage_direct_gfpmask()} before 5.11):
 * <pre>
 *   defrag          madvised area        other area
 *   always          GFP_TRANSHUGE        GFP_TRANSHUGE | __GFP_NORETRY
 *   defer           LIGHT | KSWAPD       LIGHT | KSWAPD
 *   defer+madvise   LIGHT | DIRECT       LIGHT | KSWAPD
 *   madvise         LIGHT | DIRECT       LIGHT
 *   never           LIGHT                LIGHT
 * </pre>
 * where {@code GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM} is {@code GFP_TRANSHUGE}.
 *
 * <p>khugepaged collapses a PMD range under the limits of {@code mm/khugepaged.c}
 * ({@code hpage_collapse_scan_pmd()}): at most {@code max_ptes_none} empty, {@code max_ptes_swap}
 * swapped and {@code max_ptes_shared} shared entries, and at least one young page (half the
 * range when some entries are swapped out). Simplification: the swapped-in pages are not
 * counted separately from the young ones.
 */
public final class LinuxThpPolicy implements HugePagePolicy {
    private static final int HPAGE_PMD_NR = 512;

    private final int maxPtesNone;
    private final int maxPtesSwap;
    private final int maxPtesShared;

    /** Creates the policy with khugepaged's limits (kernel defaults: 511, 64, 256). */
    public LinuxThpPolicy(int maxPtesNone, int maxPtesSwap, int maxPtesShared) {
        this.maxPtesNone = maxPtesNone;
        this.maxPtesSwap = maxPtesSwap;
        this.maxPtesShared = maxPtesShared;
    }

    @Override
    public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
        if ((vma.flags() & VmaFlags.VM_NOHUGEPAGE) != 0) {
            return FaultDecision.BASE;
        }
        boolean madvised = (vma.flags() & VmaFlags.VM_HUGEPAGE) != 0;
        boolean huge = switch (enabled) {
            case "always" -> true;
            case "madvise" -> madvised;
            case "never" -> false;
            default -> throw new IllegalArgumentException("transparent_hugepage enabled '" + enabled
                    + "': expected always, madvise or never");
        };
        if (!huge) {
            return FaultDecision.BASE;
        }
        return new FaultDecision(PageSize.SIZE_2M, effort(defrag, madvised));
    }

    /** The allocation effort of {@code vma_thp_gfp_mask()} for a defrag setting. */
    static Effort effort(String defrag, boolean madvised) {
        return switch (defrag) {
            case "always" -> madvised ? Effort.DIRECT : Effort.DIRECT_NORETRY;
            case "defer" -> Effort.WAKE_DAEMONS;
            case "defer+madvise" -> madvised ? Effort.DIRECT : Effort.WAKE_DAEMONS;
            case "madvise" -> madvised ? Effort.DIRECT : Effort.LIGHT;
            case "never" -> Effort.LIGHT;
            default -> throw new IllegalArgumentException("transparent_hugepage defrag '" + defrag
                    + "': expected always, defer, defer+madvise, madvise or never");
        };
    }

    @Override
    public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        if ((vma.flags() & VmaFlags.VM_NOHUGEPAGE) != 0) {
            return false;
        }
        if (none > maxPtesNone || swap > maxPtesSwap || shared > maxPtesShared) {
            return false;
        }
        // khugepaged does not collapse a cold range, and wants it half hot before swapping in.
        return young > 0 && (swap == 0 || young >= HPAGE_PMD_NR / 2);
    }
}
