package io.vmsim.core;

import io.vmsim.core.mm.Rmap;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class RmapTest {
    @Test
    void afterFork_aPageIsFoundInBothAddressSpaces_andAfterCopyOnWriteInOne() {
        Machine m = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "never"), new TestCatalog());
        Rmap rmap = new Rmap(m.kernel());
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 64 << 10, "rw", false, 4096);
        m.access(p.threads().get(0), a + 8192, true);
        int page = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + 8192));
        SimProcess c = m.fork(p, 0);
        List<Long> found = new ArrayList<>();
        assertThat(rmap.walk(page, (mm, vma, address, table, index, level) -> found.add(address))).isEqualTo(2);
        assertThat(found).containsOnly(a + 8192);
        Task ct = c.threads().get(0);
        m.access(ct, a + 8192, true);
        assertThat(rmap.walk(page, (mm, vma, address, table, index, level) -> mm == p.mm())).isEqualTo(1);
        int copy = Pte.pfn(m.kernel().lookupLeaf(c.mm(), a + 8192));
        assertThat(rmap.walk(copy, (mm, vma, address, table, index, level) -> mm == c.mm())).isEqualTo(1);
    }

    @Test
    void referenced_testsAndClearsTheAccessedBitOfEveryMapping() {
        Machine m = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "always"), new TestCatalog());
        Rmap rmap = new Rmap(m.kernel());
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        m.access(p.threads().get(0), a, true);
        int head = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a));
        SimProcess c = m.fork(p, 0);
        // the child's PMD is old after fork (copy_huge_pmd(): pmd_mkold()) until it uses the page
        assertThat(rmap.referenced(head + 5)).isEqualTo(1);
        m.access(c.threads().get(0), a, false);
        m.access(p.threads().get(0), a, false);
        assertThat(rmap.referenced(head + 5)).isEqualTo(2);
        assertThat(rmap.referenced(head + 5)).isZero();
    }

    /**
     * A THP of an address space whose anon_vma id is not 1: its entire mapcount was overwritten by
     * the anon_vma id when the folio was set up, so it counted PMDs wrongly and the rmap of its
     * first tail page looked in the wrong anon_vma.
     */
    @Test
    void aHugePagesEntireMapcount_countsItsPmds_whateverItsAnonVma() {
        Machine t = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "always"), new TestCatalog());
        SimProcess first = t.spawn("first", List.of(0));
        long fa = t.syscalls().mmapAnon(first.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        t.access(first.threads().get(0), fa, true);
        SimProcess p = t.spawn("p", List.of(0));
        long pa = t.syscalls().mmapAnon(p.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        t.access(p.threads().get(0), pa, true);
        long pmd = t.kernel().lookupLeaf(p.mm(), pa);
        assertThat(Pte.huge(pmd)).isTrue();
        int head = Pte.pfn(pmd);
        assertThat(t.kernel().frames.mapping(head)).isNotEqualTo(1);
        assertThat(t.kernel().entireMapcount(head)).isEqualTo(1);
        t.fork(p, 0);
        assertThat(t.kernel().entireMapcount(head)).isEqualTo(2);
        assertThat(new Rmap(t.kernel()).walk(head + 1, (mm, vma, address, table, index, level) -> level == 2)).isEqualTo(2);
    }
}
