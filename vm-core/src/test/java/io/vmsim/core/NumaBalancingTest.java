package io.vmsim.core;

import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.mm.Task;
import io.vmsim.core.numa.NumaBalancing;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mechanisms of automatic NUMA balancing against Linux 6.18's {@code task_numa_work()},
 * {@code change_prot_numa()}, {@code do_numa_page()} and {@code should_numa_migrate_memory()}:
 * a machine of two nodes with CPUs 0-1 on node 0 and 2-3 on node 1, the {@code linux} policy.
 */
final class NumaBalancingTest {
    private static final long SCAN_SIZE_MB = 4;

    private Machine m;
    private NumaBalancing nb;

    private SimProcess start(List<Integer> cpus) {
        m = Machine.create(TestConfig.of(CoreKeys.MEMORY, "256M", CoreKeys.NODES, "2", CoreKeys.CPUS, "4",
                CoreKeys.THP_ENABLED, "never", CoreKeys.NUMA_BALANCING, "1", CoreKeys.POLICY_NUMA, "linux",
                CoreKeys.NUMA_SCAN_SIZE_MB, Long.toString(SCAN_SIZE_MB)), new TestCatalog());
        nb = m.numaBalancing();
        return m.spawn("t", cpus);
    }

    private long vmstat(String name) {
        return m.vmstat().get(name);
    }

    private long pte(Task t, long va) {
        return m.kernel().lookupLeaf(t.mm(), va);
    }

    @Test
    void eachScanPass_marksScanSizeOfPopulatedMemory_andWrapsAtTheEnd() {
        SimProcess p = start(List.of(0, 2));
        Task t0 = p.threads().get(0);
        long size = 16L << 20;
        long base = m.syscalls().mmapAnon(p.mm(), 0, size, "rw", false, 2L << 20);
        for (long off = 0; off < size; off += 4096) {
            m.access(t0, base + off, true);
        }
        long perPass = SCAN_SIZE_MB << (20 - 12); // numa_balancing_scan_size_mb in 4 KiB pages
        long passes = size / 4096 / perPass;
        for (int pass = 1; pass <= passes; pass++) {
            nb.scanNow(t0);
            assertThat(vmstat("numa_pte_updates")).as("after pass %d", pass).isEqualTo(pass * perPass);
            // the pass marked the next scan_size of the area, and nothing beyond it
            long end = base + pass * perPass * 4096;
            assertThat(Pte.protnone(pte(t0, end - 4096))).isTrue();
            if (end < base + size) {
                assertThat(Pte.protnone(pte(t0, end))).isFalse();
            }
        }
        assertThat(nb.mmScanSeq(t0)).isZero();
        nb.scanNow(t0); // past the last area: reset_ptenuma_scan()
        assertThat(nb.mmScanSeq(t0)).isEqualTo(1);
        assertThat(vmstat("numa_pte_updates")).isEqualTo(passes * perPass);
        assertThat(vmstat("numa_huge_pte_updates")).isZero();
    }

