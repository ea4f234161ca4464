package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.uffd.DelayMonitor;
import io.vmsim.core.uffd.Uffd;
import io.vmsim.core.uffd.UffdMonitor;
import io.vmsim.core.uffd.UffdMsg;
import io.vmsim.core.uffd.Userfaultfd;
import io.vmsim.core.uffd.Userfaultfds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.vmsim.core.SplitTest.vmstat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** userfaultfd (issue 12): the acceptance tests of vm-core's {@code io.vmsim.core.uffd}. */
final class UserfaultfdTest {
    private static final long PAGE = 4096;
    private static final long HP = Kernel.HPAGE_PMD_SIZE;

    private static Userfaultfd open(Machine m, SimProcess p, long features) {
        Userfaultfd u = Userfaultfds.of(m.kernel(), m.syscalls()).open(p.mm());
        assertThat(u.api(Uffd.UFFD_API, features)).isEqualTo(Uffd.UFFD_API_FEATURES);
        return u;
    }

    /** A monitor that records each message before handing it to {@code inner}. */
    private static UffdMonitor recording(List<UffdMsg> into, UffdMonitor inner) {
        return (u, msg) -> {
            into.add(msg);
            inner.handle(u, msg);
        };
    }

    @Test
    void idleMonitor_faultingThreadWaitsExactlyItsModelledDelay() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("guest", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        Userfaultfd u = open(m, p, Uffd.UFFD_FEATURE_THREAD_ID);
        assertThat(u.register(a, 16 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING))
                .isEqualTo(Uffd.UFFDIO_WAKE_BIT | Uffd.UFFDIO_COPY_BIT | Uffd.UFFDIO_ZEROPAGE_BIT);
        // 20 us of latency plus 4096 bytes at 1000 MB/s (4.096 us): 24096 ns
        DelayMonitor monitor = new DelayMonitor(20_000, 1000, false);
        List<UffdMsg> msgs = new ArrayList<>();
        u.setMonitor(recording(msgs, monitor));
        long t0 = m.nanoTime();
        m.access(t, a + 3 * PAGE + 100, true);
        long elapsed = m.nanoTime() - t0;
        assertThat(u.latenciesNs()).containsExactly(24_096L);
        assertThat(elapsed).isBetween(24_096L, 24_096L + 10_000L);
        assertThat(msgs).hasSize(1);
        UffdMsg msg = msgs.get(0);
        assertThat(msg.event()).isEqualTo(Uffd.UFFD_EVENT_PAGEFAULT);
        assertThat(msg.address()).isEqualTo(a + 3 * PAGE); // page-aligned without EXACT_ADDRESS
        assertThat(msg.flags()).isEqualTo(Uffd.UFFD_PAGEFAULT_FLAG_WRITE);
        assertThat(msg.ptid()).isEqualTo(t.tid());
        assertThat(p.mm().rssAnon()).isEqualTo(1);
        // the page is there now: no second fault, and a second copy is EEXIST
        m.access(t, a + 3 * PAGE, false);
        assertThat(u.faults()).isEqualTo(1);
        assertThat(u.copy(a + 3 * PAGE, PAGE, 0)).isEqualTo(-Uffd.EEXIST);
        m.kernel().allocator.verify();
    }

