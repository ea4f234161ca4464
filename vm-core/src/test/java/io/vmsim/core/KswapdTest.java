package io.vmsim.core;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.vmscan.Vmscan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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

    /** Kernel pages taken with GFP_ATOMIC until the allocator refuses: they are on no LRU. */
    private static List<Integer> atomicFill(Machine m) {
        PageAllocator a = m.kernel().allocator;
        List<Integer> held = new ArrayList<>();
        for (int p; (p = a.allocPages(Gfp.GFP_ATOMIC, 0, 0, 0)) >= 0; ) {
            held.add(p);
        }
        a.drainAll();
        return held;
    }

    /**
     * __alloc_pages_direct_reclaim() asks try_to_free_pages() for SWAP_CLUSTER_MAX pages, then
     * retries the free lists; should_reclaim_retry() goes round again while rounds make
     * progress. So an allocation that finds the zone D pages below its min watermark stalls
     * floor(D / 32) + 1 times, each stall reclaiming 32 pages.
     */
    @Test
    void directReclaim_takesSwapClusterMaxPagesPerRound_andRetriesUntilTheAllocationPasses() {
        Machine m = machine();
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int file = pc.createFile("big", 64L << 20);
        SimProcess p = m.spawn("reader", List.of(0));
        for (long i = 0; i < (48L << 20) >>> 12; i++) {
            pc.read(p.mm(), 0, file, i); // never m.tick(): kswapd never runs
        }
        atomicFill(m); // GFP_ATOMIC may dig below min (ALLOC_HIGH, ALLOC_HARDER)
        long min = wmark(m, Zone.WMARK_MIN);
        long freeBefore = free(m);
        assertThat(freeBefore).isLessThan(min - 64);
        long stalls = m.vmstat().get("allocstall");
        long steal = m.vmstat().get("pgsteal_direct");
        assertThat(m.kernel().allocator.allocPages(Gfp.GFP_KERNEL, 0, 0, 0)).isNotNegative();
        long rounds = (min - freeBefore) / Vmscan.SWAP_CLUSTER_MAX + 1;
        assertThat(m.vmstat().get("allocstall") - stalls).isEqualTo(rounds);
        assertThat(m.vmstat().get("pgsteal_direct") - steal).isEqualTo(rounds * Vmscan.SWAP_CLUSTER_MAX);
        m.kernel().allocator.verify();
    }

    /**
     * wakeup_kswapd() passes the order: a node with plenty of free order-0 pages but no free
     * order-9 block is not balanced for a huge page, so kswapd is woken; balance_pgdat() reclaims
     * for order 9 until 2^10 pages (compact_gap) were freed or a block exists, and going to sleep
     * wakes kcompactd for order 9 (kswapd_try_to_sleep()), not the allocator directly.
     */
    @Test
    void kswapd_isWokenForTheAllocationOrder_reclaimsForIt_andWakesKcompactdAsItSleeps() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        Vmscan vmscan = r.vmscan();
        PageAllocator a = m.kernel().allocator;
        int file = r.pageCache().createFile("big", 64L << 20);
        SimProcess p = m.spawn("reader", List.of(0));
        for (long i = 0; i < (24L << 20) >>> 12; i++) {
            r.pageCache().read(p.mm(), 0, file, i);
        }
        m.tick();
        // every other frame of the rest of memory free: order-0 pages aplenty, no buddy pairs
        for (int pfn : atomicFill(m)) {
            if ((pfn & 1) == 0) {
                m.kernel().frames.setRefcount(pfn, 0);
                a.freePages(pfn, 0, 0);
            }
        }
        a.drainAll();
        m.tick();
        assertThat(vmscan.kswapdSleeping(0)).isTrue();
        assertThat(vmscan.balanced(0, 0)).isTrue();
        assertThat(vmscan.balanced(0, 9)).isFalse();
        long wakes = m.vmstat().get("compact_daemon_wake");
        long steal = m.vmstat().get("pgsteal_kswapd");
        // a THP fault with defrag=defer: no direct reclaim, wakes kswapd and kcompactd
        int gfp = Gfp.GFP_TRANSHUGE_LIGHT | Gfp.__GFP_KSWAPD_RECLAIM | Gfp.__GFP_COMP;
        assertThat(a.allocPages(gfp, 9, 0, 0)).isEqualTo(-1);
        assertThat(vmscan.kswapdSleeping(0)).as("kswapd woken for order 9").isFalse();
        assertThat(vmscan.kswapdOrder(0)).isEqualTo(9);
        assertThat(m.vmstat().get("compact_daemon_wake")).isEqualTo(wakes);
        m.tick();
        assertThat(vmscan.kswapdSleeping(0)).isTrue();
        assertThat(vmscan.kswapdOrder(0)).isZero();
        long reclaimed = m.vmstat().get("pgsteal_kswapd") - steal;
        assertThat(reclaimed).isPositive();
        assertThat(vmscan.balanced(0, 9) || reclaimed >= 2 << 9).isTrue();
        assertThat(m.vmstat().get("compact_daemon_wake")).isEqualTo(wakes + 1);
        a.verify();
    }
}