    @Test
    void hintFault_restoresAccess_countsLocalAndRemote_andMigratesAFirstRemoteFaultEarlyInLife() {
        SimProcess p = start(List.of(0, 2));
        Task t0 = p.threads().get(0);
        Task t1 = p.threads().get(1);
        long base = m.syscalls().mmapAnon(p.mm(), 0, 1L << 20, "rw", false, 4096);
        m.access(t0, base, true);
        m.access(t0, base + 4096, true);
        int pfn1 = Pte.pfn(pte(t0, base + 4096));
        assertThat(m.kernel().frames.nodeOf(pfn1)).isZero();
        nb.scanNow(t0);
        assertThat(vmstat("numa_pte_updates")).isEqualTo(2);
        long faults = vmstat("pgfault");

        m.access(t0, base, false); // node 0 touches a node-0 page: a local hinting fault
        assertThat(vmstat("numa_hint_faults")).isEqualTo(1);
        assertThat(vmstat("numa_hint_faults_local")).isEqualTo(1);
        assertThat(Pte.protnone(pte(t0, base))).isFalse();
        assertThat(pte(t0, base) & Pte.RW).as("an exclusive page of a writable area is writable again").isNotZero();
        m.access(t0, base, true);
        assertThat(vmstat("pgfault")).as("access restored: no fault for the next reference").isEqualTo(faults + 1);

        m.access(t1, base + 4096, false); // node 1 touches a node-0 page: remote
        assertThat(vmstat("numa_hint_faults")).isEqualTo(2);
        assertThat(vmstat("numa_hint_faults_local")).isEqualTo(1);
        // early in the task's life (no preferred node) a first fault migrates at once
        assertThat(vmstat("numa_pages_migrated")).isEqualTo(1);
        assertThat(vmstat("pgmigrate_success")).isEqualTo(1);
        int moved = Pte.pfn(pte(t1, base + 4096));
        assertThat(moved).isNotEqualTo(pfn1);
        assertThat(m.kernel().frames.nodeOf(moved)).isEqualTo(1);
        assertThat(nb.localAccesses(1)).as("the retried reference is local").isEqualTo(1);
    }

    @Test
    void lateInLife_aPageMigratesOnlyOnTheSecondConsecutiveRemoteFaultFromTheSameNode() {
        SimProcess p = start(List.of(0, 2));
        Task t0 = p.threads().get(0);
        Task t1 = p.threads().get(1);
        long own0 = m.syscalls().mmapAnon(p.mm(), 0, 64 << 12, "rw", false, 4096);
        long own1 = m.syscalls().mmapAnon(p.mm(), 0, 64 << 12, "rw", false, 4096);
        long x = m.syscalls().mmapAnon(p.mm(), 0, 4096, "rw", false, 4096);
        for (int i = 0; i < 64; i++) {
            m.access(t0, own0 + i * 4096L, true);
            m.access(t1, own1 + i * 4096L, true);
        }
        m.access(t0, x, true);
        // six full passes, each followed by local faults of both threads: each gets a preferred
        // node and a scan sequence past 4, the end of should_numa_migrate_memory()'s early rule
        for (int pass = 0; pass < 6; pass++) {
            m.kernel().clock.advance(2_000_000_000_000L); // 2 s: past numa_migrate_retry
            nb.scanNow(t0);
            for (int i = 0; i < 64; i++) {
                m.access(t0, own0 + i * 4096L, false);
                m.access(t1, own1 + i * 4096L, false);
            }
            m.access(t0, x, false);
        }
        assertThat(nb.preferredNode(t0)).isZero();
        assertThat(nb.preferredNode(t1)).isEqualTo(1);
        assertThat(vmstat("numa_pages_migrated")).isZero();
        int pfn = Pte.pfn(pte(t0, x));

        nb.scanNow(t0);
        m.access(t1, x, false); // the last fault came from node 0: the filter says no
        assertThat(vmstat("numa_pages_migrated")).isZero();
        assertThat(Pte.pfn(pte(t1, x))).isEqualTo(pfn);

        nb.scanNow(t0);
        m.access(t1, x, false); // the second in a row from node 1, by the same task: migrate
        assertThat(vmstat("numa_pages_migrated")).isEqualTo(1);
        assertThat(m.kernel().frames.nodeOf(Pte.pfn(pte(t1, x)))).isEqualTo(1);
    }

    @Test
    void balancingOff_marksNothing() {
        m = Machine.create(TestConfig.of(CoreKeys.NODES, "2", CoreKeys.CPUS, "4", CoreKeys.MEMORY, "256M"), new TestCatalog());
        assertThat(m.numaBalancing().active()).isFalse();
        assertThat(m.kernel().lastCpupid).as("no per-frame last_cpupid without balancing").isNull();
    }

