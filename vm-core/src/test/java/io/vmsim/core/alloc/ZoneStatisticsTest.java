package io.vmsim.core.alloc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code zone_statistics()} (mm/page_alloc.c): per allocation, numa_hit or numa_miss (with
 * numa_foreign) by the preferred node, and numa_local or numa_other by the allocating CPU's node.
 */
final class ZoneStatisticsTest {

    /** Two nodes of 4096 frames, CPU 0 on node 0 and CPU 1 on node 1. */
    private static PageAllocator twoNodes() {
        PageFrames f = new PageFrames(8192, new int[] {0, 4096});
        PageAllocator a = new PageAllocator(f, 2, 0, 10, 8, 1 << 20,
                PageAllocator.buildNodeOrder(PageAllocator.uniformDistances(2), new boolean[] {true, true}));
        a.setCpuNodes(new int[] {0, 1});
        return a;
    }

    @Test
    void anAllocationOnThePreferredNode_fromAnotherNodesCpu_isAHitButNotLocal() {
        PageAllocator a = twoNodes();
        int pfn = a.allocPages(Gfp.GFP_KERNEL, 0, 0, 1);
        assertThat(pfn).isGreaterThanOrEqualTo(4096);
        assertThat(a.counter("numa_hit")).isEqualTo(1);
        assertThat(a.counter("numa_miss")).isZero();
        assertThat(a.counter("numa_local")).isZero();
        assertThat(a.counter("numa_other")).isEqualTo(1);
    }

    @Test
    void anAllocationThatFallsBackToAnotherNode_isAMissAndForeign() {
        PageAllocator a = twoNodes();
        // allocate on node 0 until the zonelist falls back to node 1
        int onNode0 = 0;
        int fellBack = 0;
        for (int i = 0; i < 8192 && fellBack == 0; i++) {
            int pfn = a.allocPages(Gfp.GFP_KERNEL, 0, 0, 0);
            if (pfn < 0) {
                break;
            }
            if (pfn < 4096) {
                onNode0++;
            } else {
                fellBack++;
            }
        }
        assertThat(fellBack).isEqualTo(1);
        assertThat(a.counter("numa_hit")).isEqualTo(onNode0);
        assertThat(a.counter("numa_miss")).isEqualTo(1);
        assertThat(a.counter("numa_foreign")).isEqualTo(1);
        assertThat(a.counter("numa_local")).isEqualTo(onNode0);
        assertThat(a.counter("numa_other")).isEqualTo(1);
    }
}
