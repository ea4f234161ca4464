package io.vmsim.core;

import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** VMA merging of mm/vma.c (Linux 6.18): vma_merge_new_range(), vma_merge_existing_range(), is_mergeable_anon_vma(). */
final class VmaMergeTest {
    private static final long BASE = 0x2000_0000_0000L;
    private static final long LEN = 64 * 4096;

    private static Machine machine() {
        return Machine.create(TestConfig.of("vmsim.debug_checks", "true", "mm.transparent_hugepage.enabled", "never"),
                new TestCatalog());
    }

    private static List<Vma> vmas(Mm mm) {
        List<Vma> out = new ArrayList<>();
        mm.vmas().forEach(out::add);
        return out;
    }

    private static void write(Machine m, Task t, long a, long len) {
        for (long o = 0; o < len; o += 4096) {
            m.access(t, a + o, true);
        }
    }

    @Test
    void aNewAreaBelowAWrittenArea_mergesWithIt_andItsPagesStayReachableByTheRmap() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        m.syscalls().mmapAnon(p.mm(), BASE, LEN, "rw", false, 4096);
        write(m, t, BASE, LEN);
        m.syscalls().mmapAnon(p.mm(), BASE - LEN, LEN, "rw", false, 4096);
        assertThat(vmas(p.mm())).hasSize(1);
        assertThat(vmas(p.mm()).get(0).start()).isEqualTo(BASE - LEN);
        write(m, t, BASE - LEN, LEN);
        // a third area between two: all three become one
        m.syscalls().mmapAnon(p.mm(), BASE + 2 * LEN, LEN, "rw", false, 4096);
        m.syscalls().mmapAnon(p.mm(), BASE + LEN, LEN, "rw", false, 4096);
        assertThat(vmas(p.mm())).hasSize(1);
        write(m, t, BASE + LEN, 2 * LEN);
        assertThat(p.mm().rssAnon).isEqualTo(4 * LEN / 4096);
        m.debugChecks().check("after the merges"); // every PTE found by the rmap walk, mapcounts
    }

    @Test
    void twoWrittenAreasOfTwoMmaps_neverMerge_evenWithEqualFlags() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        m.syscalls().mmapAnon(p.mm(), BASE + LEN, LEN, "rw", false, 4096);
        write(m, t, BASE + LEN, LEN); // the first anonymous page: anon_vma_prepare()
        m.syscalls().mprotect(p.mm(), BASE + LEN, LEN, "r");
        m.syscalls().mmapAnon(p.mm(), BASE, LEN, "rw", false, 4096);
        write(m, t, BASE, LEN);
        assertThat(vmas(p.mm())).hasSize(2); // different flags
        m.syscalls().mprotect(p.mm(), BASE + LEN, LEN, "rw");
        // both have an anon_vma of their own: is_mergeable_anon_vma() says no
        assertThat(vmas(p.mm())).hasSize(2);
        m.debugChecks().check("after mprotect");
    }

    @Test
    void anUntouchedAreaMadeWritable_mergesWithAWrittenNeighbour() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        m.syscalls().mmapAnon(p.mm(), BASE, LEN, "r", false, 4096);
        m.syscalls().mmapAnon(p.mm(), BASE + LEN, LEN, "rw", false, 4096);
        write(m, t, BASE + LEN, LEN);
        m.syscalls().mprotect(p.mm(), BASE, LEN, "rw");
        assertThat(vmas(p.mm())).hasSize(1);
        write(m, t, BASE, LEN);
        assertThat(p.mm().rssAnon).isEqualTo(2 * LEN / 4096);
        m.debugChecks().check("after the writes");
    }

    @Test
    void aForkedChildsWrittenArea_takesNoNewNeighbour_whileTheParentsDoes() {
        Machine m = machine();
        SimProcess parent = m.spawn("p", List.of(0));
        m.syscalls().mmapAnon(parent.mm(), BASE, LEN, "rw", false, 4096);
        write(m, parent.threads().get(0), BASE, LEN);
        SimProcess child = m.fork(parent, 0);
        // vma_had_uncowed_parents(): the child's area has its parent's anon_vma in its chain
        m.syscalls().mmapAnon(child.mm(), BASE + LEN, LEN, "rw", false, 4096);
        assertThat(vmas(child.mm())).hasSize(2);
        m.syscalls().mmapAnon(parent.mm(), BASE + LEN, LEN, "rw", false, 4096);
        assertThat(vmas(parent.mm())).hasSize(1);
        write(m, child.threads().get(0), BASE, 2 * LEN);
        write(m, parent.threads().get(0), BASE, 2 * LEN);
        m.debugChecks().check("after the writes");
    }

    @Test
    void sharedAnonymousAreasOfTwoMmaps_neverMerge() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        m.syscalls().mmapAnon(p.mm(), BASE, LEN, "rw", true, 4096);
        m.syscalls().mmapAnon(p.mm(), BASE + LEN, LEN, "rw", true, 4096);
        m.syscalls().mmapAnon(p.mm(), BASE - LEN, LEN, "rw", true, 4096);
        assertThat(vmas(p.mm())).hasSize(3);
    }
}