    @Test
    void tieringMode_leavesTopTierPagesUnscanned() {
        // change_pte_range() with NUMA_BALANCING_MEMORY_TIERING alone: pages of top-tier nodes are
        // skipped; both nodes here have CPUs, so both are top tier and nothing is marked
        for (String mode : new String[] {"2", "3"}) {
            m = Machine.create(TestConfig.of(CoreKeys.MEMORY, "256M", CoreKeys.NODES, "2", CoreKeys.CPUS, "4",
                    CoreKeys.THP_ENABLED, "never", CoreKeys.NUMA_BALANCING, mode, CoreKeys.POLICY_NUMA, "linux",
                    CoreKeys.NUMA_SCAN_SIZE_MB, Long.toString(SCAN_SIZE_MB)), new TestCatalog());
            nb = m.numaBalancing();
            SimProcess p = m.spawn("t", List.of(0, 2));
            Task t0 = p.threads().get(0);
            long base = m.syscalls().mmapAnon(p.mm(), 0, 4L << 20, "rw", false, 2L << 20);
            for (long off = 0; off < (4L << 20); off += 4096) {
                m.access(t0, base + off, true);
            }
            nb.scanNow(t0);
            // mode 3 has NUMA_BALANCING_NORMAL too: the pass marks scan_size as mode 1 does
            assertThat(vmstat("numa_pte_updates")).as("mode %s", mode).isEqualTo(mode.equals("2") ? 0 : SCAN_SIZE_MB << (20 - 12));
        }
    }

    /**
     * The hinting-fault path allocates nothing of its own: what 512 faults allocate, migrating or
     * not, is at most what 512 VMA lookups ({@code Mm.findVma}, a {@code TreeMap} floor entry that
     * every fault makes on entry) allocate, measured the same way.
     */
    @Test
    void hintingFaultsAndMigrations_allocateNothingBeyondTheFaultEntry() {
        SimProcess p = start(List.of(0, 2));
        Task t0 = p.threads().get(0);
        Task t1 = p.threads().get(1);
        long size = 4L << 20;
        int n = (int) (size / 2 / 4096);
        long base = m.syscalls().mmapAnon(p.mm(), 0, size, "rw", false, 4096);
        for (long off = 0; off < size; off += 4096) {
            m.access(t0, base + off, true);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        // warm up every path once
        nb.scanNow(t0);
        for (long off = 0; off < 64 * 4096; off += 4096) {
            m.access(t1, base + off, false);
            m.access(t0, base + 64 * 4096 + off, false);
        }
        nb.scanNow(t0);
        long b0 = mx.getThreadAllocatedBytes(tid);
        for (long off = size / 2; off < size; off += 4096) {
            p.mm().findVma(base + off);
        }
        long lookups = mx.getThreadAllocatedBytes(tid) - b0;

        long migrated = vmstat("numa_pages_migrated");
        long b1 = mx.getThreadAllocatedBytes(tid);
        for (long off = size / 2; off < size; off += 4096) {
            m.access(t1, base + off, false); // remote hinting faults that migrate (first faults, early in life)
        }
        long remote = mx.getThreadAllocatedBytes(tid) - b1;
        assertThat(vmstat("numa_pages_migrated") - migrated).isEqualTo(n);

        nb.scanNow(t0);
        long b2 = mx.getThreadAllocatedBytes(tid);
        for (long off = 128 * 4096; off < size / 2; off += 4096) {
            m.access(t0, base + off, false); // local hinting faults
        }
        long local = mx.getThreadAllocatedBytes(tid) - b2;
        // at most (the JIT may remove the lookup's boxing inside the fault path too), give or take
        // 4 KiB of one-off growth elsewhere (an object per fault, 16 bytes or more, is 8 KiB here)
        long slack = 4096;
        assertThat(remote).as("bytes allocated by %d migrating hinting faults", n).isLessThanOrEqualTo(lookups + slack);
        assertThat(local).as("bytes allocated by %d local hinting faults", n - 128)
                .isLessThanOrEqualTo(lookups / n * (n - 128) + slack);
    }
}
