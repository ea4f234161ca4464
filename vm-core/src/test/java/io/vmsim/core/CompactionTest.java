package io.vmsim.core;

import io.vmsim.core.alloc.Zone;
import io.vmsim.core.compaction.Compaction;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.vmsim.core.SplitTest.frameOf;
import static io.vmsim.core.SplitTest.vmstat;
import static org.assertj.core.api.Assertions.assertThat;

final class CompactionTest {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;
    private static final long MIB = 1L << 20;

    /**
     * Fills most of a 256 MiB machine with 4 KiB pages, then frees the first half of every
     * 64 KiB: half the memory is free, in holes far smaller than a huge page.
     */
    static final class Fragmented {
        final Machine m;
        final SimProcess p;
        final Task t;
        final long filler;
        final long fillerLen;
        final Map<Long, Integer> tags = new HashMap<>();
        final Map<Integer, Long> frameTag = new HashMap<>();

        Fragmented(String defrag) {
            m = SplitTest.machine("machine.memory", "256M", "mm.transparent_hugepage.defrag", defrag);
            p = m.spawn("frag", List.of(0));
            t = p.threads().get(0);
            long max = 256 * MIB;
            filler = m.syscalls().mmapAnon(p.mm(), 0, max, "rw", false, HP);
            m.syscalls().madvise(p.mm(), filler, max, "nohugepage", 0);
            long off = 0;
            // fill until no free block of a huge page's order is left, then to the next 64 KiB
            for (long stop = max; off < stop; off += 4096) {
                m.access(t, filler + off, true);
                if (stop == max && (off & (HP - 1)) == 0 && !hugeBlockFree(m)) {
                    stop = (off + 64 * 1024) & -(64 * 1024);
                }
            }
            fillerLen = off;
            for (long o = 0; o < fillerLen; o += 64 * 1024) {
                m.syscalls().madvise(p.mm(), filler + o, 32 * 1024, "dontneed", 0);
            }
            for (long h = 32 * 1024; h < fillerLen; h += 64 * 1024) {
                for (long o = h; o < h + 32 * 1024; o += 4096) {
                    int pfn = frameOf(m, p, filler + o);
                    frameTag.put(pfn, filler + o);
                }
            }
            m.thp().migrator().setListener((from, to) -> {
                Long tag = frameTag.remove(from);
                if (tag != null) {
                    frameTag.put(to, tag);
                }
            });
        }

        static boolean hugeBlockFree(Machine m) {
            m.kernel().allocator.drainAll();
            for (Zone z : m.kernel().allocator.zones()) {
                if (z.nrFree(9) + z.nrFree(10) > 0) {
                    return true;
                }
            }
            return false;
        }

        /** Every still-mapped filler page is backed by the frame its contents moved to. */
        void assertContentsFollowedTheirPages() {
            for (Map.Entry<Integer, Long> e : frameTag.entrySet()) {
                assertThat(frameOf(m, p, e.getValue())).as("page 0x%x", e.getValue()).isEqualTo(e.getKey());
            }
        }
    }

    @Test
    void fragmentationIndex_ofHolesOnly_isHighForAHugePage_andMinus1000WhenABlockIsFree() {
        Fragmented f = new Fragmented("never");
        f.m.kernel().allocator.drainAll();
        Zone z = f.m.kernel().allocator.zones().get(0);
        assertThat(Compaction.fragmentationIndex(z, 9)).isGreaterThan(900);
        assertThat(Compaction.fragmentationIndex(z, 0)).isEqualTo(-1000);
    }

    @Test
    void extfragIndex_printsEveryOrder_likeDebugfs() {
        Fragmented f = new Fragmented("never");
        String line = f.m.thp().extfragIndex().lines().findFirst().orElseThrow();
        assertThat(line).startsWith("Node 0, zone    DMA32 -1.000 -1.000 -1.000 ");
        String[] cols = line.trim().split(" +");
        assertThat(cols).hasSize(4 + 11);
        assertThat(Double.parseDouble(cols[4 + 9])).isGreaterThan(0.9);
    }

    @Test
    void defragNever_fallsBackTo4k_withoutCompacting() {
        Fragmented f = new Fragmented("never");
        long a = f.m.syscalls().mmapAnon(f.p.mm(), 0, 8 * HP, "rw", false, HP);
        for (long off = 0; off < 8 * HP; off += HP) {
            f.m.access(f.t, a + off, true);
        }
        assertThat(vmstat(f.m, "thp_fault_fallback")).isGreaterThan(0);
        assertThat(vmstat(f.m, "compact_stall")).isZero();
        assertThat(vmstat(f.m, "pgmigrate_success")).isZero();
    }

    @Test
    void defragAlways_compactsDirectly_movingPagesWithTheirMappings() {
        Fragmented f = new Fragmented("always");
        long a = f.m.syscalls().mmapAnon(f.p.mm(), 0, 8 * HP, "rw", false, HP);
        for (long off = 0; off < 8 * HP; off += HP) {
            f.m.access(f.t, a + off, true);
        }
        assertThat(vmstat(f.m, "thp_fault_alloc")).isEqualTo(8);
        assertThat(vmstat(f.m, "compact_stall")).isGreaterThan(0);
        assertThat(vmstat(f.m, "compact_success")).isGreaterThan(0);
        assertThat(vmstat(f.m, "pgmigrate_success")).isGreaterThan(0);
        assertThat(vmstat(f.m, "compact_migrate_scanned")).isGreaterThan(0);
        assertThat(vmstat(f.m, "compact_free_scanned")).isGreaterThan(0);
        assertThat(vmstat(f.m, "compact_isolated")).isGreaterThanOrEqualTo(2 * vmstat(f.m, "pgmigrate_success"));
        f.assertContentsFollowedTheirPages();
        f.m.kernel().allocator.verify();
        for (long off = 0; off < f.fillerLen; off += 4096) {
            f.m.access(f.t, f.filler + off, false);
        }
    }

