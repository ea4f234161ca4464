package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class ClockProPolicyTest {

    private static CacheHarness clockPro(int frames) {
        return new CacheHarness(frames, (l, f) -> new ClockProPolicy(l, f, f.nrFrames(), 0.01));
    }

    @Test
    void coldPageEvictedInItsTestPeriod_staysAsNonResident_andReturnsHot() {
        // 4 frames: 1..4 enter cold in their test period; 5 evicts 1, which stays on the clock
        // as a non-resident page; its reuse makes it hot and grows the cold target.
        CacheHarness h = clockPro(4);
        ClockProPolicy p = (ClockProPolicy) h.policy;
        h.run(1, 2, 3, 4, 5);
        assertThat(h.resident(1)).isFalse();
        assertThat(p.nonResident()).isEqualTo(1);
        int mc = p.coldTarget();
        h.run(1);
        assertThat(p.isHot(h.frameOf(1))).isTrue();
        assertThat(p.nonResident()).isEqualTo(1); // 2 left in its test period as 1 returned
        assertThat(p.coldTarget()).isEqualTo(Math.min(3, mc + 1));
    }

    @Test
    void referencedColdPageInItsTestPeriod_turnsHot() {
        CacheHarness h = clockPro(3);
        ClockProPolicy p = (ClockProPolicy) h.policy;
        h.run(1, 2, 3, 1, 4); // HAND-cold finds 1 referenced in its test period
        assertThat(h.resident(1)).isTrue();
        assertThat(p.isHot(h.frameOf(1))).isTrue();
    }

    @Test
    void randomRuns_keepTheClockAndCountsConsistent() {
        Random rnd = new Random(31);
        for (int frames : new int[] {1, 2, 16, 128}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(1000) : rnd.nextInt(60);
            }
            CacheHarness h = clockPro(frames);
            h.run(seq);
            assertThat(h.policy.size()).isEqualTo(frames);
        }
    }
}
