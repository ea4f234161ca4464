package io.vmsim.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Deferred struct page init against the reference, every frame initialised at boot: the same
 * random allocations and frees on both give the same PFN at every step, the same free lists
 * ({@code /proc/buddyinfo}, {@code /proc/pagetypeinfo}) and the same counters.
 */
final class DeferredInitProperties {
    private static final int[] GFPS = {
            Gfp.GFP_KERNEL, Gfp.GFP_HIGHUSER_MOVABLE, Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE,
            Gfp.GFP_ATOMIC, Gfp.GFP_TRANSHUGE_LIGHT, Gfp.GFP_NOWAIT | Gfp.__GFP_MOVABLE,
    };

    private static PageAllocator build(int nrFrames, int nodes, int dma32End, int cpus, int batch, boolean deferred) {
        int[] starts = new int[nodes];
        for (int n = 0; n < nodes; n++) {
            starts[n] = (int) ((long) nrFrames * n / nodes);
        }
        PageFrames f = new PageFrames(nrFrames, starts);
        return new PageAllocator(f, cpus, -1, 10, batch, dma32End,
                PageAllocator.buildNodeOrder(PageAllocator.uniformDistances(nodes), allTrue(nodes)), deferred);
    }

    private static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    @Property(tries = 150)
    void deferredInit_allocatesAndFreesExactlyAsEagerInit(
            @ForAll @IntRange(min = 600, max = 40000) int nrFrames,
            @ForAll @IntRange(min = 1, max = 3) int nodes,
            @ForAll @IntRange(min = 0, max = 40000) int dma32End,
            @ForAll @IntRange(min = 1, max = 3) int cpus,
            @ForAll @IntRange(min = 1, max = 16) int batch,
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> ops) {
        PageAllocator eager = build(nrFrames, nodes, dma32End, cpus, batch, false);
        PageAllocator lazy = build(nrFrames, nodes, dma32End, cpus, batch, true);
        assertSame(eager, lazy);
        List<int[]> live = new ArrayList<>();
        for (int op : ops) {
            int kind = op & 3;
            int arg = op >>> 2;
            if (kind != 0 && kind != 3 || live.isEmpty()) {
                int gfp = GFPS[arg % GFPS.length];
                int order = (arg / GFPS.length) % 4 == 0 ? (arg >>> 8) % (Zone.MAX_ORDER + 1) : (arg >>> 8) % 3;
                int cpu = (arg >>> 12) % cpus;
                int node = (arg >>> 16) % nodes;
                int a = eager.allocPages(gfp, order, cpu, node);
                int b = lazy.allocPages(gfp, order, cpu, node);
                assertThat(b).as("PFN of an order-%d allocation", order).isEqualTo(a);
                if (a >= 0) {
                    live.add(new int[] {a, order, gfp});
                }
            } else if (kind == 0) {
                int[] l = live.remove(arg % live.size());
                for (PageAllocator x : new PageAllocator[] {eager, lazy}) {
                    x.frames().setRefcount(l[0], 0);
                    x.freePages(l[0], l[1], (arg >>> 8) % cpus);
                }
            } else {
                eager.drainAll();
                lazy.drainAll();
            }
            assertSame(eager, lazy);
        }
        eager.verify();
        lazy.verify();
        for (int[] l : live) {
            for (PageAllocator x : new PageAllocator[] {eager, lazy}) {
                x.frames().setRefcount(l[0], 0);
                x.freePages(l[0], l[1], 0);
            }
        }
        eager.drainAll();
        lazy.drainAll();
        assertSame(eager, lazy);
        lazy.verify();
    }

    private static void assertSame(PageAllocator eager, PageAllocator lazy) {
        assertThat(lazy.buddyinfo()).isEqualTo(eager.buddyinfo());
        assertThat(lazy.pagetypeinfo()).isEqualTo(eager.pagetypeinfo());
        assertThat(lazy.vmstat()).isEqualTo(eager.vmstat());
        for (int z = 0; z < eager.nrZones(); z++) {
            assertThat(lazy.zone(z).pcpPages()).isEqualTo(eager.zone(z).pcpPages());
        }
    }
}
