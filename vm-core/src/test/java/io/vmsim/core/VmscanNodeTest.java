package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.vmscan.Vmscan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reclaim decides per node: with {@code vm.swappiness} 0, anonymous pages of a node are reclaimed
 * when that node's file cache is tiny ({@code sc->file_is_tiny} of {@code prepare_scan_control()}
 * in {@code mm/vmscan.c}: the node's file LRU pages plus free pages at most its high
 * watermarks), whatever the page cache of the other nodes holds.
 */
final class VmscanNodeTest {
    private static final long MIB = 1 << 20;

    private static long free(Machine m, int node) {
        long f = 0;
        for (Zone z : m.kernel().allocator.zones()) {
            if (z.node() == node) {
                f += z.nrFreePages();
            }
        }
        return f;
    }

    private static long high(Machine m, int node) {
        long w = 0;
        for (Zone z : m.kernel().allocator.zones()) {
            if (z.node() == node && z.managedPages() > 0) {
                w += z.watermark(Zone.WMARK_HIGH);
            }
        }
        return w;
    }

    private static long anonOn(Machine m, int node) {
        PageFrames f = m.kernel().frames;
        long n = 0;
        for (int pfn = f.nodeStartPfn(node); pfn < f.nodeEndPfn(node); pfn++) {
            if (f.test(pfn, PageFrames.PG_ANON) && f.refcount(pfn) > 0) {
                n++;
            }
        }
        return n;
    }

    @Test
    void swappinessZero_kswapdOfANodeWithoutFileCache_swapsItsAnonPages_thoughAnotherNodeHoldsCache() {
        Machine m = Machine.create(TestConfig.of("machine.nodes", "2", "machine.memory", "256M", "swap.size", "256M",
                "vm.swappiness", "0", "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru",
                "vm.overcommit_memory", "1"), new TestCatalog());
        Reclaim r = Reclaim.of(m.kernel());
        Vmscan vmscan = r.vmscan();
        PageCache pc = r.pageCache();
        // node 0: 32 MiB of page cache, far above node 0's high watermark
        SimProcess reader = m.spawn("reader", List.of(0));
        int file = pc.createFile("data", 32 * MIB);
        for (long i = 0; i < (32 * MIB) >>> 12; i++) {
            pc.read(reader.mm(), 0, file, i);
        }
        // node 1: more anonymous memory than the node holds, so it fills down to its low watermark and the
        // rest goes to node 0 (kswapd never runs meanwhile)
        SimProcess writer = m.spawn("writer", List.of(1));
        Task t = writer.threads().get(0);
        long bytes = 160 * MIB;
        long a = m.syscalls().mmapAnon(writer.mm(), 0, bytes, "rw", false, 4096);
        for (long off = 0; off < bytes; off += 4096) {
            m.access(t, a + off, true);
        }
        m.kernel().allocator.drainAll();
        assertThat(free(m, 1)).isLessThan(high(m, 1));
        long anonBefore = anonOn(m, 1);
        assertThat(m.vmstat().getOrDefault("pswpout", 0L)).isZero();
        vmscan.wakeKswapd(1, 0);
        m.tick();
        assertThat(m.vmstat().getOrDefault("pswpout", 0L)).as("node 1's anon pages were swapped").isPositive();
        assertThat(anonOn(m, 1)).isLessThan(anonBefore);
        assertThat(vmscan.balanced(1)).isTrue();
    }
}
