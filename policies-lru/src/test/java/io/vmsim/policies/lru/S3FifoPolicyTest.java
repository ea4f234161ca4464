package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

final class S3FifoPolicyTest {

    private static CacheHarness s3(int frames, int promoteHits) {
        return new CacheHarness(frames, (l, f) -> new S3FifoPolicy(l, f, f.nrFrames(), 0.1, promoteHits, false));
    }

    /** 1 twice, then 2..11: eleven distinct pages in ten frames, so one eviction from S. */
    private static int[] oneHitThenFill() {
        return IntStream.concat(IntStream.of(1, 1), IntStream.rangeClosed(2, 11)).toArray();
    }

    @Test
    void oneHitInSmallQueue_promotesToMain_asInThePaper() {
        CacheHarness h = s3(10, 1);
        h.run(oneHitThenFill());
        S3FifoPolicy p = (S3FifoPolicy) h.policy;
        // 1 was hit once in S, so EVICTS moves it to M and evicts 2 (never hit) into the ghost queue.
        assertThat(h.resident(1)).isTrue();
        assertThat(p.mainSize()).isEqualTo(1);
        assertThat(h.resident(2)).isFalse();
        assertThat(p.inGhost(2)).isTrue();
        // A ghost hit goes straight to M.
        h.run(2);
        assertThat(p.mainSize()).isEqualTo(2);
        assertThat(p.inGhost(2)).isFalse();
    }

    @Test
    void oneHit_isNotEnough_whenTwoArePromotionThreshold() {
        CacheHarness h = s3(10, 2);
        h.run(oneHitThenFill());
        S3FifoPolicy p = (S3FifoPolicy) h.policy;
        assertThat(h.resident(1)).isFalse();
        assertThat(p.inGhost(1)).isTrue();
        assertThat(p.mainSize()).isZero();
    }

    @Test
    void promotedPage_keepsItsCount_unlessClearedAsInLibCacheSim() {
        // 10 frames (S = 1, M = 9). 1 is hit three times in S and moves to M when 11 arrives.
        int[] warm = IntStream.concat(IntStream.of(1, 1, 1, 1), IntStream.rangeClosed(2, 11)).toArray();
        for (boolean clear : new boolean[] {false, true}) {
            CacheHarness h = new CacheHarness(10, (l, f) -> new S3FifoPolicy(l, f, f.nrFrames(), 0.1, 1, clear));
            h.run(warm);
            S3FifoPolicy p = (S3FifoPolicy) h.policy;
            assertThat(p.mainSize()).isEqualTo(1);
            // Each ghost hit (2, 3, ...) enters M and pushes the next page of S into the ghost queue;
            // once 10 takes M over its share of 9, 11's miss evicts from M's tail, where 1 sits:
            // passed over (count 3 -> 2) if it kept its count, evicted if the count was cleared.
            h.run(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(h.resident(1)).as("clear_count_on_promotion=%s", clear).isEqualTo(!clear);
        }
    }

    @Test
    void randomRuns_keepQueuesAndGhostConsistent() {
        Random rnd = new Random(13);
        for (int hits : new int[] {1, 2}) {
            for (int frames : new int[] {1, 5, 20, 200}) {
                int[] seq = new int[20_000];
                for (int i = 0; i < seq.length; i++) {
                    seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(2000) : rnd.nextInt(100);
                }
                CacheHarness h = s3(frames, hits);
                h.run(seq);
                assertThat(h.policy.size()).isEqualTo(frames);
            }
        }
    }
}
