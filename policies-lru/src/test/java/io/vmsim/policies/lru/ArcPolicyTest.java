package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class ArcPolicyTest {

    private static CacheHarness arc(int frames) {
        return new CacheHarness(frames, (l, f) -> new ArcPolicy(l, f, f.nrFrames()));
    }

    @Test
    void ghostHits_moveTheTargetTowardsTheListThatWouldHaveKeptThePage() {
        // c = 2, following Fig. 4 of the paper by hand:
        // 1 -> T1; 1 hit -> T2; 2 -> T1; 3: REPLACE evicts 2 (|T1| = 1 > p = 0) into B1.
        CacheHarness h = arc(2);
        h.run(1, 1, 2, 3);
        ArcPolicy a = (ArcPolicy) h.policy;
        assertThat(a.target()).isZero();
        assertThat(a.b1Size()).isEqualTo(1);
        // 2 is in B1: p grows by 1; |T1| = 1 is not > p = 1, so T2's LRU page 1 goes to B2.
        h.run(2);
        assertThat(a.target()).isEqualTo(1.0);
        assertThat(h.resident(1)).isFalse();
        assertThat(a.b2Size()).isEqualTo(1);
        assertThat(a.t2Size()).isEqualTo(1);
        // 1 is in B2: p shrinks by max(1, |B1|/|B2|) = 1 to 0, and T1's page 3 goes to B1.
        h.run(1);
        assertThat(a.target()).isZero();
        assertThat(h.resident(3)).isFalse();
        assertThat(a.t1Size()).isZero();
        assertThat(a.t2Size()).isEqualTo(2);
        assertThat(a.b1Size()).isEqualTo(1);
        assertThat(a.b2Size()).isZero();
    }

    @Test
    void scan_doesNotFlushPagesSeenTwice() {
        CacheHarness h = arc(4);
        h.run(1, 1, 2, 2);
        h.run(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        assertThat(h.resident(1)).isTrue();
        assertThat(h.resident(2)).isTrue();
    }

    @Test
    void randomRuns_keepListSizesWithinTheirBounds() {
        Random rnd = new Random(9);
        for (int frames : new int[] {1, 2, 8, 64}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(2) == 0 ? rnd.nextInt(500) : rnd.nextInt(50);
            }
            arc(frames).run(seq); // run() checks the invariants at the end
        }
    }

    @Test
    void ghostListsByPageIdOrInPageWords_giveTheMissesOfGhostListsByKey() {
        Random rnd = new Random(11);
        for (int frames : new int[] {1, 2, 3, 8, 64, 300}) {
            for (int run = 0; run < 4; run++) {
                int[] seq = new int[30_000];
                int universe = frames * (2 + rnd.nextInt(6)) + 1;
                for (int i = 0; i < seq.length; i++) {
                    seq[i] = switch (rnd.nextInt(3)) {
                        case 0 -> rnd.nextInt(universe);
                        case 1 -> rnd.nextInt(Math.max(1, frames / 2 + 1));
                        default -> (i / 7) % (universe + frames); // scans that push pages through both ghost lists
                    } * 4099 + 7;
                }
                CacheHarness byKey = arc(frames);
                CacheHarness byId = arc(frames).numbered();
                CacheHarness byWord = arc(frames).withPageWords();
                long keyMisses = byKey.run(seq);
                long idMisses = byId.run(seq); // run() checks the invariants, the id lists' included
                long wordMisses = byWord.run(seq);
                assertThat(((ArcPolicy) byKey.policy).ghostsById()).isFalse();
                assertThat(((ArcPolicy) byId.policy).ghostsById()).isTrue();
                assertThat(((ArcPolicy) byWord.policy).ghostsById()).isTrue();
                assertThat(byId.pageWordsGiven()).isFalse();
                assertThat(byWord.pageWordsGiven()).as("ARC asks for page words when offered").isTrue();
                assertThat(idMisses).as("%d frames, run %d", frames, run).isEqualTo(keyMisses);
                assertThat(wordMisses).as("%d frames, run %d, page words", frames, run).isEqualTo(keyMisses);
                ArcPolicy k = (ArcPolicy) byKey.policy;
                for (CacheHarness h : new CacheHarness[] {byId, byWord}) {
                    ArcPolicy d = (ArcPolicy) h.policy;
                    assertThat(new double[] {d.target(), d.b1Size(), d.b2Size(), d.t1Size(), d.t2Size()})
                            .containsExactly(k.target(), k.b1Size(), k.b2Size(), k.t1Size(), k.t2Size());
                }
            }
        }
    }
}
