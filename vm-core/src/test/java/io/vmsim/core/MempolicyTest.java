package io.vmsim.core;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.mempolicy.Mempolicy;
import io.vmsim.core.mempolicy.MempolicyException;
import io.vmsim.core.mempolicy.syscall.MempolicySyscalls;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Memory policies (mm/mempolicy.c, Linux 6.18). Expected placements are computed here from the
 * kernel's rules: {@code interleave_nid()} (node number {@code ilx mod n} of the mask),
 * {@code weighted_interleave_nid()} ({@code ilx mod sum(weights)} walked over the nodes by
 * weight), {@code interleave_nodes()} ({@code next_node_in(il_prev)}), where the interleave index
 * of a VMA page is {@code vm_pgoff + (addr - vm_start) / PAGE_SIZE} ({@code get_vma_policy()}).
 */
final class MempolicyTest {
    private static final long PAGE = 4096;

    private static Machine machine(int nodes, String... extra) {
        List<String> kv = new ArrayList<>(List.of("machine.nodes", String.valueOf(nodes), "machine.cpus", String.valueOf(nodes),
                "machine.memory", (64 * nodes) + "M", "mm.transparent_hugepage.enabled", "never",
                "vm.overcommit_memory", "1"));
        kv.addAll(List.of(extra));
        return Machine.create(TestConfig.of(kv.toArray(new String[0])), new TestCatalog());
    }

    private static int nodeOf(Machine m, Mm mm, long va) {
        long e = m.kernel().lookupLeaf(mm, va);
        assertThat(Pte.present(e)).as("page at 0x%x present", va).isTrue();
        return m.kernel().frames.nodeOf(Pte.pfn(e));
    }

    private static long stat(Machine m, String name) {
        return m.vmstat().getOrDefault(name, 0L); // numa_pages_migrated exists once NUMA balancing counts it
    }

    /** The nodes of a mask in ascending order, as for_each_node_mask() visits them. */
    private static int[] nodes(int... n) {
        return n;
    }

    /** interleave_nid() from its definition. */
    private static int interleaveNid(int[] sortedNodes, long ilx) {
        return sortedNodes[(int) Long.remainderUnsigned(ilx, sortedNodes.length)];
    }

