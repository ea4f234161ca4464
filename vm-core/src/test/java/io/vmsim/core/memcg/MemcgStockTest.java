package io.vmsim.core.memcg;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-CPU stock of mm/memcontrol.c (Linux 6.18): seven groups a CPU, drained above one batch. */
final class MemcgStockTest {
    private static MemCgroup group(int id, long current) {
        MemCgroup cg = new MemCgroup(id, "g" + id, MemCgroup.MAX, MemCgroup.MAX);
        cg.current = current;
        return cg;
    }

    @Test
    void consume_takesOnlyFromTheSameCpusStock() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = group(1, 63);
        s.refill(a, 63, 0);
        assertThat(s.consume(a, 1, 1)).isFalse();
        assertThat(s.consume(a, 64, 0)).isFalse();
        assertThat(s.consume(a, 63, 0)).isTrue();
        assertThat(s.consume(a, 1, 0)).isFalse();
    }

    @Test
    void refill_aboveOneBatch_drainsTheSlotToTheCounter() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = group(1, 65);
        s.refill(a, 64, 0);
        assertThat(s.stocked(a)).isEqualTo(64);
        assertThat(a.current).isEqualTo(65);
        s.refill(a, 1, 0); // 65 > MEMCG_CHARGE_BATCH: drain_stock()
        assertThat(s.stocked(a)).isZero();
        assertThat(a.current).isZero();
    }

    @Test
    void anEighthGroup_evictsOneOfTheSeven() {
        MemcgStock s = new MemcgStock();
        MemCgroup[] g = new MemCgroup[MemcgStock.NR_MEMCG_STOCK + 1];
        for (int i = 0; i < g.length; i++) {
            g[i] = group(i + 1, 10);
            s.refill(g[i], 10, 0);
        }
        long stocked = 0;
        long counters = 0;
        for (MemCgroup cg : g) {
            stocked += s.stocked(cg);
            counters += cg.current;
        }
        assertThat(stocked).isEqualTo(10L * MemcgStock.NR_MEMCG_STOCK);
        assertThat(counters).isEqualTo(10L * MemcgStock.NR_MEMCG_STOCK); // the evicted group got its 10 back
        assertThat(s.stocked(g[g.length - 1])).isEqualTo(10);
    }

    @Test
    void drainAll_drainsEveryCpuHoldingTheGroup_withAllItsSlots_andLeavesTheOthers() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = group(1, 30);
        MemCgroup b = group(2, 40);
        s.refill(a, 10, 0);
        s.refill(b, 20, 0);
        s.refill(a, 20, 1);
        s.refill(b, 20, 2);
        s.drainAll(a);
        assertThat(s.stocked(a)).isZero();
        assertThat(a.current).isZero();
        assertThat(s.stocked(b)).isEqualTo(20); // CPU 0's slot of b went too, CPU 2's stays
        assertThat(b.current).isEqualTo(20);
    }
}
