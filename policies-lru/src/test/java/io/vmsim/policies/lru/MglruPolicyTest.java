package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class MglruPolicyTest {

    private static CacheHarness mglru(int frames) {
        return new CacheHarness(frames, (l, f) -> new MglruPolicy(l, false));
    }

    @Test
    void newFilePages_enterTheOldestGeneration_orTheYoungestWhenConfigured() {
        CacheHarness h = mglru(4);
        h.run(1, 2);
        MglruPolicy p = (MglruPolicy) h.policy;
        assertThat(p.seqOf(h.frameOf(1))).isEqualTo(p.minSeq());
        assertThat(p.maxSeq() - p.minSeq() + 1).isEqualTo(MglruPolicy.MIN_NR_GENS);
        CacheHarness y = new CacheHarness(4, (l, f) -> new MglruPolicy(l, true));
        y.run(1, 2);
        MglruPolicy q = (MglruPolicy) y.policy;
        assertThat(q.seqOf(y.frameOf(1))).isEqualTo(q.maxSeq());
    }

    @Test
    void eviction_agesWhenOnlyTwoGenerationsRemain_andSparesPagesFoundYoung() {
        CacheHarness h = mglru(4).mapped();
        h.run(1, 2, 3, 4, 1); // 1 is young when reclaim first runs
        h.run(5);
        MglruPolicy p = (MglruPolicy) h.policy;
        assertThat(p.agings()).isPositive();
        assertThat(h.resident(1)).isTrue();
        // 1 was moved to a generation younger than the one 2 was evicted from.
        assertThat(p.seqOf(h.frameOf(1))).isGreaterThan(p.minSeq());
        assertThat(h.resident(2)).isFalse();
    }

    @Test
    void randomRuns_keepGenerationsWithinBounds() {
        Random rnd = new Random(29);
        for (int frames : new int[] {1, 2, 16, 128}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(1000) : rnd.nextInt(60);
            }
            CacheHarness h = mglru(frames);
            h.run(seq);
            assertThat(h.policy.size()).isEqualTo(frames);
        }
    }
}
