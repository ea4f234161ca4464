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
        assertThat(p.coldTarget()).as("mc 1 + 1, within 1 .. m - 1 = 2").isEqualTo(2);
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

    @Test
    void residentColdPageAccessedInItsTestPeriod_growsTheColdTargetByOne() {
        // Hand-worked from the paper's rules (section 4.3), 10 frames, mc starts at 1 (1% of 10,
        // at least 1). 1..10 enter cold in their test periods, in clock order behind HAND-hot.
        // 1 and 2 are used again. The miss on 11 sends HAND-cold from 1: 1 is referenced in its
        // test period, so it turns hot and mc becomes 2; 2 likewise, mc 3; 3 is not referenced
        // and is evicted into a non-resident entry. Hot pages (2) stay within m - mc (7), so
        // HAND-hot does not move and no test period ends: mc is 3.
        CacheHarness h = clockPro(10);
        ClockProPolicy p = (ClockProPolicy) h.policy;
        h.run(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(p.coldTarget()).isEqualTo(1);
        h.run(1, 2, 11);
        assertThat(h.resident(3)).isFalse();
        assertThat(p.isHot(h.frameOf(1))).isTrue();
        assertThat(p.isHot(h.frameOf(2))).isTrue();
        assertThat(p.hotPages()).isEqualTo(2);
        assertThat(p.nonResident()).isEqualTo(1);
        assertThat(p.coldTarget()).isEqualTo(3);
    }
}
