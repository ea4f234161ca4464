package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class ClockPolicyTest {

    private static CacheHarness clock(int frames, boolean insertReferenced) {
        return new CacheHarness(frames, (l, f) -> new ClockPolicy(l, insertReferenced));
    }

    @Test
    void insertReferenced_givesEveryNewPageASecondChance() {
        // 3 frames, 1 2 3 1 4 2. Entering referenced, all three bits are set when 4 misses: the hand
        // clears 1, 2, 3 and evicts 1 on its second pass, so 2 still hits: 4 misses.
        CacheHarness paper = clock(3, true);
        assertThat(paper.run(1, 2, 3, 1, 4, 2)).isEqualTo(4);
        assertThat(paper.resident(1)).isFalse();
    }

    @Test
    void insertClear_evictsTheFirstPageNotHitSinceItEntered() {
        // Entering clear (libCacheSim): only 1 was hit, so the hand passes it and evicts 2: 5 misses.
        CacheHarness peer = clock(3, false);
        assertThat(peer.run(1, 2, 3, 1, 4, 2)).isEqualTo(5);
        assertThat(peer.resident(1)).isTrue();
        assertThat(peer.resident(3)).isFalse();
    }

    @Test
    void clock_learnsOfUseFromAccessedBitsOnly() {
        assertThat(new ClockPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(1), true).observesEveryAccess())
                .isFalse();
    }

    @Test
    void randomRuns_keepTheCircleConsistent() {
        Random rnd = new Random(3);
        for (boolean ins : new boolean[] {true, false}) {
            for (int frames : new int[] {1, 2, 16, 100}) {
                int[] seq = rnd.ints(20_000, 0, 300).toArray();
                CacheHarness h = clock(frames, ins);
                assertThat(h.run(seq)).isGreaterThanOrEqualTo(Math.min(300, seq.length) > frames ? frames : 0);
                assertThat(h.policy.size()).isEqualTo(frames);
            }
        }
    }
}
