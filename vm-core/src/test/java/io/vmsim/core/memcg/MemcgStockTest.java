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

    // ---------------------------------------------------------------- obj_stock (refill_obj_stock(), Linux 6.16 to 6.18)

    /** A group whose obj_cgroup took {@code pages} pages for objects: counted in current and kmem. */
    private static MemCgroup kmemGroup(int id, int pages) {
        MemCgroup cg = group(id, pages);
        cg.kmem = pages;
        return cg;
    }

    @Test
    void objStock_servesOnlyItsGroupOnItsCpu_andACharge_leavesThePageRestInIt() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 1);
        MemCgroup b = kmemGroup(2, 0);
        // obj_cgroup_charge_account() of a 200-byte object: one page charged, 4096 - 200 stocked
        s.refillObj(a, 4096 - 200, false, 0);
        assertThat(s.consumeObj(a, 200, 1)).isFalse();
        assertThat(s.consumeObj(b, 200, 0)).isFalse();
        assertThat(s.consumeObj(a, 4096 - 200 + 1, 0)).isFalse();
        assertThat(s.consumeObj(a, 200, 0)).isTrue();
        assertThat(s.objStocked(a)).isEqualTo(4096 - 400);
        assertThat(a.kmem).isEqualTo(1);
    }

    @Test
    void freedObjects_giveWholePagesToThePageStock_onlyAboveOnePage() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 3);
        s.refillObj(a, 4096 - 184, false, 0); // 184 bytes handed out of the first page
        s.refillObj(a, 184, true, 0); // freed: exactly one page is not "above PAGE_SIZE"
        assertThat(s.objStocked(a)).isEqualTo(4096);
        assertThat(a.kmem).isEqualTo(3);
        s.refillObj(a, 4096 + 8, true, 0); // 8200 bytes: two whole pages out, 8 stay
        assertThat(s.objStocked(a)).isEqualTo(8);
        assertThat(a.kmem).isEqualTo(1);
        assertThat(s.stocked(a)).isEqualTo(2); // obj_cgroup_uncharge_pages() -> refill_stock()
        assertThat(a.current).isEqualTo(3); // stocked pages stay in the page counter
    }

    @Test
    void aStockTakingANewGroup_unchargesAboveAPage_evenForACharge() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 2);
        s.refillObj(a, 4096 + 100, false, 0); // "Allow uncharge when objcg changes"
        assertThat(s.objStocked(a)).isEqualTo(100);
        assertThat(a.kmem).isEqualTo(1);
        assertThat(s.stocked(a)).isEqualTo(1);
    }

    @Test
    void chargingWithoutUncharge_mayHoldMoreThanAPage() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 2);
        s.refillObj(a, 4000, false, 0);
        s.refillObj(a, 4000, false, 0);
        assertThat(s.objStocked(a)).isEqualTo(8000);
        assertThat(a.kmem).isEqualTo(2);
    }

    @Test
    void anotherGroup_drainsTheStock_wholePagesToTheCounter_theRestToNrChargedBytes_whichTheNextStockTakes() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 2);
        MemCgroup b = kmemGroup(2, 1);
        s.refillObj(a, 100, false, 0); // a new stock: allow_uncharge, but not above a page
        s.refillObj(a, 4096, false, 0);
        s.refillObj(b, 4096 - 192, false, 0); // drain_obj_stock() of a
        assertThat(a.kmem).isEqualTo(1);
        assertThat(a.current).isEqualTo(1);
        assertThat(a.nrChargedBytes).isEqualTo(100);
        assertThat(s.objStocked(a)).isZero();
        s.refillObj(a, 50, true, 1); // a's stock on CPU 1 starts from its nr_charged_bytes
        assertThat(a.nrChargedBytes).isZero();
        assertThat(s.objStocked(a)).isEqualTo(150);
    }

    @Test
    void drainAll_drainsTheGroupsObjectStocksToo() {
        MemcgStock s = new MemcgStock();
        MemCgroup a = kmemGroup(1, 3);
        s.refillObj(a, 10, false, 1);
        s.refillObj(a, 2 * 4096, false, 1);
        s.drainAll(a);
        assertThat(s.objStocked(a)).isZero();
        assertThat(a.kmem).isEqualTo(1);
        assertThat(a.current).isEqualTo(1);
        assertThat(a.nrChargedBytes).isEqualTo(10);
    }
}
