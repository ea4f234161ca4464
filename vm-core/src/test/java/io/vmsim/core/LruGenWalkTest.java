package io.vmsim.core;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.vmscan.Vmscan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multi-gen LRU's page-table scans as the full machine implements them for a reclaim
 * policy ({@code ScanControl.walkYoung}, {@code ScanControl.lookAround}; {@code walk_mm()} and
 * {@code lru_gen_look_around()} in {@code mm/vmscan.c}). Expected pages come from the page
 * tables themselves, read entry by entry in address order with {@code lookupLeaf}.
 */
final class LruGenWalkTest {
    /** A policy that, on its first shrink, walks (or looks around {@link #probe}) and records what it was shown. */
    static final class Walker extends ReclaimTestPolicies.Recording {
        final List<Integer> walked = new ArrayList<>();
        final List<Integer> around = new ArrayList<>();
        boolean walkAnon = true;
        int probe = -1;
        boolean probeYoung;
        int found = -1;
        private boolean done;

        Walker(FrameView frames) {
            super(frames);
        }

        @Override
        public void shrink(ScanControl sc) {
            if (done) {
                return;
            }
            done = true;
            if (probe >= 0) {
                probeYoung = sc.lookAround(probe, around::add);
            } else {
                found = sc.walkYoung(walkAnon, walked::add);
            }
        }
    }

    private Machine m;
    private SimProcess p;
    private long a;

    /** Anonymous pages are on the LRU only with swap to go to. */
    private Walker machine(int pages) {
        m = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "young-walk", "swap.size", "16M"),
                new TestCatalog());
        p = m.spawn("p", List.of(0));
        a = m.syscalls().mmapAnon(p.mm(), 0, 1 << 20, "rw", false, 2 << 20);
        for (int i = 0; i < pages; i++) {
            m.access(p.threads().get(0), a + ((long) i << 12), true);
        }
        return (Walker) TestCatalog.lastRecording;
    }

    private int pfn(int page) {
        return Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + ((long) page << 12)));
    }

    private boolean young(int page) {
        return (m.kernel().lookupLeaf(p.mm(), a + ((long) page << 12)) & Pte.ACCESSED) != 0;
    }

    /** One reclaim request on node 0 ({@code shrink_node()}, package-private in the reclaim driver). */
    private void reclaim() {
        try {
            java.lang.reflect.Method shrink = Vmscan.class.getDeclaredMethod("shrink", int.class, int.class, boolean.class, int.class);
            shrink.setAccessible(true);
            shrink.invoke(Reclaim.of(m.kernel()).vmscan(), 0, 32, false, 12);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void walkYoung_visitsTheYoungPtesInAddressOrder_andMakesThemOld() {
        Walker w = machine(12);
        Rmap rmap = new Rmap(m.kernel());
        rmap.referenced(pfn(3));
        rmap.referenced(pfn(7));
        m.access(p.threads().get(0), a + (40L << 12), false); // the zero page: never an LRU page
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (young(i)) {
                expected.add(pfn(i));
            }
        }
        assertThat(expected).hasSize(10);
        reclaim();
        assertThat(w.walked).containsExactlyElementsOf(expected);
        assertThat(w.found).isEqualTo(10);
        for (int i = 0; i < 12; i++) {
            assertThat(young(i)).as("page %d after the walk", i).isFalse();
        }
        assertThat(young(40)).as("the zero page's PTE is left alone").isTrue();
    }

    @Test
    void walkYoung_withoutAnon_leavesAnonymousPtesYoung() {
        Walker w = machine(6);
        w.walkAnon = false;
        reclaim();
        assertThat(w.walked).isEmpty();
        assertThat(w.found).isZero();
        for (int i = 0; i < 6; i++) {
            assertThat(young(i)).isTrue();
        }
    }

    @Test
    void lookAround_agesTheYoungNeighboursOfAYoungPte() {
        Walker w = machine(12);
        Rmap rmap = new Rmap(m.kernel());
        rmap.referenced(pfn(2));
        rmap.referenced(pfn(9));
        w.probe = pfn(5);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (i != 5 && young(i)) {
                expected.add(pfn(i));
            }
        }
        reclaim();
        assertThat(w.probeYoung).isTrue();
        assertThat(w.around).containsExactlyElementsOf(expected);
        for (int i = 0; i < 12; i++) {
            assertThat(young(i)).as("page %d after the look-around", i).isFalse();
        }
    }

    @Test
    void lookAround_ofAnOldPage_looksNoFurther() {
        Walker w = machine(4);
        new Rmap(m.kernel()).referenced(pfn(1));
        w.probe = pfn(1);
        reclaim();
        assertThat(w.probeYoung).isFalse();
        assertThat(w.around).isEmpty();
        assertThat(young(0)).isTrue();
        assertThat(young(2)).isTrue();
    }
}
