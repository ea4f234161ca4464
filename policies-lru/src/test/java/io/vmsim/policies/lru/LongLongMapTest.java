package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LongLongMap} against {@link HashMap} over random operations on keys that collide often. */
final class LongLongMapTest {
    @Test
    void randomOperations_agreeWithAHashMap() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            LongLongMap m = new LongLongMap(4);
            Map<Long, Long> ref = new HashMap<>();
            int keys = 1 + rnd.nextInt(2000);
            for (int op = 0; op < 20_000; op++) {
                long k = rnd.nextInt(keys) * (rnd.nextBoolean() ? 1L : 1L << 40) - 7;
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        long v = rnd.nextBoolean() ? rnd.nextLong(3) : rnd.nextLong(1_000_000);
                        m.put(k, v);
                        ref.put(k, v);
                    }
                    case 1 -> assertThat(m.remove(k)).isEqualTo(ref.containsKey(k) ? ref.remove(k) : LongLongMap.MISSING);
                    case 2 -> {
                        long v = rnd.nextLong(3);
                        boolean expected = ref.containsKey(k) && ref.get(k) == v;
                        assertThat(m.removeIfValue(k, v)).isEqualTo(expected);
                        if (expected) {
                            ref.remove(k);
                        }
                    }
                    default -> assertThat(m.get(k)).isEqualTo(ref.getOrDefault(k, LongLongMap.MISSING));
                }
                assertThat(m.size()).isEqualTo(ref.size());
            }
            for (Map.Entry<Long, Long> e : ref.entrySet()) {
                assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
                assertThat(m.containsKey(e.getKey())).isTrue();
            }
        }
    }
}
