package io.vmsim.core.mm;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The content-tag side table against a brute-force reference (a HashMap). */
final class PageContentsTest {
    @Test
    void randomSetsClearsAndMoves_agreeWithAHashMap() {
        SplittableRandom rng = new SplittableRandom(11);
        PageContents t = new PageContents();
        Map<Integer, Long> ref = new HashMap<>();
        assertThat(t.bytes()).isZero(); // nothing allocated until a tag is stored
        for (int i = 0; i < 200_000; i++) {
            int pfn = rng.nextInt(5000);
            switch (rng.nextInt(4)) {
                case 0, 1 -> {
                    long tag = rng.nextLong(8);
                    t.set(pfn, tag);
                    ref.put(pfn, tag);
                }
                case 2 -> {
                    t.clear(pfn);
                    ref.remove(pfn);
                }
                default -> {
                    int to = rng.nextInt(5000);
                    Long v = ref.remove(pfn);
                    t.move(pfn, to);
                    if (v != null) {
                        ref.put(to, v);
                    }
                }
            }
            if ((i & 1023) == 0) {
                for (int p = 0; p < 5000; p++) {
                    assertThat(t.get(p)).as("pfn %d", p).isEqualTo(ref.getOrDefault(p, PageContents.UNKNOWN));
                }
                assertThat(t.size()).isEqualTo(ref.size());
            }
        }
    }

    @Test
    void unknown_isNotStored_andZeroIsAContentLikeAnyOther() {
        PageContents t = new PageContents();
        t.set(3, PageContents.ZERO);
        assertThat(t.has(3)).isTrue();
        assertThat(t.get(3)).isEqualTo(PageContents.ZERO);
        t.set(3, PageContents.UNKNOWN);
        assertThat(t.has(3)).isFalse();
        assertThat(t.size()).isZero();
        assertThat(PageContents.checksum(5)).isEqualTo(PageContents.checksum(5)).isNotEqualTo(PageContents.checksum(6));
    }
}
