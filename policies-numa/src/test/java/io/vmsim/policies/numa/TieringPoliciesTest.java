package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaPromotion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The promotion and demotion decisions of the tiering policies, against their papers' rules and Linux's. */
final class TieringPoliciesTest {
    /** A hinting fault on a slow-tier page as the core describes it. */
    record Fault(int pfn, long latencyMs, long hotThresholdMs, boolean freeSpaceEnough) implements NumaPromotion {
        @Override
        public int pageNode() {
            return 1;
        }

        @Override
        public int targetNode() {
            return 0;
        }

        @Override
        public int cpu() {
            return 0;
        }
    }

    @Test
    void linuxRule_promotesAtOnceWithFreeSpace_elseCandidatesBelowTheHotThreshold() {
        NumaPolicy linux = new LinuxNumaPolicy(2);
        // should_numa_migrate_memory(), tiering branch (kernel/sched/fair.c, Linux 6.18)
        assertThat(linux.promotion(null, new Fault(5, 5000, 1000, true))).isEqualTo(NumaPolicy.PROMOTION_NOW);
        assertThat(linux.promotion(null, new Fault(5, 999, 1000, false))).isEqualTo(NumaPolicy.PROMOTION_RATE_LIMITED);
        assertThat(linux.promotion(null, new Fault(5, 1000, 1000, false))).as("latency >= th").isEqualTo(NumaPolicy.PROMOTION_KEEP);
        assertThat(linux.demotionWatermarkPages(0, 156)).isEqualTo(156);
    }

    @Test
    void tpp_promotesOnTheSecondHintingFault_andKeepsItsHeadroom() {
        TppPolicy tpp = new TppPolicy(new long[] {4096, 8192}, 200);
        assertThat(tpp.promotion(null, new Fault(7000, 0, 1000, false))).as("inactive: marked").isEqualTo(NumaPolicy.PROMOTION_KEEP);
        assertThat(tpp.marked(7000)).isTrue();
        assertThat(tpp.promotion(null, new Fault(7001, 0, 1000, false))).isEqualTo(NumaPolicy.PROMOTION_KEEP);
        // found active, whatever the latency and the threshold
        assertThat(tpp.promotion(null, new Fault(7000, 99999, 1, false))).isEqualTo(NumaPolicy.PROMOTION_NOW);
        assertThat(tpp.marked(7000)).as("the frame it leaves starts unmarked").isFalse();
        assertThat(tpp.marked(7001)).isTrue();
        // the demotion watermark: Linux's mark plus 2% of the node's 4096 frames
        assertThat(tpp.demotionWatermarkPages(0, 156)).isEqualTo(156 + 4096 * 200 / 10_000);
        assertThat(new TppPolicy(new long[] {4096}, 0).demotionWatermarkPages(0, 156)).isEqualTo(156);
    }

    @Test
    void memtis_hotThresholdBin_letsTheHotPagesFitTheFastTier() {
        // 3 fast frames; samples: page 10 x8, 11 x4, 12 x4, 13 x2, 14 x1
        MemtisPolicy m = new MemtisPolicy(2, 3, 1 << 20);
        int[][] samples = {{10, 8}, {11, 4}, {12, 4}, {13, 2}, {14, 1}};
        int[] last = new int[20];
        for (int[] s : samples) {
            for (int i = 0; i < s[1]; i++) {
                last[s[0]] = m.promotion(null, new Fault(s[0], 0, 1000, false));
            }
        }
        // bins by floor(log2(count)) + 1: 8 -> 4, 4 -> 3, 2 -> 2, 1 -> 1
        assertThat(m.pagesInBin(4)).isEqualTo(1);
        assertThat(m.pagesInBin(3)).isEqualTo(2);
        assertThat(m.pagesInBin(2)).isEqualTo(1);
        assertThat(m.pagesInBin(1)).isEqualTo(1);
        // brute force: the lowest bin whose pages and those above number at most 3
        int expected = 1;
        for (int b = 1; b < MemtisPolicy.BINS; b++) {
            long above = 0;
            for (int c = b; c < MemtisPolicy.BINS; c++) {
                above += m.pagesInBin(c);
            }
            if (above <= 3) {
                expected = b;
                break;
            }
        }
        assertThat(m.thresholdBin()).isEqualTo(expected).isEqualTo(3);
        assertThat(m.promotion(null, new Fault(11, 0, 1000, false))).as("count 5, bin 3").isEqualTo(NumaPolicy.PROMOTION_NOW);
        assertThat(m.promotion(null, new Fault(13, 0, 1000, false))).as("count 3, bin 2").isEqualTo(NumaPolicy.PROMOTION_KEEP);
    }

    @Test
    void memtis_cooling_halvesEveryCount() {
        MemtisPolicy m = new MemtisPolicy(2, 1, 4);
        for (int i = 0; i < 3; i++) {
            m.promotion(null, new Fault(2, 0, 1000, false));
        }
        assertThat(m.pagesInBin(2)).isEqualTo(1); // count 3
        m.promotion(null, new Fault(3, 0, 1000, false)); // the 4th sample cools: 3 -> 1, 1 -> 0
        assertThat(m.pagesInBin(2)).isZero();
        assertThat(m.pagesInBin(1)).isEqualTo(1);
    }

    @Test
    void tieringPolicies_placeLocally_andWantHintingFaults() {
        TaskView task = null;
        VmaView vma = null;
        for (NumaPolicy p : new NumaPolicy[] {new TppPolicy(new long[] {1, 1}, 200), new MemtisPolicy(2, 1, 8)}) {
            assertThat(p.allocationNode(task, vma, 0x1000, 0)).isZero();
            assertThat(p.wantsHintingFaults()).isTrue();
        }
    }
}
