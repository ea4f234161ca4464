package io.vmsim.policies.lru;

import io.vmsim.api.machine.IntrusivePageLists;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class LruPolicyTest {

    @Test
    void shortSequence_missesAsTextbookLru() {
        // 3 frames: 1 2 3 miss; 1 hit; 4 evicts 2; 2 evicts 3; 1 hit; 3 evicts 4 -> 6 misses.
        int[] seq = {1, 2, 3, 1, 4, 2, 1, 3};
        assertThat(new CacheHarness(3, (l, fv) -> new LruPolicy(l)).run(seq)).isEqualTo(6);
        assertThat(ReplacementHarness.referenceMisses(true, 3, seq)).isEqualTo(6);
    }

    @Test
    void randomSequence_matchesListBasedReference() {
        Random rnd = new Random(7);
        for (int frames : new int[] {1, 4, 16, 64}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                // A skewed distribution so that recency matters.
                seq[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(200) : rnd.nextInt(20);
            }
            assertThat(new CacheHarness(frames, (l, fv) -> new LruPolicy(l)).run(seq))
                    .as("misses with %d frames", frames)
                    .isEqualTo(ReplacementHarness.referenceMisses(true, frames, seq));
        }
    }

    @Test
    void refusedVictim_staysTrackedAndNextColdestIsTaken() {
        LruPolicy lru = new LruPolicy(IntrusivePageLists.standalone(4));
        lru.pageAdded(0, true);
        lru.pageAdded(1, true);
        lru.pageAdded(2, true);
        int[] got = {-1};
        lru.shrink(new ReplacementHarness.FakeScan(1) {
            @Override
            public boolean reclaim(int pfn) {
                if (pfn == 0) {
                    return false; // pinned
                }
                got[0] = pfn;
                remaining--;
                return true;
            }
        });
        assertThat(got[0]).isEqualTo(1);
        assertThat(lru.size()).isEqualTo(2);
        lru.verifyInvariants();
    }

    @Test
    void removedPage_isNeverOfferedAsVictim() {
        LruPolicy lru = new LruPolicy(IntrusivePageLists.standalone(4));
        lru.pageAdded(3, false);
        lru.pageAdded(2, false);
        lru.pageRemoved(3);
        int[] got = {-1};
        lru.shrink(new ReplacementHarness.FakeScan(1) {
            @Override
            public boolean reclaim(int pfn) {
                got[0] = pfn;
                remaining--;
                return true;
            }
        });
        assertThat(got[0]).isEqualTo(2);
        assertThat(lru.size()).isZero();
    }
}