    @Test
    void slowMonitor_queuedFaultsWaitInFifoOrder() {
        Machine m = SplitTest.machine("machine.memory", "256M", "machine.cpus", "5");
        SimProcess p = m.spawn("guest", List.of(0, 1, 2, 3, 4));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        // the page tables exist before the faults (thread 0 made them), so that threads 1 to 4,
        // each on a CPU of its own with cold TLBs, reach their faults after the same work
        m.access(p.threads().get(0), a + 15 * PAGE, true);
        Userfaultfd u = open(m, p, Uffd.UFFD_FEATURE_THREAD_ID);
        assertThat(u.register(a, 8 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isPositive();
        long d = 100_000; // 100 us a fault, no transfer time
        List<UffdMsg> msgs = new ArrayList<>();
        u.setMonitor(recording(msgs, new DelayMonitor(d, 0, false)));
        // four threads fault at once, as one round of a parallel phase runs them (ScenarioRunner.parallel)
        long round0 = m.kernel().clock.picoTime();
        int[] order = {2, 4, 3, 1};
        for (int j : order) {
            m.kernel().threadSkewPs = m.kernel().clock.picoTime() - round0;
            m.access(p.threads().get(j), a + j * PAGE, true);
        }
        m.kernel().threadSkewPs = 0;
        // all four arrive at the same time T; the monitor serves them one after the other, each
        // for d: the k-th in arrival order is woken at T + k*d
        assertThat(u.latenciesNs()).containsExactly(d, 2 * d, 3 * d, 4 * d);
        assertThat(msgs).extracting(UffdMsg::ptid).containsExactly(
                p.threads().get(2).tid(), p.threads().get(4).tid(), p.threads().get(3).tid(), p.threads().get(1).tid());
        long t = msgs.get(0).queuedNs();
        assertThat(msgs).extracting(UffdMsg::queuedNs).containsOnly(t);
        assertThat(u.monitorNs()).isEqualTo(t + 4 * d);
    }

    /**
     * The same through the scenario language: four threads of a parallel phase fault at once on
     * a range registered MISSING, and the scenario's monitor (100 us a request plus 4 KiB at
     * 400 MB/s: 110.24 us) serves them one after the other.
     */
    @Test
    void scenarioMonitor_parallelFaultsQueue_andTheRoundLastsAsLongAsTheLastWait() throws Exception {
        String yaml = String.join("\n",
                "processes:",
                "  - name: guest",
                "    threads: [0, 1, 2, 3, 4]",
                "    vmas:",
                "      - { name: ram, size: 64K }",
                "phases:",
                "  - { name: tables, op: sequential, vma: ram, offset: 60K, length: 4K, write: true }",
                "  - { name: open, op: userfaultfd, features: [thread_id], latency_ns: 100000, bandwidth_mbps: 400 }",
                "  - { name: register, op: uffd_register, vma: ram, length: 32K, mode: missing }",
                "  - name: faults",
                "    op: parallel",
                "    phases:",
                "      - { op: sequential, vma: ram, thread: 1, offset: 0K, length: 4K, write: true }",
                "      - { op: sequential, vma: ram, thread: 2, offset: 4K, length: 4K, write: true }",
                "      - { op: sequential, vma: ram, thread: 3, offset: 8K, length: 4K, write: true }",
                "      - { op: sequential, vma: ram, thread: 4, offset: 12K, length: 4K, write: true }",
                "");
        io.vmsim.core.scenario.Scenario s = io.vmsim.core.scenario.ScenarioParser.parse(
                new java.io.StringReader(yaml), "t.yaml", "t.yaml");
        Machine m = SplitTest.machine("machine.memory", "256M", "machine.cpus", "5");
        ScenarioRunner runner = new ScenarioRunner(m, io.vmsim.core.report.Progress.NONE, 1);
        List<io.vmsim.core.report.RunResult.PhaseResult> phases = runner.run(s);
        Userfaultfd u = runner.userfaultfds().get("guest");
        long d = 100_000 + 4096L * 1000 / 400;
        assertThat(d).isEqualTo(110_240);
        assertThat(u.latenciesNs()).containsExactly(d, 2 * d, 3 * d, 4 * d);
        assertThat(u.faults()).isEqualTo(4);
        // the round of four references lasts as long as its longest: the last thread's wait and its own fault
        assertThat(phases.get(3).timeNs()).isBetween(4 * d, 4 * d + 10_000);
    }

    @Test
    void sigbusFeature_raisesSigbusInsteadOfQueueing() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("guest", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        Userfaultfd u = open(m, p, Uffd.UFFD_FEATURE_SIGBUS);
        assertThat(u.register(a, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isPositive();
        List<UffdMsg> msgs = new ArrayList<>();
        u.setMonitor(recording(msgs, new DelayMonitor(1000, 0, false)));
        assertThatThrownBy(() -> m.access(p.threads().get(0), a, false))
                .isInstanceOf(WorkloadException.class).hasMessageContaining("SIGBUS");
        assertThat(msgs).isEmpty();
        assertThat(u.faults()).isZero();
        assertThat(u.read()).isNull();
        assertThat(p.mm().rssAnon()).isZero();
        // the monitor may still fill the page; then the access succeeds
        assertThat(u.copy(a, PAGE, 0)).isEqualTo(PAGE);
        m.access(p.threads().get(0), a, false);
        assertThat(p.mm().rssAnon()).isEqualTo(1);
    }

    @Test
    void missingOnHugetlb_resolvesTwoMebibytesAtATime() {
        Machine m = SplitTest.machine("machine.memory", "256M", "vm.nr_hugepages", "4");
        SimProcess p = m.spawn("guest", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapHugetlb(p.mm(), 2 * HP, "rw", HP, "guest");
        Userfaultfd u = open(m, p, Uffd.UFFD_FEATURE_MISSING_HUGETLBFS);
        // hugetlb ranges offer no UFFDIO_ZEROPAGE (UFFD_API_RANGE_IOCTLS_BASIC)
        assertThat(u.register(a, 2 * HP, Uffd.UFFDIO_REGISTER_MODE_MISSING))
                .isEqualTo(Uffd.UFFDIO_WAKE_BIT | Uffd.UFFDIO_COPY_BIT);
        assertThat(u.register(a + PAGE, HP, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isEqualTo(-Uffd.EINVAL);
        List<UffdMsg> msgs = new ArrayList<>();
        u.setMonitor(recording(msgs, new DelayMonitor(10_000, 0, false)));
        m.access(t, a + 5 * PAGE + 7, true);
        assertThat(msgs).hasSize(1);
        assertThat(msgs.get(0).address()).isEqualTo(a); // the huge page's address, as Linux reports it (uffd-missing-hugetlb)
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 3L).containsEntry("HugePages_Rsvd", 1L);
        // every 4 KiB page of the first huge page is there: no more faults
        for (long off = 0; off < HP; off += PAGE) {
            m.access(t, a + off, true);
        }
        assertThat(u.faults()).isEqualTo(1);
        assertThat(vmstat(m, "pgfault")).isEqualTo(1);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isTrue();
        // a copy must be huge-page aligned and sized; a second one is EEXIST
        assertThat(u.copy(a + HP, PAGE, 0)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.copy(a + PAGE, HP, 0)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.copy(a + HP + PAGE, HP, 0)).isEqualTo(-Uffd.ENOENT); // past the area's end (validate_dst_vma())
        assertThat(u.zeropage(a + HP, HP, 0)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.copy(a, HP, 0)).isEqualTo(-Uffd.EEXIST);
        assertThat(u.copy(a + HP, HP, 0)).isEqualTo(HP);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 2L).containsEntry("HugePages_Rsvd", 0L);
        m.syscalls().munmap(p.mm(), a, 2 * HP, 0);
        assertThat(m.meminfo()).containsEntry("HugePages_Free", 4L);
    }

    /**
     * A live snapshot: the monitor write-protects every page, then saves each page either on its
     * first write fault or in a background sweep, and un-protects it. The sweep saves a page only
     * while the kernel still shows it write-protected (the PTE's uffd-wp bit, as pagemap's
     * PM_UFFD_WP tells a real monitor). Each page must be saved exactly once, holding what it held
     * at the snapshot: counted by brute force against the writer's own record.
     */
    @Test
    void liveSnapshotWithWpMode_copiesEachPageExactlyOnce() {
        int n = 256;
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("db", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, n * PAGE, "rw", false, PAGE);
        long[] written = new long[n];
        for (int i = 0; i < n; i++) {
            written[i] = 1000 + i;
            m.store(t, a + i * PAGE, written[i]);
        }
        long[] atSnapshot = written.clone();
        Userfaultfd u = open(m, p, Uffd.UFFD_FEATURE_PAGEFAULT_FLAG_WP);
        assertThat(u.register(a, n * PAGE, Uffd.UFFDIO_REGISTER_MODE_WP)).isPositive();
        int[] saves = new int[n];
        long[] saved = new long[n];
        u.setMonitor((uf, msg) -> {
            assertThat(msg.flags()).isEqualTo(Uffd.UFFD_PAGEFAULT_FLAG_WRITE | Uffd.UFFD_PAGEFAULT_FLAG_WP);
            int i = (int) ((msg.address() - a) / PAGE);
            saves[i]++;
            saved[i] = m.load(t, msg.address()); // reading is allowed while protected
            uf.monitorSleep(2_000);
            assertThat(uf.writeProtect(msg.address(), PAGE, 0)).isZero();
        });
        assertThat(u.writeProtect(a, n * PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP)).isZero();
        SplittableRandom rng = new SplittableRandom(42);
        int sweep = 0;
        long tag = 1_000_000;
        for (int ref = 0; ref < 4 * n; ref++) {
            int i = rng.nextInt(n);
            written[i] = tag++;
            m.store(t, a + i * PAGE, written[i]);
            if (ref % 3 == 0 && sweep < n) {
                // the background sweep: the next page still write-protected
                long e = m.kernel().lookupLeaf(p.mm(), a + sweep * PAGE);
                if ((e & Pte.UFFD_WP) != 0) {
                    saves[sweep]++;
                    saved[sweep] = m.load(t, a + sweep * PAGE);
                    assertThat(u.writeProtect(a + sweep * PAGE, PAGE, 0)).isZero();
                }
                sweep++;
            }
        }
        for (; sweep < n; sweep++) {
            long e = m.kernel().lookupLeaf(p.mm(), a + sweep * PAGE);
            if ((e & Pte.UFFD_WP) != 0) {
                saves[sweep]++;
                saved[sweep] = m.load(t, a + sweep * PAGE);
                assertThat(u.writeProtect(a + sweep * PAGE, PAGE, 0)).isZero();
            }
        }
        for (int i = 0; i < n; i++) {
            assertThat(saves[i]).as("saves of page %d", i).isEqualTo(1);
            assertThat(saved[i]).as("snapshot of page %d", i).isEqualTo(atSnapshot[i]);
            assertThat(m.load(t, a + i * PAGE)).as("page %d now", i).isEqualTo(written[i]);
            assertThat(m.kernel().lookupLeaf(p.mm(), a + i * PAGE) & Pte.UFFD_WP).isZero();
        }
        assertThat(u.faults(Uffd.VM_UFFD_WP)).isPositive().isLessThan(n);
        // an un-protected exclusive page is writable again: writes after the snapshot fault no more
        long faults = u.faults();
        for (int i = 0; i < n; i++) {
            m.store(t, a + i * PAGE, 7);
        }
        assertThat(u.faults()).isEqualTo(faults);
    }
}
