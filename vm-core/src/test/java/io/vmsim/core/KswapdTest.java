package io.vmsim.core;

import io.vmsim.core.alloc.Zone;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.vmscan.Vmscan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** kswapd between the zone watermarks, and direct reclaim when it cannot keep up (mm/vmscan.c). */
final class KswapdTest {
    private static Machine machine() {
        return Machine.create(TestConfig.of("machine.memory", "64M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru"), new TestCatalog());
    }

    private static long free(Machine m) {
        long f = 0;
        for (Zone z : m.kernel().allocator.zones()) {
            f += z.nrFreePages();
        }
        return f;
    }

    private static long wmark(Machine m, int which) {
        long w = 0;
        for (Zone z : m.kernel().allocator.zones()) {
            if (z.managedPages() > 0) {
                w += z.watermark(which);
            }
        }
        return w;
    }

    @Test
    void kswapdWakesOnlyBelowTheLowWatermark_andSleepsOnceFreePagesReachHigh() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        Vmscan vmscan = r.vmscan();
        PageCache pc = r.pageCache();
        int file = pc.createFile("big", 256L << 20);
        SimProcess p = m.spawn("reader", List.of(0));
        Task t = p.threads().get(0);
        long low = wmark(m, Zone.WMARK_LOW);
        long high = wmark(m, Zone.WMARK_HIGH);
        assertThat(vmscan.kswapdSleeping(0)).isTrue();
        int wakes = 0;
        for (long i = 0; i < (256L << 20) >>> 12; i++) {
            long before = free(m);
            pc.read(t.mm(), 0, file, i);
            if (!vmscan.kswapdSleeping(0)) {
                // woken by an allocation that found the zone below its low watermark
                assertThat(Math.min(before, free(m))).isLessThan(low);
                wakes++;
                m.tick();
                assertThat(vmscan.kswapdSleeping(0)).isTrue();
                assertThat(free(m)).isGreaterThanOrEqualTo(high);
            }
        }
        assertThat(wakes).isPositive();
        assertThat(m.vmstat().get("pgsteal_kswapd")).isPositive();
        assertThat(m.vmstat().get("pgscan_kswapd")).isGreaterThanOrEqualTo(m.vmstat().get("pgsteal_kswapd"));
        assertThat(m.vmstat().get("allocstall")).isZero();
        assertThat(m.daemons().runs().get("kswapd0")).isEqualTo(wakes);
    }

    @Test
    void withoutKswapdRunning_allocationsBelowMin_reclaimDirectly_andCountAllocstall() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        int file = pc.createFile("big", 128L << 20);
        SimProcess p = m.spawn("reader", List.of(0));
        long min = wmark(m, Zone.WMARK_MIN);
        for (long i = 0; i < (128L << 20) >>> 12; i++) {
            pc.read(p.mm(), 0, file, i); // never m.tick(): kswapd never gets to run
        }
        assertThat(m.vmstat().get("allocstall")).isPositive();
        assertThat(m.vmstat().get("pgsteal_direct")).isPositive();
        assertThat(m.vmstat().get("pgscan_direct")).isGreaterThanOrEqualTo(m.vmstat().get("pgsteal_direct"));
        assertThat(m.vmstat().get("pgsteal_kswapd")).isZero();
        // the last allocation passed the min watermark, then refilled a per-CPU list from the buddy lists
        long pcp = 0;
        for (Zone z : m.kernel().allocator.zones()) {
            pcp += z.pcpPages();
        }
        assertThat(free(m) + pcp).isGreaterThanOrEqualTo(min);
        assertThat(m.meminfo().get("Cached")).isLessThan(64L << 10);
        m.kernel().allocator.verify();
        r.verify();
    }
}