    /** weighted_interleave_nid() from its definition: weights parallel to sortedNodes. */
    private static int weightedNid(int[] sortedNodes, int[] weights, long ilx) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        long target = Long.remainderUnsigned(ilx, total);
        for (int i = 0; ; i = (i + 1) % sortedNodes.length) {
            if (target < weights[i]) {
                return sortedNodes[i];
            }
            target -= weights[i];
        }
    }

    private static List<Long> shuffledPages(long base, int pages, long seed) {
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            order.add(base + i * PAGE);
        }
        Collections.shuffle(order, new Random(seed));
        return order;
    }

    @Test
    void vmaInterleave_placesEachPageByItsOffset_whateverTheOrderOfFaults() {
        Machine m = machine(4);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        int pages = 300;
        long a = m.syscalls().mmapAnon(p.mm(), 0, pages * PAGE, "rw", false, PAGE);
        mp.mbind(t, a, pages * PAGE, "interleave", List.of(3, 0, 1), List.of(), false);
        long interleaveBefore = stat(m, "numa_interleave");
        for (long va : shuffledPages(a, pages, 7)) {
            m.access(t, va, true);
        }
        Vma v = p.mm().findVma(a);
        for (int i = 0; i < pages; i++) {
            long ilx = v.pgoff() + i;
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).as("page %d", i).isEqualTo(interleaveNid(nodes(0, 1, 3), ilx));
        }
        // every node had room: each allocation got the node it asked for (NUMA_INTERLEAVE_HIT)
        assertThat(stat(m, "numa_interleave") - interleaveBefore).isEqualTo(pages);
    }

    @Test
    void taskInterleave_anonymousPagesByOffset_pageCacheByIlPrevRoundRobin() {
        Machine m = machine(3);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        mp.setMempolicy(t, "interleave", List.of(1, 2), List.of());
        int pages = 101;
        long a = m.syscalls().mmapAnon(p.mm(), 0, pages * PAGE, "rw", false, PAGE);
        for (long va : shuffledPages(a, pages, 3)) {
            m.access(t, va, true);
        }
        Vma v = p.mm().findVma(a);
        for (int i = 0; i < pages; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(interleaveNid(nodes(1, 2), v.pgoff() + i));
        }
        // alloc_pages() without an interleave index (kernel_alloc: GFP_KERNEL pages of the task):
        // interleave_nodes() from il_prev = MAX_NUMNODES - 1 after set_mempolicy, so 1, 2, 1, 2, ...
        mp.setMempolicy(t, "interleave", List.of(1, 2), List.of());
        Kernel k = m.kernel();
        k.currentTask = t;
        int[] expect = {1, 2};
        for (int j = 0; j < 50; j++) {
            int pfn = k.allocPagesMpol(Gfp.GFP_KERNEL, 0, t.cpu(), k.taskPolicyNode(t));
            assertThat(k.frames.nodeOf(pfn)).as("allocation %d", j).isEqualTo(expect[j % 2]);
        }
    }

    @Test
    void weightedInterleave_followsTheSysfsWeightsOverManyPages_byOffsetAndByIlWeight() {
        Machine m = machine(3, "mm.mempolicy.weighted_interleave", "3,1,2");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        int pages = 1200;
        long a = m.syscalls().mmapAnon(p.mm(), 0, pages * PAGE, "rw", false, PAGE);
        mp.mbind(t, a, pages * PAGE, "weighted-interleave", List.of(0, 2, 1), List.of(), false);
        for (long va : shuffledPages(a, pages, 11)) {
            m.access(t, va, true);
        }
        Vma v = p.mm().findVma(a);
        int[] count = new int[3];
        for (int i = 0; i < pages; i++) {
            int node = nodeOf(m, p.mm(), a + i * PAGE);
            assertThat(node).as("page %d", i).isEqualTo(weightedNid(nodes(0, 1, 2), new int[] {3, 1, 2}, v.pgoff() + i));
            count[node]++;
        }
        // 1200 pages over a weight sum of 6: exactly 600, 200, 400
        assertThat(count).containsExactly(600, 200, 400);

        // the task's weighted_interleave_nodes(): il_weight allocations on a node, then the next
        mp.setMempolicy(t, "weighted-interleave", List.of(0, 1, 2), List.of());
        Kernel k = m.kernel();
        int[] cycle = {0, 0, 0, 1, 2, 2};
        for (int j = 0; j < 60; j++) {
            int pfn = k.allocPagesMpol(Gfp.GFP_KERNEL, 0, t.cpu(), k.taskPolicyNode(t));
            assertThat(k.frames.nodeOf(pfn)).as("allocation %d", j).isEqualTo(cycle[j % cycle.length]);
        }
    }

    @Test
    void weightedInterleave_weightsOfThePolicyReplaceTheTable() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        int pages = 400;
        long a = m.syscalls().mmapAnon(p.mm(), 0, pages * PAGE, "rw", false, PAGE);
        mp.mbind(t, a, pages * PAGE, "weighted-interleave", List.of(0, 1), List.of(1, 4), false);
        for (int i = 0; i < pages; i++) {
            m.access(t, a + i * PAGE, true);
        }
        Vma v = p.mm().findVma(a);
        for (int i = 0; i < pages; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(weightedNid(nodes(0, 1), new int[] {1, 4}, v.pgoff() + i));
        }
    }

    @Test
    void bind_neverLeavesItsMask_andRunsOutOfMemoryInsideIt() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0)); // CPU 0 is on node 0
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long bytes = 96L << 20; // more than node 1's 64 MiB
        long a = m.syscalls().mmapAnon(p.mm(), 0, bytes, "rw", false, PAGE);
        mp.mbind(t, a, bytes, "bind", List.of(1), List.of(), false);
        long hit0 = stat(m, "numa_hit");
        long other0 = stat(m, "numa_other");
        long miss0 = stat(m, "numa_miss");
        int touched = 0;
        for (int i = 0; i < 1000; i++) {
            m.access(t, a + i * PAGE, true);
            touched++;
        }
        for (int i = 0; i < touched; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(1);
        }
        // each page: preferred zone is node 1's (the first of node 0's zonelist inside the mask),
        // so a hit, and remote from CPU 0: other; page tables go to node 0, local hits
        assertThat(stat(m, "numa_other") - other0).isEqualTo(touched);
        assertThat(stat(m, "numa_miss") - miss0).isZero();
        assertThat(stat(m, "numa_hit") - hit0).isGreaterThanOrEqualTo(touched);
        assertThatThrownBy(() -> {
            for (long off = 1000 * PAGE; off < bytes; off += PAGE) {
                m.access(t, a + off, true);
            }
        }).isInstanceOfAny(OomKilledException.class, WorkloadException.class);
        // node 0 kept its memory: nothing of the bound area went there
        long node0Anon = 0;
        for (int pfn = m.kernel().frames.nodeStartPfn(0); pfn < m.kernel().frames.nodeEndPfn(0); pfn++) {
            if (m.kernel().frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_ANON) && m.kernel().frames.refcount(pfn) > 0) {
                node0Anon++;
            }
        }
        assertThat(node0Anon).isZero();
    }

    @Test
    void preferred_goesToItsNode_thenFallsBackAlongTheZonelistWhenItIsFull() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        mp.setMempolicy(t, "preferred", List.of(1), List.of());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 200 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 100; i++) {
            m.access(t, a + i * PAGE, true);
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(1);
        }
        // fill node 1 down to its min watermark without reclaim (GFP_NOWAIT-like, this node only)
        Kernel k = m.kernel();
        int gfp = Gfp.__GFP_THISNODE;
        while (k.allocator.allocPages(gfp, 0, 1, 1) >= 0) {
            // held for the test
        }
        long miss0 = stat(m, "numa_miss");
        long foreign0 = stat(m, "numa_foreign");
        for (int i = 100; i < 200; i++) {
            m.access(t, a + i * PAGE, true);
            // node 1's zonelist is node 1, then node 0
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(0);
        }
        assertThat(stat(m, "numa_miss") - miss0).isGreaterThanOrEqualTo(100);
        assertThat(stat(m, "numa_foreign") - foreign0).isEqualTo(stat(m, "numa_miss") - miss0);
    }

    @Test
    void preferredMany_staysInItsNodesWhileTheyHaveRoom() {
        Machine m = machine(3);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 100 * PAGE, "rw", false, PAGE);
        mp.mbind(t, a, 100 * PAGE, "preferred-many", List.of(1, 2), List.of(), false);
        for (int i = 0; i < 100; i++) {
            m.access(t, a + i * PAGE, true);
            // CPU 0's zonelist is 0, 1, 2: the first node inside the mask is 1
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(1);
        }
    }

    @Test
    void fork_copiesTheTaskPolicyAndTheVmaPolicies() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        mp.setMempolicy(t, "bind", List.of(1), List.of());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 20 * PAGE, "rw", false, PAGE);
        long b = m.syscalls().mmapAnon(p.mm(), 0, 20 * PAGE, "rw", false, PAGE);
        mp.mbind(t, b, 20 * PAGE, "preferred", List.of(0), List.of(), false);
        SimProcess c = m.fork(p, 0);
        Task ct = c.threads().get(0);
        assertThat(ct.mempolicy.policy()).isNotNull();
        assertThat(ct.mempolicy.policy().mode()).isEqualTo(Mempolicy.MPOL_BIND);
        assertThat(c.mm().findVma(b).policy()).isNotNull();
        assertThat(c.mm().findVma(b).policy().mode()).isEqualTo(Mempolicy.MPOL_PREFERRED);
        for (int i = 0; i < 20; i++) {
            m.access(ct, a + i * PAGE, true);
            m.access(ct, b + i * PAGE, true);
            assertThat(nodeOf(m, c.mm(), a + i * PAGE)).isEqualTo(1); // the task's bind
            assertThat(nodeOf(m, c.mm(), b + i * PAGE)).isEqualTo(0); // the VMA's preferred
        }
    }

    private static int vmaCount(Mm mm) {
        int n = 0;
        for (Vma ignored : mm.vmas()) {
            n++;
        }
        return n;
    }

    @Test
    void mbind_splitsTheArea_andAMatchingMbindMergesItBack() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        m.access(t, a, true); // an anon_vma: merging then also needs the same one, which split areas share
        assertThat(vmaCount(p.mm())).isEqualTo(1);
        mp.mbind(t, a + 4 * PAGE, 4 * PAGE, "bind", List.of(1), List.of(), false);
        assertThat(vmaCount(p.mm())).isEqualTo(3);
        assertThat(p.mm().findVma(a + 4 * PAGE).start()).isEqualTo(a + 4 * PAGE);
        assertThat(p.mm().findVma(a + 4 * PAGE).end()).isEqualTo(a + 8 * PAGE);
        assertThat(p.mm().findVma(a).policy()).isNull();
        // the same policy on the neighbouring pages: mpol_equal(), so they join the middle area
        mp.mbind(t, a + 8 * PAGE, 2 * PAGE, "bind", List.of(1), List.of(), false);
        assertThat(vmaCount(p.mm())).isEqualTo(3);
        assertThat(p.mm().findVma(a + 4 * PAGE).end()).isEqualTo(a + 10 * PAGE);
        // back to the default everywhere: one area again
        mp.mbind(t, a, 16 * PAGE, "default", List.of(), List.of(), false);
        assertThat(vmaCount(p.mm())).isEqualTo(1);
        assertThat(p.mm().findVma(a).end()).isEqualTo(a + 16 * PAGE);
        // a different node mask does not merge
        mp.mbind(t, a, 4 * PAGE, "bind", List.of(0), List.of(), false);
        mp.mbind(t, a + 4 * PAGE, 4 * PAGE, "bind", List.of(1), List.of(), false);
        assertThat(vmaCount(p.mm())).isEqualTo(3);
    }

    @Test
    void errors_asLinuxReturnsThem() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        assertThat(errno(() -> mp.setMempolicy(t, "spread", List.of(0), List.of()))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.setMempolicy(t, "bind", List.of(), List.of()))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.setMempolicy(t, "interleave", List.of(), List.of()))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.setMempolicy(t, "default", List.of(0), List.of()))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.setMempolicy(t, "local", List.of(1), List.of()))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.setMempolicy(t, "bind", List.of(5), List.of()))).isEqualTo("EINVAL"); // no memory
        assertThat(errno(() -> mp.mbind(t, a + 1, PAGE, "bind", List.of(0), List.of(), false))).isEqualTo("EINVAL");
        assertThat(errno(() -> mp.mbind(t, a, 8 * PAGE, "bind", List.of(0), List.of(), false))).isEqualTo("EFAULT");
        // preferred with no nodes is local allocation (mpol_new())
        mp.setMempolicy(t, "preferred", List.of(), List.of());
        assertThat(t.mempolicy.policy().mode()).isEqualTo(Mempolicy.MPOL_LOCAL);
        // a node without memory is dropped from a mask that has others (mpol_set_nodemask())
        mp.setMempolicy(t, "bind", List.of(1, 5), List.of());
        assertThat(t.mempolicy.policy().nodes()).isEqualTo(1L << 1);
    }

    private static String errno(Runnable r) {
        try {
            r.run();
        } catch (MempolicyException e) {
            return e.errno();
        }
        return "ok";
    }

    @Test
    void migratePages_movesEveryPageOfTheSourceNodes_andCountsThem() {
        Machine m = machine(3);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 90 * PAGE, "rw", false, PAGE);
        mp.mbind(t, a, 90 * PAGE, "interleave", List.of(0, 1, 2), List.of(), false);
        for (int i = 0; i < 90; i++) {
            m.access(t, a + i * PAGE, true);
        }
        int[] before = new int[90];
        for (int i = 0; i < 90; i++) {
            before[i] = nodeOf(m, p.mm(), a + i * PAGE);
        }
        long ok0 = stat(m, "pgmigrate_success");
        long pnm0 = stat(m, "numa_pages_migrated");
        // from {0, 1} to {1, 2}: node_remap() pairs 0->1 and 1->2; 1 is a source, so 1->2 moves first
        MempolicySyscalls.Moved r = mp.migratePages(p.mm(), List.of(0, 1), List.of(1, 2), t.cpu());
        int expectMoved = 0;
        for (int i = 0; i < 90; i++) {
            int expect = before[i] == 0 ? 1 : before[i] == 1 ? 2 : 2;
            if (before[i] != 2) {
                expectMoved++;
            }
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).as("page %d", i).isEqualTo(expect);
        }
        assertThat(r.moved()).isEqualTo(expectMoved);
        assertThat(stat(m, "pgmigrate_success") - ok0).isEqualTo(expectMoved);
        assertThat(stat(m, "numa_pages_migrated") - pnm0).isZero(); // only NUMA balancing counts it
    }

    @Test
    void movePages_movesExactlyThePagesOfTheRange() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 40 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 40; i++) {
            m.access(t, a + i * PAGE, true);
        }
        long ok0 = stat(m, "pgmigrate_success");
        MempolicySyscalls.Moved r = mp.movePages(p.mm(), a + 10 * PAGE, a + 25 * PAGE, 1, t.cpu());
        assertThat(r.moved()).isEqualTo(15);
        for (int i = 0; i < 40; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(i >= 10 && i < 25 ? 1 : 0);
        }
        assertThat(stat(m, "pgmigrate_success") - ok0).isEqualTo(15);
        // a page shared with a child stays with MPOL_MF_MOVE (EACCES in its status)
        SimProcess c = m.fork(p, 0);
        MempolicySyscalls.Moved shared = mp.movePages(p.mm(), a, a + 10 * PAGE, 1, t.cpu());
        assertThat(shared.moved()).isZero();
        assertThat(shared.skipped()).isEqualTo(10);
        assertThat(c.mm()).isNotNull();
    }

    @Test
    void mbindMove_movesPagesOutsideTheNewNodes_toWhereThePolicyPlacesThem() {
        Machine m = machine(3);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 30 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 30; i++) {
            m.access(t, a + i * PAGE, true); // local: node 0
        }
        long ok0 = stat(m, "pgmigrate_success");
        MempolicySyscalls.Moved r = mp.mbind(t, a, 30 * PAGE, "interleave", List.of(1, 2), List.of(), true);
        Vma v = p.mm().findVma(a);
        for (int i = 0; i < 30; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(interleaveNid(nodes(1, 2), v.pgoff() + i));
        }
        assertThat(r.moved()).isEqualTo(30);
        assertThat(stat(m, "pgmigrate_success") - ok0).isEqualTo(30);
        // bind to node 1 with move: pages on node 2 move, pages already on node 1 stay
        long ok1 = stat(m, "pgmigrate_success");
        mp.mbind(t, a, 30 * PAGE, "bind", List.of(1), List.of(), true);
        for (int i = 0; i < 30; i++) {
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(1);
        }
        assertThat(stat(m, "pgmigrate_success") - ok1).isEqualTo(15);
    }

    @Test
    void defaultPolicy_asksTheNumaPlugin_andCountsLocalHits() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(1)); // CPU 1 is on node 1
        Task t = p.threads().get(0);
        long hit0 = stat(m, "numa_hit");
        long local0 = stat(m, "numa_local");
        long a = m.syscalls().mmapAnon(p.mm(), 0, 10 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 10; i++) {
            m.access(t, a + i * PAGE, true);
            assertThat(nodeOf(m, p.mm(), a + i * PAGE)).isEqualTo(1);
        }
        Map<String, Long> vm = m.vmstat();
        assertThat(vm.get("numa_hit") - hit0).isEqualTo(vm.get("numa_local") - local0);
        assertThat(vm.get("numa_hit") - hit0).isGreaterThanOrEqualTo(10);
        assertThat(vm.get("numa_miss")).isZero();
    }
    @Test
    void pageTablesAndPageCache_followTheTasksPolicy() {
        Machine m = machine(2);
        SimProcess p = m.spawn("p", List.of(0)); // CPU 0: node 0
        Task t = p.threads().get(0);
        Kernel k = m.kernel();
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        // pagetable_alloc() is alloc_pages(): the task's bind puts the new PTE tables on node 1
        mp.setMempolicy(t, "bind", List.of(1), List.of());
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8L << 20, "rw", false, 2L << 20);
        for (long off = 0; off < (8L << 20); off += 2L << 20) {
            m.access(t, a + off, true);
            int pte = k.walkNoAlloc(p.mm(), a + off, 1);
            assertThat(pte).isGreaterThanOrEqualTo(0);
            assertThat(k.frames.nodeOf(pte)).as("PTE table for 0x%x", a + off).isEqualTo(1);
        }
        // filemap_alloc_folio(): the reader's interleave steps il_prev, so pages in the order they
        // are added to the cache (ascending for a sequential read) alternate 0, 1, 0, ...
        mp.setMempolicy(t, "interleave", List.of(0, 1), List.of());
        io.vmsim.core.filemap.PageCache pc = io.vmsim.core.vmscan.Reclaim.of(k).pageCache();
        int file = pc.createFile("data", 256 * PAGE);
        k.currentTask = t;
        for (long i = 0; i < 256; i++) {
            pc.read(p.mm(), t.cpu(), file, i);
        }
        for (long i = 0; i < 256; i++) {
            int pfn = pc.lookup(file, i);
            assertThat(pfn).isGreaterThanOrEqualTo(0);
            assertThat(k.frames.nodeOf(pfn)).as("page %d of the file", i).isEqualTo((int) (i % 2));
        }
    }
}
