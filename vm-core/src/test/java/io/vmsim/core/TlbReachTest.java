package io.vmsim.core;

import io.vmsim.core.mm.Task;
import io.vmsim.core.mmu.CpuProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLB reach on {@code haswell}: (64 + 1024) x 4 KiB with base pages and (32 + 1024) x 2 MiB with
 * THPs. Uniformly random references over half the reach almost never miss the STLB once warm;
 * over four times the reach most of them do.
 */
final class TlbReachTest {
    private static final int REFS = 200_000;

    /** STLB misses per reference of random accesses over {@code bytes}, after one warm-up pass. */
    static double stlbMissRate(boolean huge, long bytes, String memory) {
        Machine m = SplitTest.machine("machine.memory", memory, "cpu.profile", "haswell",
                "mm.transparent_hugepage.enabled", huge ? "always" : "never");
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long page = huge ? 1L << 21 : 4096;
        long a = m.syscalls().mmapAnon(p.mm(), 0, bytes, "rw", false, 1L << 21);
        long pages = bytes / page;
        for (long i = 0; i < pages; i++) {
            m.access(t, a + i * page, true);
        }
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < REFS; i++) {
            m.access(t, a + rng.nextLong(pages) * page + 64 * rng.nextInt(64), false);
        }
        long acc0 = m.tlb().get("accesses");
        long miss0 = m.tlb().get("stlb_misses");
        for (int i = 0; i < REFS; i++) {
            m.access(t, a + rng.nextLong(pages) * page + 64 * rng.nextInt(64), false);
        }
        return (double) (m.tlb().get("stlb_misses") - miss0) / (m.tlb().get("accesses") - acc0);
    }

    @Test
    void basePages_halfTheReachHits_fourTimesTheReachMisses() {
        long reach = CpuProfile.HASWELL.reach4k();
        assertThat(reach).isEqualTo((64 + 1024) * 4096L);
        assertThat(stlbMissRate(false, reach / 2, "256M")).isLessThan(0.01);
        assertThat(stlbMissRate(false, reach * 4, "256M")).isGreaterThan(0.5);
    }

    @Test
    void hugePages_halfTheReachHits_fourTimesTheReachMisses() {
        long reach = CpuProfile.HASWELL.reach2m();
        assertThat(reach).isEqualTo((32 + 1024) * (2L << 20));
        assertThat(stlbMissRate(true, reach / 2, "2G")).isLessThan(0.01);
        assertThat(stlbMissRate(true, reach * 4, "9G")).isGreaterThan(0.5);
    }
}
