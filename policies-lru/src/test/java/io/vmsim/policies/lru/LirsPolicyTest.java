package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class LirsPolicyTest {

    private static CacheHarness lirs(int frames, double stackLimit) {
        return new CacheHarness(frames, (l, f) -> new LirsPolicy(l, f, f.nrFrames(), 0.01, stackLimit));
    }

    @Test
    void nonResidentHirPageInStack_returnsAsLir_andTheBottomLirPageIsDemoted() {
        // 3 frames: 2 LIR + 1 resident HIR (section 3.3 of the paper, by hand).
        CacheHarness h = lirs(3, 0);
        LirsPolicy p = (LirsPolicy) h.policy;
        h.run(1, 2, 3); // 1, 2 LIR; 3 HIR in S and Q
        assertThat(p.isLir(h.frameOf(1))).isTrue();
        assertThat(p.isLir(h.frameOf(3))).isFalse();
        h.run(4); // evicts 3 (front of Q), which stays in S as non-resident; 4 is HIR
        assertThat(h.resident(3)).isFalse();
        assertThat(p.stackSize()).isEqualTo(4);
        h.run(3); // evicts 4; 3 was in S: it becomes LIR and 1 (bottom of S) becomes resident HIR
        assertThat(p.isLir(h.frameOf(3))).isTrue();
        assertThat(p.isLir(h.frameOf(1))).isFalse();
        assertThat(p.lirCount()).isEqualTo(2);
        assertThat(p.hirResident()).isEqualTo(1);
        // S was 3, 4(non-resident), 2, 1; 1 leaves S and pruning stops at LIR page 2.
        assertThat(p.stackSize()).isEqualTo(3);
        h.run(1); // a hit on a resident HIR page not in S: back on top of S, stays HIR
        assertThat(p.isLir(h.frameOf(1))).isFalse();
        assertThat(p.stackSize()).isEqualTo(4);
        assertThat(h.misses).isEqualTo(5);
    }

    @Test
    void stackLimit_dropsTheOldestNonResidentEntries() {
        CacheHarness h = lirs(10, 2);
        int[] scan = new int[1000];
        for (int i = 0; i < scan.length; i++) {
            scan[i] = 100 + i;
        }
        h.run(scan);
        assertThat(((LirsPolicy) h.policy).stackSize()).isLessThanOrEqualTo(20);
    }

    @Test
    void randomRuns_keepStackAndQueueConsistent() {
        Random rnd = new Random(17);
        for (double limit : new double[] {0, 2}) {
            for (int frames : new int[] {1, 2, 10, 150}) {
                int[] seq = new int[20_000];
                for (int i = 0; i < seq.length; i++) {
                    seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(1500) : rnd.nextInt(120);
                }
                CacheHarness h = lirs(frames, limit);
                h.run(seq);
                assertThat(h.policy.size()).isEqualTo(frames);
            }
        }
    }
}
