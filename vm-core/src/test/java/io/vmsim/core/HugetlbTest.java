package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmsim.core.SplitTest.vmstat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class HugetlbTest {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;

    @Test
    void hugetlb_poolReservationFaultAndRelease_showInMeminfo() {
        Machine m = SplitTest.machine("machine.memory", "256M", "vm.nr_hugepages", "4");
        assertThat(m.meminfo()).containsEntry("HugePages_Total", 4L).containsEntry("HugePages_Free", 4L)
                .containsEntry("Hugetlb", 8192L);
        SimProcess p = m.spawn("db", List.of(0));
        long a = m.syscalls().mmapHugetlb(p.mm(), 3 * HP, "rw", HP, "db");
        assertThat(m.meminfo()).containsEntry("HugePages_Rsvd", 3L);
        m.access(p.threads().get(0), a + 5, true);
        m.access(p.threads().get(0), a + HP + 5, true);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 2L).containsEntry("HugePages_Rsvd", 1L);
        long e = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(Pte.huge(e)).isTrue();
        assertThatThrownBy(() -> m.syscalls().mmapHugetlb(p.mm(), 2 * HP, "rw", HP, "db"))
                .isInstanceOf(WorkloadException.class).hasMessageContaining("db").hasMessageContaining("2M")
                .hasMessageContaining("vm.nr_hugepages");
        m.syscalls().munmap(p.mm(), a, 3 * HP, 0);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 4L).containsEntry("HugePages_Rsvd", 0L);
        m.kernel().allocator.verify();
    }

    @Test
    void hugetlb1g_mapsAPudLeaf_andTheTlbUsesItsGigabyteEntries() {
        Machine m = SplitTest.machine("machine.memory", "3G", "vm.nr_hugepages_1g", "1");
        SimProcess p = m.spawn("vm", List.of(0));
        long a = m.syscalls().mmapHugetlb(p.mm(), 1L << 30, "rw", 1L << 30, "vm");
        Task t = p.threads().get(0);
        for (long off = 0; off < 1L << 30; off += HP) {
            m.access(t, a + off, true);
        }
        assertThat(vmstat(m, "pgfault")).isEqualTo(1);
        // one walk that found nothing, one after the fault; then the 1 GiB L1 DTLB entry serves all
        assertThat(m.tlb().get("walks")).isEqualTo(2);
        assertThat(frameOf1g(m, p, a + HP * 3) % (1 << 18)).isEqualTo(512 * 3);
        m.syscalls().exit(p.mm(), 0);
        m.kernel().allocator.verify();
    }

    private static long frameOf1g(Machine m, SimProcess p, long va) {
        long e = m.kernel().lookupLeaf(p.mm(), va);
        return Pte.pfn(e) + ((va >>> 12) & 0x3ffff);
    }

    @Test
    void hugetlb_partialUnmapAtAHugePageBoundary_keepsTheRestReserved_andAnUnalignedOneFails() {
        Machine m = SplitTest.machine("machine.memory", "256M", "vm.nr_hugepages", "4");
        SimProcess p = m.spawn("db", List.of(0));
        long a = m.syscalls().mmapHugetlb(p.mm(), 4 * HP, "rw", HP, "db");
        m.access(p.threads().get(0), a, true);
        assertThatThrownBy(() -> m.syscalls().munmap(p.mm(), a + 4096, HP, 0))
                .isInstanceOf(WorkloadException.class).hasMessageContaining("EINVAL");
        m.syscalls().munmap(p.mm(), a, HP, 0);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 4L).containsEntry("HugePages_Rsvd", 3L);
        m.access(p.threads().get(0), a + 3 * HP, true);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 3L).containsEntry("HugePages_Rsvd", 2L);
        m.syscalls().exit(p.mm(), 0);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 4L).containsEntry("HugePages_Rsvd", 0L);
        m.kernel().allocator.verify();
    }
}
