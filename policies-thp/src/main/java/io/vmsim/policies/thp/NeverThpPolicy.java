package io.vmsim.policies.thp;

import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;

/**
 * Never uses huge pages, whatever the knobs and madvise say: every fault maps a 4 KiB page and
 * khugepaged collapses nothing. The baseline against which THP's gains are measured, as
 * {@code enabled=never} in {@code Documentation/admin-guide/mm/transhuge.rst}.
 */
public final class NeverThpPolicy implements HugePagePolicy {
    @Override
    public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
        return FaultDecision.BASE;
    }

    @Override
    public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        return false;
    }
}
