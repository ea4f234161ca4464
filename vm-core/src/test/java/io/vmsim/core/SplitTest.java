package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class SplitTest {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;

    static Machine machine(String... kv) {
        return Machine.create(TestConfig.of(kv), new TestCatalog());
    }

    static long vmstat(Machine m, String name) {
        return m.vmstat().get(name);
    }

    /** The frame backing {@code va}, through a PTE or a huge leaf. */
    static int frameOf(Machine m, SimProcess p, long va) {
        long e = m.kernel().lookupLeaf(p.mm(), va);
        if (e == 0 || !Pte.present(e)) {
            return -1;
        }
        if (Pte.huge(e)) {
            return Pte.pfn(e) + (int) ((va >>> 12) & 511);
        }
        return Pte.pfn(e);
    }

    @Test
    void partialMunmap_ofHugePage_splitsThePmdAndQueuesTheFolio_thenTheShrinkerFreesTheUnmappedHalf() {
        Machine m = machine("machine.memory", "256M");
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", false, HP);
        m.access(t, a, true);
        m.access(t, a + HP, true);
        assertThat(vmstat(m, "thp_fault_alloc")).isEqualTo(2);
        long free0 = m.kernel().allocator.freePages();
        m.syscalls().munmap(p.mm(), a, HP / 2, 0);
        assertThat(vmstat(m, "thp_split_pmd")).isEqualTo(1);
        assertThat(vmstat(m, "thp_deferred_split_page")).isEqualTo(1);
        // the folio stays whole until the deferred split: nothing freed yet
        assertThat(m.meminfo().get("AnonHugePages")).isEqualTo(4096);
        assertThat(m.thp().splitter().deferredCount()).isEqualTo(1);
        long freed = m.thp().splitter().scanDeferred(10, 0);
        assertThat(freed).isEqualTo(256);
        assertThat(m.kernel().allocator.freePages()).isEqualTo(free0 + 256);
        assertThat(vmstat(m, "thp_split_page")).isEqualTo(1);
        assertThat(m.meminfo().get("AnonHugePages")).isEqualTo(2048);
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(2048 + 1024);
        assertThat(p.mm().rssAnon()).isEqualTo(512 + 256);
        m.kernel().allocator.verify();
    }

    @Test
    void splitFolio_ofAPmdMappedThp_keepsEveryAddressOnItsFrame_andHandsTheSubpagesToReclaim() {
        Machine m = machine("machine.memory", "256M", "swap.size", "64M");
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, HP, "rw", false, HP);
        m.access(t, a, true);
        int[] before = new int[512];
        for (int i = 0; i < 512; i++) {
            before[i] = frameOf(m, p, a + i * 4096L);
        }
        int head = before[0];
        assertThat(TestCatalog.lastReclaim.tracked.get(head)).isTrue();
        m.kernel().huge.splitFolio(head + 7, 0);
        assertThat(vmstat(m, "thp_split_page")).isEqualTo(1);
        assertThat(vmstat(m, "thp_split_pmd")).isEqualTo(1);
        for (int i = 0; i < 512; i++) {
            assertThat(frameOf(m, p, a + i * 4096L)).isEqualTo(before[i]);
            assertThat(m.kernel().frames.refcount(before[i])).isEqualTo(1);
            assertThat(TestCatalog.lastReclaim.tracked.get(before[i])).isTrue();
            m.access(t, a + i * 4096L, true);
        }
        assertThat(m.meminfo().get("AnonHugePages")).isZero();
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(2048);
        long free0 = m.kernel().allocator.freePages();
        m.syscalls().munmap(p.mm(), a, HP, 0);
        assertThat(m.kernel().allocator.freePages()).isGreaterThanOrEqualTo(free0 + 512);
        m.kernel().allocator.verify();
    }

    @Test
    void madviseDontneed_ofPartOfAHugePage_neverFails_andExitReturnsEveryFrame() {
        Machine m = machine("machine.memory", "256M");
        long free0 = m.kernel().allocator.freePages();
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * HP, "rw", false, HP);
        for (long off = 0; off < 4 * HP; off += HP) {
            m.access(t, a + off, true);
        }
        m.syscalls().madvise(p.mm(), a + 4096, 3 * HP, "dontneed", 0);
        m.syscalls().mprotect(p.mm(), a + HP * 3 + 8192, 4096, "r");
        // the first and last huge pages lose part of their mappings; the middle two go whole
        assertThat(vmstat(m, "thp_deferred_split_page")).isEqualTo(2);
        m.syscalls().exit(p.mm(), 0);
        assertThat(m.thp().splitter().deferredCount()).isZero();
        assertThat(m.kernel().allocator.freePages()).isEqualTo(free0);
        m.kernel().allocator.verify();
    }

    @Test
    void splitFolio_ofAThpSharedAfterFork_splitsBothPmds_andBothProcessesKeepTheirFrames() {
        Machine m = machine("machine.memory", "256M");
        SimProcess p = m.spawn("t", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, HP, "rw", false, HP);
        m.access(p.threads().get(0), a, true);
        SimProcess c = m.fork(p, 0);
        int head = frameOf(m, p, a);
        m.kernel().huge.splitFolio(head, 0);
        assertThat(vmstat(m, "thp_split_pmd")).isEqualTo(2);
        for (int i = 0; i < 512; i++) {
            long va = a + i * 4096L;
            assertThat(frameOf(m, p, va)).isEqualTo(head + i);
            assertThat(frameOf(m, c, va)).isEqualTo(head + i);
            assertThat(m.kernel().frames.refcount(head + i)).isEqualTo(2);
        }
        // a write now copies one 4 KiB page, not the huge page
        m.access(c.threads().get(0), a + 4096, true);
        assertThat(frameOf(m, c, a + 4096)).isNotEqualTo(head + 1);
        assertThat(m.kernel().frames.refcount(head + 1)).isEqualTo(1);
        m.syscalls().exit(c.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        m.kernel().allocator.verify();
        assertThat(m.meminfo().get("AnonPages")).isZero();
    }
}
