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
}
