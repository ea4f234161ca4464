package io.vmsim.policies.lru;

import io.vmsim.api.machine.IntrusivePageLists;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class FifoPolicyTest {

    @Test
    void shortSequence_showsBeladysAnomaly() {
        // The classic sequence: FIFO misses 9 times with 3 frames and 10 times with 4.
        int[] seq = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
        assertThat(new CacheHarness(3, (l, fv) -> new FifoPolicy(l)).run(seq)).isEqualTo(9);
        assertThat(new CacheHarness(4, (l, fv) -> new FifoPolicy(l)).run(seq)).isEqualTo(10);
        assertThat(ReplacementHarness.referenceMisses(false, 4, seq)).isEqualTo(10);
    }

    @Test
    void randomSequence_matchesListBasedReference() {
        Random rnd = new Random(11);
        for (int frames : new int[] {1, 3, 16, 50}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(300) : rnd.nextInt(30);
            }
            assertThat(new CacheHarness(frames, (l, fv) -> new FifoPolicy(l)).run(seq))
                    .as("misses with %d frames", frames)
                    .isEqualTo(ReplacementHarness.referenceMisses(false, frames, seq));
        }
    }

    @Test
    void fifo_doesNotAskForAccessEvents() {
        assertThat(new FifoPolicy(IntrusivePageLists.standalone(1)).observesEveryAccess()).isFalse();
    }
}
