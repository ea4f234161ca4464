package io.vmsim.core.error;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class ClosestNameTest {
    @Test
    void distance_countsEdits() {
        assertThat(ClosestName.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ClosestName.distance("", "abc")).isEqualTo(3);
        assertThat(ClosestName.distance("lru", "lru")).isZero();
    }

    @Test
    void among_suggestsTheNearestPlausibleName() {
        assertThat(ClosestName.among("vm.swapiness", List.of("seed", "vm.swappiness", "machine.memory")))
                .contains("vm.swappiness");
        assertThat(ClosestName.among("LRU", List.of("fifo", "lru"))).contains("lru");
        assertThat(ClosestName.among("completely-different", List.of("lru", "fifo"))).isEmpty();
    }

    @Test
    void didYouMean_isEmptyWithoutACandidate() {
        assertThat(ClosestName.didYouMean("x", List.of())).isEmpty();
        assertThat(ClosestName.didYouMean("fif", List.of("fifo"))).isEqualTo("; did you mean 'fifo'?");
    }
}
