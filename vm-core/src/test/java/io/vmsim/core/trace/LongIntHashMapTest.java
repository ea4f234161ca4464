package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class LongIntHashMapTest {

    @Test
    void randomPutsAndGets_agreeWithHashMap_acrossGrowth() {
        SplittableRandom rnd = new SplittableRandom(42);
        LongIntHashMap m = new LongIntHashMap(4);
        Map<Long, Integer> ref = new HashMap<>();
        for (int i = 0; i < 300_000; i++) {
            // Mix dense page numbers, negatives and extremes: all keys are legal.
            long key = switch (i % 4) {
                case 0 -> rnd.nextLong(100_000);
                case 1 -> -rnd.nextLong(1000);
                case 2 -> rnd.nextLong();
                default -> i % 8 == 3 ? Long.MIN_VALUE : 0;
            };
            int value = rnd.nextInt(1_000_000);
            Integer prev = ref.put(key, value);
            assertThat(m.put(key, value)).isEqualTo(prev == null ? LongIntHashMap.MISSING : prev);
            long probe = rnd.nextLong(200_000);
            assertThat(m.get(probe)).isEqualTo(ref.getOrDefault(probe, LongIntHashMap.MISSING));
        }
        assertThat(m.size()).isEqualTo(ref.size());
        Map<Long, Integer> seen = new HashMap<>();
        m.forEach(seen::put);
        assertThat(seen).isEqualTo(ref);
    }
}
