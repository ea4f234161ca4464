package io.vmsim.policies.lru;

import io.vmsim.api.policy.PolicyException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class OptPolicyTest {

    private static CacheHarness opt(int frames) {
        return new CacheHarness(frames, (l, f) -> new OptPolicy(f.nrFrames()));
    }

    @Test
    void textbookString_with3Frames_faults9Times() {
        // Silberschatz, Operating System Concepts, section 10.4.3: optimal replacement, 9 faults.
        int[] seq = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
        assertThat(opt(3).run(seq)).isEqualTo(9);
    }

    @Test
    void randomRuns_neverMissMoreThanLru_andKeepTheHeapOrdered() {
        Random rnd = new Random(5);
        for (int frames : new int[] {1, 3, 17, 64}) {
            int[] seq = new int[10_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(400) : rnd.nextInt(40);
            }
            long opt = opt(frames).run(seq);
            assertThat(opt).isLessThanOrEqualTo(ReplacementHarness.referenceMisses(true, frames, seq));
        }
    }

    @Test
    void withoutTheFuture_refusesWithAConfigurationError() {
        OptPolicy p = new OptPolicy(4);
        assertThatThrownBy(() -> p.pageAdded(0, false))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("only a replacement study knows")
                .satisfies(e -> assertThat(((PolicyException) e).kind()).isEqualTo(PolicyException.Kind.CONFIGURATION));
    }
}
