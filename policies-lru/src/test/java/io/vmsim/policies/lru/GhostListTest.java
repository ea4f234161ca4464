package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GhostList} against a {@link LinkedHashSet} kept in insertion order (re-adding moves a
 * key to the young end) over random adds, removes and pops, with the list held at a bound as
 * ARC and S3-FIFO hold theirs, so that its ring is compacted many times, in place and with
 * its oldest slot anywhere in the ring.
 */
final class GhostListTest {
    @Test
    void randomOperations_agreeWithAnInsertionOrderedSet() {
        for (long seed = 1; seed <= 30; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int bound = 1 + rnd.nextInt(300);
            GhostList g = new GhostList(rnd.nextInt(2 * bound + 1));
            LinkedHashSet<Long> ref = new LinkedHashSet<>();
            int keys = bound + 1 + rnd.nextInt(4 * bound);
            for (int op = 0; op < 30_000; op++) {
                long k = rnd.nextInt(keys) - 3L;
                int what = rnd.nextInt(10);
                if (what < 6) {
                    g.add(k);
                    ref.remove(k);
                    ref.add(k);
                    while (ref.size() > bound) {
                        long oldest = ref.iterator().next();
                        ref.remove(oldest);
                        assertThat(g.removeOldest()).as("seed %d op %d", seed, op).isEqualTo(oldest);
                    }
                } else if (what < 9) {
                    assertThat(g.remove(k)).as("seed %d op %d", seed, op).isEqualTo(ref.remove(k));
                } else if (!ref.isEmpty()) {
                    long oldest = ref.iterator().next();
                    ref.remove(oldest);
                    assertThat(g.removeOldest()).as("seed %d op %d", seed, op).isEqualTo(oldest);
                }
                assertThat(g.size()).isEqualTo(ref.size());
                assertThat(g.contains(k)).isEqualTo(ref.contains(k));
            }
            g.verify("test");
            for (long k : ref) {
                assertThat(g.removeOldest()).isEqualTo(k);
            }
            assertThat(g.size()).isZero();
        }
    }
}
