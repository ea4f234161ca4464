package io.vmsim.policies.thp;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;
import org.junit.jupiter.api.Test;

import static io.vmsim.policies.thp.LinuxThpPolicyTest.vma;
import static org.assertj.core.api.Assertions.assertThat;

final class CoverageThpPolicyTest {
    private final CoverageThpPolicy policy = new CoverageThpPolicy(0.9, 0.5);

    @Test
    void fault_givesBasePagesUnlessTheAreaAskedForHugePages() {
        VmaView plain = vma(0);
        VmaView madvised = vma(VmaFlags.VM_HUGEPAGE);
        assertThat(policy.onFault(plain, 0, true, "always", "always")).isEqualTo(HugePagePolicy.FaultDecision.BASE);
        HugePagePolicy.FaultDecision d = policy.onFault(madvised, 0, true, "always", "madvise");
        assertThat(d.size()).isEqualTo(PageSize.SIZE_2M);
        assertThat(d.effort()).isEqualTo(HugePagePolicy.Effort.DIRECT);
        assertThat(policy.onFault(madvised, 0, true, "never", "always")).isEqualTo(HugePagePolicy.FaultDecision.BASE);
    }

    @Test
    void collapse_needsNinetyPercentUtilization() {
        VmaView v = vma(0);
        // 90% of 512 is 460.8: 461 present pages (51 empty) qualify, 460 do not
        assertThat(policy.shouldCollapse(v, 0, 51, 0, 0, 461)).isTrue();
        assertThat(policy.shouldCollapse(v, 0, 52, 0, 0, 460)).isFalse();
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 0, 512)).isTrue();
    }

    @Test
    void collapse_needsHalfThePresentPagesAccessed() {
        VmaView v = vma(0);
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 0, 256)).isTrue();
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 0, 255)).isFalse();
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 0, 0)).isFalse();
    }

    @Test
    void collapse_neverInNohugepageAreasOrWithSwappedEntries() {
        assertThat(policy.shouldCollapse(vma(VmaFlags.VM_NOHUGEPAGE), 0, 0, 0, 0, 512)).isFalse();
        assertThat(policy.shouldCollapse(vma(0), 0, 0, 1, 0, 511)).isFalse();
    }

    @Test
    void linuxPolicy_collapsesAtExactlyMaxPtesNone_notOneMore() {
        LinuxThpPolicy linux = new LinuxThpPolicy(100, 64, 256);
        assertThat(linux.shouldCollapse(vma(0), 0, 100, 0, 0, 1)).isTrue();
        assertThat(linux.shouldCollapse(vma(0), 0, 101, 0, 0, 1)).isFalse();
    }

    @Test
    void demotesOnlyAfterTheConfiguredIdleVisits_andNeverWhenZero() {
        CoverageThpPolicy demoting = new CoverageThpPolicy(0.9, 0.5, 2);
        assertThat(demoting.shouldSplit(null, 0, 0)).isFalse();
        assertThat(demoting.shouldSplit(null, 0, 1)).isFalse();
        assertThat(demoting.shouldSplit(null, 0, 2)).isTrue();
        assertThat(policy.shouldSplit(null, 0, 100)).isFalse();
    }
}
