package io.vmsim.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random mixes of allocations and frees against a brute-force model: a BitSet of allocated
 * frames. Each int of {@code ops} encodes one operation (see {@link #step}).
 */
final class BuddyAllocatorProperties {

    private static final int[] GFPS = {
            Gfp.GFP_KERNEL, Gfp.GFP_HIGHUSER_MOVABLE, Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE,
            Gfp.GFP_ATOMIC, Gfp.GFP_TRANSHUGE_LIGHT, Gfp.GFP_NOWAIT | Gfp.__GFP_MOVABLE,
    };

    /** A machine: frames split evenly into nodes, a movable DMA32 limit, CPUs and pcp batch. */
    private record Machine(int nrFrames, int nodes, int dma32End, int cpus, int batch, boolean noReserve) {
        PageAllocator build() {
            int[] starts = new int[nodes];
            for (int n = 0; n < nodes; n++) {
                starts[n] = (int) ((long) nrFrames * n / nodes);
            }
            return new PageAllocator(new PageFrames(nrFrames, starts), cpus, noReserve ? 0 : -1, 10, batch, dma32End);
        }
    }

    private static final class Model {
        final BitSet allocated = new BitSet();
        final List<int[]> live = new ArrayList<>(); // {pfn, order}
    }

    @Property(tries = 200)
    void allocationsAndFrees_neverLoseOrDoubleCountAFrame_andFullyCoalesceAtTheEnd(
            @ForAll @IntRange(min = 600, max = 7000) int nrFrames,
            @ForAll @IntRange(min = 1, max = 3) int nodes,
            @ForAll @IntRange(min = 0, max = 8000) int dma32End,
            @ForAll @IntRange(min = 1, max = 3) int cpus,
            @ForAll @IntRange(min = 1, max = 16) int batch,
            @ForAll boolean noReserve,
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> ops) {
        Machine m = new Machine(nrFrames, nodes, dma32End, cpus, batch, noReserve);
        PageAllocator a = m.build();
        assertZoneLayout(a, m);
        a.verify();
        Model model = new Model();
        int i = 0;
        for (int op : ops) {
            step(a, m, model, op);
            assertThat(a.freePages() + model.allocated.cardinality()).as("free + allocated").isEqualTo(nrFrames);
            a.verify();
            if (++i % 50 == 0) {
                assertFreeFramesMatchModel(a, model, nrFrames);
            }
        }
        assertFreeFramesMatchModel(a, model, nrFrames);
        for (int[] block : model.live) {
            a.frames().setRefcount(block[0], 0);
            a.freePages(block[0], block[1], 0);
        }
        a.drainAll();
        a.verify();
        assertThat(a.freePages()).isEqualTo(nrFrames);
        assertThat(a.nrFreePages()).isEqualTo(nrFrames);
        for (Zone z : a.zones()) {
            long[] expected = maximalAlignedBlocks(z.startPfn(), z.endPfn());
            for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
                assertThat(z.nrFree(o)).as("%s order %d", z, o).isEqualTo(expected[o]);
            }
        }
    }

    /**
     * bits 0-1: allocate (0, 1) or free (2, 3); 2-5: order 0 if below 9, else bits 6-9 mod 11;
     * 10-12: gfp; 13-14: cpu; 15-16: node; 17: __GFP_THISNODE.
     */
    private static void step(PageAllocator a, Machine m, Model model, int op) {
        int kind = op & 3;
        if (kind >= 2 && !model.live.isEmpty()) {
            int[] block = model.live.remove((op >>> 2) % model.live.size());
            int cpu = (op >>> 13) % m.cpus();
            a.frames().setRefcount(block[0], 0);
            a.freePages(block[0], block[1], cpu);
            model.allocated.clear(block[0], block[0] + (1 << block[1]));
            return;
        }
        int order = ((op >>> 2) & 0xF) < 9 ? 0 : ((op >>> 6) & 0xF) % Zone.NR_PAGE_ORDERS;
        int gfp = GFPS[((op >>> 10) & 7) % GFPS.length];
        if (((op >>> 17) & 1) != 0) {
            gfp |= Gfp.__GFP_THISNODE;
        }
        int cpu = ((op >>> 13) & 3) % m.cpus();
        int node = ((op >>> 15) & 3) % m.nodes();
        int pfn = a.allocPages(gfp, order, cpu, node);
        if (pfn < 0) {
            return;
        }
        int size = 1 << order;
        assertThat(pfn % size).as("alignment of order-%d block %d", order, pfn).isZero();
        assertThat(pfn + size).isLessThanOrEqualTo(m.nrFrames());
        Zone z = a.zoneOf(pfn);
        assertThat(pfn + size).as("block inside " + z).isLessThanOrEqualTo(z.endPfn());
        if ((gfp & Gfp.__GFP_THISNODE) != 0) {
            assertThat(z.node()).isEqualTo(node);
        }
        int clash = model.allocated.nextSetBit(pfn);
        assertThat(clash < 0 || clash >= pfn + size).as("block %d order %d overlaps allocated %d", pfn, order, clash).isTrue();
        model.allocated.set(pfn, pfn + size);
        assertThat(a.frames().refcount(pfn)).isEqualTo(1);
        if ((gfp & Gfp.__GFP_COMP) != 0 && order > 0) {
            assertThat(a.compoundOrder(pfn)).isEqualTo(order);
            assertThat(a.compoundHead(pfn + size - 1)).isEqualTo(pfn);
        }
        model.live.add(new int[] {pfn, order});
    }

    private static void assertFreeFramesMatchModel(PageAllocator a, Model model, int nrFrames) {
        for (int pfn = 0; pfn < nrFrames; pfn++) {
            if (a.isFreeFrame(pfn) == model.allocated.get(pfn)) {
                throw new AssertionError("PFN " + pfn + ": allocator says free=" + a.isFreeFrame(pfn)
                        + ", model says allocated=" + model.allocated.get(pfn));
            }
        }
    }

    /** Zones are the nodes' ranges cut at the DMA32 limit, in PFN order. */
    private static void assertZoneLayout(PageAllocator a, Machine m) {
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < m.nodes(); n++) {
            long start = (long) m.nrFrames() * n / m.nodes();
            long end = (long) m.nrFrames() * (n + 1) / m.nodes();
            if (start < m.dma32End()) {
                expected.add(n + " DMA32 " + start + ".." + Math.min(end, m.dma32End()));
            }
            if (end > m.dma32End()) {
                expected.add(n + " Normal " + Math.max(start, m.dma32End()) + ".." + end);
            }
        }
        assertThat(a.zones()).extracting(z -> z.node() + " " + z.name() + " " + z.startPfn() + ".." + z.endPfn())
                .containsExactlyElementsOf(expected);
    }

    /**
     * Free blocks of a fully coalesced zone, worked out independently of the allocator: an
     * aligned block of order o lies in [start, end) and either o is the maximum or its aligned
     * parent of order o+1 does not.
     */
    private static long[] maximalAlignedBlocks(int start, int end) {
        long[] count = new long[Zone.NR_PAGE_ORDERS];
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            long size = 1L << o;
            for (long b = (start + size - 1) / size * size; b + size <= end; b += size) {
                long parent = b & ~((size << 1) - 1);
                boolean parentInside = parent >= start && parent + (size << 1) <= end;
                if (o == Zone.MAX_ORDER || !parentInside) {
                    count[o]++;
                }
            }
        }
        return count;
    }
}
