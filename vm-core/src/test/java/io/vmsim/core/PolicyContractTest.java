package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reclaim SPI contract as the full machine keeps it: one reference, one report; each
 * policy instance sized from its own LRU domain; policy kinds other than reclaim kept off the
 * reclaim policy's per-frame state.
 */
final class PolicyContractTest {
    private static final long MIB = 1L << 20;

    @Test
    void theReferenceThatFaultsAPageIn_isReportedByPageAddedAlone_laterReferencesByPageAccessed() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "lru", "swap.size", "16M"), new TestCatalog());
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        int pages = 100;
        long a = m.syscalls().mmapAnon(p.mm(), 0, pages * 4096L, "rw", false, 4096);
        for (int i = 0; i < pages; i++) {
            m.access(t, a + i * 4096L, true); // a write fault each: a new page
        }
        TestCatalog.TrackingReclaim policy = TestCatalog.lastReclaim;
        assertThat(policy.size()).isEqualTo(pages);
        assertThat(policy.accesses).as("faulting references reported again as hits").isZero();
        for (int i = 0; i < pages; i++) {
            m.access(t, a + i * 4096L, false); // hits
        }
        assertThat(policy.accesses).isEqualTo(pages);
        // fork write-protects the pages in both; once the child is gone each is the parent's alone
        SimProcess child = m.fork(p, 0);
        m.syscalls().exit(child.mm(), 0);
        long faults = m.vmstat().get("pgfault");
        for (int i = 0; i < pages; i++) {
            m.access(t, a + i * 4096L, true); // a write fault that reuses the page (no copy, no new page), then a hit
        }
        assertThat(m.vmstat().get("pgfault") - faults).isEqualTo(pages);
        assertThat(policy.accesses).as("a fault that brings no page in leaves the reference a hit").isEqualTo(2L * pages);
        assertThat(policy.size()).isEqualTo(pages);
    }

    @Test
    void eachInstance_learnsTheCapacityOfItsDomain_andItsChanges() {
        TestCatalog.capacities.clear();
        Machine m = Machine.create(TestConfig.of("machine.memory", "128M", "machine.nodes", "2",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "capacity", "swap.size", "64M",
                "vm.overcommit_memory", "1"), new TestCatalog());
        PageFrames f = m.kernel().frames;
        long node0 = f.nodeEndPfn(0) - f.nodeStartPfn(0);
        assertThat(node0).isEqualTo(128 * MIB / 4096 / 2);
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("small", 16 * MIB, Long.MAX_VALUE);
        SimProcess p = m.spawn("p", List.of(0));
        p.mm().memcg = id;
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * MIB, "rw", false, 4096);
        for (long off = 0; off < 4 * MIB; off += 4096) {
            m.access(t, a + off, true);
        }
        // the root's node-0 instance, then the small group's instance on the CPU's node: 16 MiB, not the machine
        assertThat(TestCatalog.capacities).containsExactly("0/" + node0, "0/" + (16 * MIB / 4096));
        LruDomains lru = r.lruDomains();
        lru.setMax(id, 1024);
        assertThat(TestCatalog.capacities).endsWith("=1024");
        assertThat(lru.capacity(0, id)).isEqualTo(1024);
        assertThat(lru.capacity(1, 0)).isEqualTo(f.nodeEndPfn(1) - f.nodeStartPfn(1));
    }

    @Test
    void aHugePagePolicy_writingEveryFramesBitsAndLinks_leavesTheReclaimPolicysStateAlone() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "32M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru", "policy.thp", "scribbler", "swap.size", "16M"), new TestCatalog());
        PageFrames f = m.kernel().frames;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            assertThat(f.flags(pfn) & PageFrames.PG_POLICY_MASK).as("reclaim's bits of frame %d", pfn).isZero();
        }
        // and reclaim works on its own lists: fill more than memory, so pages are evicted in LRU order
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long bytes = 40 * MIB;
        long a = m.syscalls().mmapAnon(p.mm(), 0, bytes, "rw", false, 4096);
        for (long off = 0; off < bytes; off += 4096) {
            m.access(t, a + off, true);
        }
        assertThat(m.vmstat().get("pswpout")).isPositive();
        TestCatalog.lastRecording.verifyInvariants();
    }
}
