package io.vmsim.core.alloc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PageFrames#nodeOf} is a table lookup; it must agree with the node ranges. */
final class PageFramesNodeTest {

    private static int byRange(PageFrames f, int pfn) {
        for (int n = 0; n < f.nrNodes(); n++) {
            if (pfn >= f.nodeStartPfn(n) && pfn < f.nodeEndPfn(n)) {
                return n;
            }
        }
        throw new AssertionError(pfn);
    }

    @Test
    void nodeOf_agreesWithTheNodeRanges_forUnequalAlignedNodes() {
        PageFrames f = new PageFrames(7 * 1024 + 300, new int[] {0, 1024, 4096, 5120});
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            assertThat(f.nodeOf(pfn)).isEqualTo(byRange(f, pfn));
        }
    }

    @Test
    void nodeOf_agreesWithTheNodeRanges_forUnalignedNodes() {
        PageFrames f = new PageFrames(4096, new int[] {0, 1536, 3072, 3073});
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            assertThat(f.nodeOf(pfn)).isEqualTo(byRange(f, pfn));
        }
    }

    @Test
    void nodeOf_onOneNode_isZeroEverywhere() {
        PageFrames f = new PageFrames(5000, new int[] {0});
        assertThat(f.nodeOf(0)).isZero();
        assertThat(f.nodeOf(4999)).isZero();
    }
}
