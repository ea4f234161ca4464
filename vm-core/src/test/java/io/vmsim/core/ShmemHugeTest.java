package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmsim.core.SplitTest.frameOf;
import static io.vmsim.core.SplitTest.vmstat;
import static org.assertj.core.api.Assertions.assertThat;

final class ShmemHugeTest {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;

    @ParameterizedTest(name = "shmem_enabled={0}, madvised={1}: huge={2}")
    @CsvSource({"never, false, false", "never, true, false", "always, false, true", "within_size, false, true",
            "advise, false, false", "advise, true, true", "deny, true, false", "force, false, true"})
    void sharedAnonymousFault_followsShmemEnabled(String mode, boolean madvised, boolean huge) {
        Machine m = SplitTest.machine("machine.memory", "256M", "mm.transparent_hugepage.shmem_enabled", mode,
                "mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("shm", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", true, HP);
        if (madvised) {
            m.syscalls().madvise(p.mm(), a, 2 * HP, "hugepage", 0);
        }
        m.access(p.threads().get(0), a + 4096, false);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isEqualTo(huge);
        assertThat(vmstat(m, "thp_file_alloc")).isEqualTo(huge ? 1 : 0);
        // a read of shmem allocates memory: no zero page
        assertThat(vmstat(m, "thp_zero_page_alloc")).isZero();
        assertThat(vmstat(m, "thp_fault_alloc")).isZero();
    }

    @Test
    void forkedChild_sharesTheHugePage_andWritesNeverCopy() {
        Machine m = SplitTest.machine("machine.memory", "256M", "mm.transparent_hugepage.shmem_enabled", "always");
        SimProcess p = m.spawn("shm", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, HP, "rw", true, HP);
        m.access(t, a, true);
        SimProcess c = m.fork(p, 0);
        m.access(c.threads().get(0), a + 8192, true);
        m.access(t, a + 4096 * 7, true);
        assertThat(frameOf(m, c, a + 8192)).isEqualTo(frameOf(m, p, a + 8192));
        assertThat(vmstat(m, "vmsim_cow_copies")).isZero();
        int head = frameOf(m, p, a);
        assertThat(m.kernel().entireMapcount(head)).isEqualTo(2);
        m.syscalls().exit(c.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        m.kernel().allocator.verify();
        assertThat(m.meminfo().get("AnonHugePages")).isZero();
    }
}
