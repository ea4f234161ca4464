package io.vmsim.policies.thp;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy.Effort;
import io.vmsim.api.policy.HugePagePolicy.FaultDecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class LinuxThpPolicyTest {
    private final LinuxThpPolicy policy = new LinuxThpPolicy(511, 64, 256);

    static VmaView vma(long flags) {
        return new VmaView() {
            @Override
            public long start() {
                return 0;
            }

            @Override
            public long end() {
                return 1L << 30;
            }

            @Override
            public long flags() {
                return flags | VmaFlags.VM_READ | VmaFlags.VM_WRITE | VmaFlags.VM_ANON;
            }

            @Override
            public long pgoff() {
                return 0;
            }
        };
    }

    /*
     * Expected values from Documentation/admin-guide/mm/transhuge.rst:
     * enabled: "always" uses THP everywhere, "madvise" only inside MADV_HUGEPAGE regions, "never" nowhere.
     * defrag:  "always"  - stall for direct reclaim/compaction (madvised areas retry harder);
     *          "defer"   - wake kswapd/kcompactd, take a huge page only if one is free now;
     *          "defer+madvise" - direct reclaim/compaction in madvised areas, otherwise as defer;
     *          "madvise" - direct reclaim/compaction in madvised areas, otherwise as never;
     *          "never"   - take a huge page only if one is immediately available.
     */
    @ParameterizedTest(name = "enabled={0} defrag={1} madvised={2} -> {3} {4}")
    @CsvSource({
            "always,  always,        false, 2M, DIRECT_NORETRY",
            "always,  always,        true,  2M, DIRECT",
            "always,  defer,         false, 2M, WAKE_DAEMONS",
            "always,  defer,         true,  2M, WAKE_DAEMONS",
            "always,  defer+madvise, false, 2M, WAKE_DAEMONS",
            "always,  defer+madvise, true,  2M, DIRECT",
            "always,  madvise,       false, 2M, LIGHT",
            "always,  madvise,       true,  2M, DIRECT",
            "always,  never,         false, 2M, LIGHT",
            "always,  never,         true,  2M, LIGHT",
            "madvise, always,        false, 4K, ",
            "madvise, always,        true,  2M, DIRECT",
            "madvise, defer,         false, 4K, ",
            "madvise, defer,         true,  2M, WAKE_DAEMONS",
            "madvise, defer+madvise, false, 4K, ",
            "madvise, defer+madvise, true,  2M, DIRECT",
            "madvise, madvise,       false, 4K, ",
            "madvise, madvise,       true,  2M, DIRECT",
            "madvise, never,         false, 4K, ",
            "madvise, never,         true,  2M, LIGHT",
            "never,   always,        false, 4K, ",
            "never,   always,        true,  4K, ",
            "never,   defer,         false, 4K, ",
            "never,   defer,         true,  4K, ",
            "never,   defer+madvise, false, 4K, ",
            "never,   defer+madvise, true,  4K, ",
            "never,   madvise,       false, 4K, ",
            "never,   madvise,       true,  4K, ",
            "never,   never,         false, 4K, ",
            "never,   never,         true,  4K, ",
    })
    void onFault_followsEnabledDefragAndMadvise(String enabled, String defrag, boolean madvised,
                                                String size, Effort effort) {
        FaultDecision d = policy.onFault(vma(madvised ? VmaFlags.VM_HUGEPAGE : 0), 0x200000, true, enabled, defrag);
        assertThat(d.size()).isEqualTo(PageSize.parse(size));
        if (d.size() == PageSize.SIZE_2M) {
            assertThat(d.effort()).isEqualTo(effort);
        }
    }

    @ParameterizedTest
    @CsvSource({"always", "madvise", "never"})
    void noHugepageArea_neverGetsAHugePage(String enabled) {
        for (String defrag : new String[] {"always", "defer", "defer+madvise", "madvise", "never"}) {
            assertThat(policy.onFault(vma(VmaFlags.VM_NOHUGEPAGE), 0, true, enabled, defrag))
                    .isEqualTo(FaultDecision.BASE);
        }
    }

    @Test
    void collapse_respectsMaxPtesLimitsAndNeedsAYoungPage() {
        VmaView v = vma(0);
        assertThat(policy.shouldCollapse(v, 0, 511, 0, 0, 1)).isTrue();
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 0, 0)).as("cold range").isFalse();
        assertThat(policy.shouldCollapse(v, 0, 0, 65, 0, 447)).as("too many swapped").isFalse();
        assertThat(policy.shouldCollapse(v, 0, 0, 64, 0, 100)).as("swap-in needs half young").isFalse();
        assertThat(policy.shouldCollapse(v, 0, 0, 64, 0, 256)).isTrue();
        assertThat(policy.shouldCollapse(v, 0, 0, 0, 257, 10)).as("too many shared").isFalse();
        assertThat(new LinuxThpPolicy(0, 64, 256).shouldCollapse(v, 0, 1, 0, 0, 511)).isFalse();
        assertThat(policy.shouldCollapse(vma(VmaFlags.VM_NOHUGEPAGE), 0, 0, 0, 0, 512)).isFalse();
    }

    @Test
    void never_isAlwaysBase() {
        NeverThpPolicy never = new NeverThpPolicy();
        assertThat(never.onFault(vma(VmaFlags.VM_HUGEPAGE), 0, true, "always", "always")).isEqualTo(FaultDecision.BASE);
        assertThat(never.shouldCollapse(vma(VmaFlags.VM_HUGEPAGE), 0, 0, 0, 0, 512)).isFalse();
    }
}