    @Test
    void defragDefer_fallsBackAndWakesKcompactd_whichMakesHugePagesForLater() {
        Fragmented f = new Fragmented("defer");
        long a = f.m.syscalls().mmapAnon(f.p.mm(), 0, 8 * HP, "rw", false, HP);
        f.m.access(f.t, a, true);
        assertThat(vmstat(f.m, "thp_fault_fallback")).isEqualTo(1);
        assertThat(vmstat(f.m, "compact_stall")).isZero();
        long before = f.m.nanoTime();
        // kswapd, woken for order 9, finds nothing to reclaim and wakes kcompactd as it sleeps
        f.m.tick();
        assertThat(vmstat(f.m, "compact_daemon_wake")).isEqualTo(1);
        f.m.tick();
        // kcompactd's work is its own time, not the workload's
        assertThat(f.m.nanoTime()).isEqualTo(before);
        assertThat(vmstat(f.m, "compact_daemon_migrate_scanned")).isGreaterThan(0);
        f.m.access(f.t, a + HP, true);
        assertThat(vmstat(f.m, "thp_fault_alloc")).isEqualTo(1);
        f.assertContentsFollowedTheirPages();
    }

    @Test
    void buddyinfo_showsOrder9BlocksOnlyAfterCompaction() {
        Fragmented f = new Fragmented("never");
        f.m.kernel().allocator.drainAll();
        Zone z = f.m.kernel().allocator.zones().get(0);
        long before = z.nrFree(9) + z.nrFree(10);
        Compaction.Result r = f.m.thp().compaction().compactZone(z, 9, io.vmsim.core.alloc.CompactionHooks.PRIO_SYNC, false, 0);
        assertThat(r).isEqualTo(Compaction.Result.SUCCESS);
        assertThat(z.nrFree(9) + z.nrFree(10)).isGreaterThan(before);
        f.assertContentsFollowedTheirPages();
        f.m.kernel().allocator.verify();
    }

    @Test
    void compaction_movesPagesSharedAfterFork_updatingEveryProcessesPte() {
        Fragmented f = new Fragmented("never");
        SimProcess child = f.m.fork(f.p, 0);
        f.m.kernel().allocator.drainAll();
        Zone z = f.m.kernel().allocator.zones().get(0);
        f.m.thp().compaction().compactZone(z, 9, io.vmsim.core.alloc.CompactionHooks.PRIO_SYNC, false, 0);
        assertThat(vmstat(f.m, "pgmigrate_success")).isGreaterThan(0);
        f.assertContentsFollowedTheirPages();
        for (Map.Entry<Integer, Long> e : f.frameTag.entrySet()) {
            assertThat(frameOf(f.m, child, e.getValue())).isEqualTo(e.getKey());
            assertThat(f.m.kernel().frames.refcount(e.getKey())).isEqualTo(2);
        }
        f.m.kernel().allocator.verify();
    }

    /**
     * transhuge.rst's defrag table on a fragmented machine: which faults stall in direct
     * compaction, which wake kcompactd (with kswapd) and fall back, which just fall back.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "defrag={0}, madvised={1}: {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "always, true, stall", "always, false, stall",
            "defer, true, wake", "defer, false, wake",
            "defer+madvise, true, stall", "defer+madvise, false, wake",
            "madvise, true, stall", "madvise, false, nothing",
            "never, true, nothing", "never, false, nothing"})
    void defragValues_stallWakeOrDoNothing(String defrag, boolean madvised, String expect) {
        Fragmented f = new Fragmented(defrag);
        long a = f.m.syscalls().mmapAnon(f.p.mm(), 0, HP, "rw", false, HP);
        if (madvised) {
            f.m.syscalls().madvise(f.p.mm(), a, HP, "hugepage", 0);
        }
        int[] kswapdWakes = {0};
        io.vmsim.core.vmscan.Vmscan vmscan = io.vmsim.core.vmscan.Reclaim.of(f.m.kernel()).vmscan();
        f.m.kernel().allocator.setHooks(new io.vmsim.core.alloc.AllocHooks() {
            @Override
            public void wakeKswapd(int node, int order, int gfp) {
                kswapdWakes[0]++;
                vmscan.wakeKswapd(node, order, gfp);
            }
        });
        f.m.access(f.t, a, true);
        assertThat(kswapdWakes[0]).as("kswapd wakes").isEqualTo(expect.equals("wake") ? 1 : 0);
        // kswapd, woken for order 9 on a node with free memory but no free huge block and nothing
        // to reclaim, gives up (kswapd_failures) and wakes kcompactd as it goes to sleep
        f.m.tick();
        f.m.tick();
        long stall = vmstat(f.m, "compact_stall");
        long wake = vmstat(f.m, "compact_daemon_wake");
        switch (expect) {
            case "stall" -> {
                assertThat(stall).isEqualTo(1);
                assertThat(wake).isZero();
                assertThat(vmstat(f.m, "thp_fault_alloc")).isEqualTo(1);
            }
            case "wake" -> {
                assertThat(stall).isZero();
                assertThat(wake).isEqualTo(1);
                assertThat(vmstat(f.m, "thp_fault_fallback")).isEqualTo(1);
            }
            default -> {
                assertThat(stall).isZero();
                assertThat(wake).isZero();
                assertThat(vmstat(f.m, "thp_fault_fallback")).isEqualTo(1);
            }
        }
    }
}
