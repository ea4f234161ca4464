package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.vmsim.core.SplitTest.frameOf;
import static io.vmsim.core.SplitTest.vmstat;
import static org.assertj.core.api.Assertions.assertThat;

final class KhugepagedTest {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;

    @AfterEach
    void resetPolicy() {
        TestCatalog.maxPtesNone = 511;
    }

    /** A process with a 2 MiB-aligned area whose first {@code present} pages are written as 4 KiB pages. */
    private static SimProcess withPages(Machine m, int present) {
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", false, HP);
        for (int i = 0; i < present; i++) {
            m.access(t, a + i * 4096L, true);
        }
        m.syscalls().madvise(p.mm(), a, 2 * HP, "hugepage", 0);
        return p;
    }

    private static long start(SimProcess p) {
        return p.mm().vmas().iterator().next().start();
    }

    @Test
    void collapsesARangeWithExactlyMaxPtesNoneEmptyEntries() {
        TestCatalog.maxPtesNone = 100;
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "madvise", "machine.memory", "256M");
        SimProcess p = withPages(m, 512 - 100);
        long a = start(p);
        Map<Long, Integer> before = new HashMap<>();
        for (int i = 0; i < 412; i++) {
            before.put(a + i * 4096L, frameOf(m, p, a + i * 4096L));
        }
        Map<Integer, Integer> copiedTo = new HashMap<>();
        m.thp().khugepaged().setCopyListener(copiedTo::put);
        m.thp().khugepaged().scan(4096);
        assertThat(vmstat(m, "thp_collapse_alloc")).isEqualTo(1);
        assertThat(vmstat(m, "khugepaged/pages_collapsed")).isEqualTo(1);
        assertThat(vmstat(m, "khugepaged/full_scans")).isGreaterThanOrEqualTo(1);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isTrue();
        // each page's contents went to the subpage at the same offset
        before.forEach((va, pfn) -> assertThat(frameOf(m, p, va)).isEqualTo(copiedTo.get(pfn)));
        assertThat(p.mm().rssAnon()).isEqualTo(512);
        assertThat(p.mm().tablesAt(1)).isZero();
        assertThat(p.mm().depositedTables()).isEqualTo(1);
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(2048);
        m.kernel().allocator.verify();
    }

    @Test
    void doesNotCollapseARangeWithMaxPtesNonePlusOneEmptyEntries() {
        TestCatalog.maxPtesNone = 100;
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "madvise", "machine.memory", "256M");
        SimProcess p = withPages(m, 512 - 101);
        m.thp().khugepaged().scan(4096);
        assertThat(vmstat(m, "thp_collapse_alloc")).isZero();
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), start(p)))).isFalse();
    }

    @Test
    void theDaemonScansEveryScanSleepMillisecs_onSimulatedTime_chargingNothingToTheWorkload() {
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "madvise", "machine.memory", "256M",
                "mm.transparent_hugepage.khugepaged.scan_sleep_millisecs", "5");
        SimProcess p = withPages(m, 300);
        m.tick();
        assertThat(vmstat(m, "thp_collapse_alloc")).isZero();
        m.kernel().clock.advance(6_000_000_000L);
        long before = m.nanoTime();
        m.tick();
        assertThat(m.nanoTime()).isEqualTo(before);
        assertThat(vmstat(m, "thp_collapse_alloc")).isEqualTo(1);
        assertThat(m.daemons().cpuTimeNs().get("khugepaged")).isGreaterThan(0);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), start(p)))).isTrue();
    }

    @Test
    void enabledAlways_skipsAnAreaMadvisedNoHugepage() {
        // thp_vma_allowable_order(): VM_NOHUGEPAGE excludes an area even with enabled=always
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "always", "machine.memory", "256M");
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", false, HP);
        m.syscalls().madvise(p.mm(), a, 2 * HP, "nohugepage", 0);
        for (int i = 0; i < 512; i++) {
            m.access(t, a + i * 4096L, true);
        }
        assertThat(vmstat(m, "thp_fault_alloc")).isZero();
        m.thp().khugepaged().scan(4096);
        assertThat(vmstat(m, "thp_collapse_alloc")).isZero();
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isFalse();
    }

    @Test
    void enabledNever_stopsKhugepaged() {
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "never", "machine.memory", "256M");
        assertThat(m.daemons().cpuTimeNs()).doesNotContainKey("khugepaged");
    }

    @Test
    void madvCollapse_ignoresMaxPtesNone_andCollapsesNow() {
        TestCatalog.maxPtesNone = 0;
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "madvise", "machine.memory", "256M");
        SimProcess p = withPages(m, 1);
        m.syscalls().madvise(p.mm(), start(p), 2 * HP, "collapse", 0);
        assertThat(vmstat(m, "thp_collapse_alloc")).isEqualTo(1);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), start(p)))).isTrue();
        m.access(p.threads().get(0), start(p) + 4096 * 9, true);
        assertThat(vmstat(m, "pgfault")).isEqualTo(1);
    }

    @Test
    void aHugePageIdleForTwoVisits_isDemotedIntoBasePages_whileABusyOneStaysHuge() {
        Machine m = SplitTest.machine("mm.transparent_hugepage.enabled", "always", "machine.memory", "256M",
                "policy.thp", "demoting");
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", false, HP);
        m.access(t, a, true);
        m.access(t, a + HP, true);
        int idleHead = frameOf(m, p, a);
        for (int visit = 0; visit < 3; visit++) {
            m.access(t, a + HP + 8192, false); // the second huge page stays in use
            m.thp().khugepaged().scan(4096);
        }
        // visit 1 clears the bit the faults set; visits 2 and 3 find the first page idle
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isFalse();
        assertThat(frameOf(m, p, a + 4096)).isEqualTo(idleHead + 1);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a + HP))).isTrue();
        assertThat(vmstat(m, "vmsim_thp_demoted")).isEqualTo(1);
        assertThat(vmstat(m, "thp_split_page")).isEqualTo(1);
        assertThat(p.mm().rssAnon()).isEqualTo(1024);
        m.kernel().allocator.verify();
    }
}
