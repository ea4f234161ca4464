package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.Task;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Memory cgroups: limits enforced by reclaim in the group's own LRU domains, and OOM kills confined to it. */
final class MemcgTest {
    private static final long MIB = 1L << 20;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "128M", "swap.size", "128M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    private static SimProcess proc(Machine m, String name, int memcg) {
        SimProcess p = m.spawn(name, List.of(0));
        p.mm().memcg = memcg;
        return p;
    }

    private static long write(Machine m, SimProcess p, long bytes, Runnable afterEach) {
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, bytes, "rw", false, 4096);
        for (long off = 0; off < bytes; off += 4096) {
            m.access(t, a + off, true);
            afterEach.run();
        }
        return a;
    }

    @Test
    void memoryMax_isNeverExceeded_theGroupSwapsItsOwnPages_andOthersKeepTheirs() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("small", 16 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess outside = proc(m, "outside", 0);
        write(m, outside, 16 * MIB, () -> { });
        SimProcess inside = proc(m, "inside", id);
        write(m, inside, 48 * MIB, () -> assertThat(cg.current).isLessThanOrEqualTo(4096));
        assertThat(cg.eventsMax).isPositive();
        assertThat(cg.pgsteal).isPositive();
        assertThat(cg.peak).isEqualTo(4096);
        assertThat(m.vmstat().get("pswpout")).isPositive();
        assertThat(inside.mm().swapEnts).isPositive();
        assertThat(outside.mm().rssAnon).isEqualTo(4096);
        assertThat(outside.mm().swapEnts).isZero();
        // the group's pages live in an instance of their own
        LruDomains lru = r.lruDomains();
        assertThat(lru.instances()).isEqualTo(2);
        assertThat(lru.ofCgroup(id).get(0).size()).isEqualTo((int) (cg.anon + cg.file));
        assertThat(lru.ofCgroup(0).get(0).size()).isEqualTo(4096);
        r.verify();
        m.kernel().allocator.verify();
    }

    @Test
    void pageCache_isChargedToTheReadersGroup_andReclaimedWithinIt() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("reader", 8 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        PageCache pc = r.pageCache();
        int f = pc.createFile("data", 32 * MIB);
        SimProcess p = proc(m, "reader", id);
        for (long i = 0; i < 8192; i++) {
            pc.read(p.mm(), 0, f, i);
            assertThat(cg.current).isLessThanOrEqualTo(2048);
        }
        // the file's leaf xarray nodes are charged to the reader's group too (every i_pages has
        // XA_FLAGS_ACCOUNT, address_space_init_once(); a radix_tree_node is 584 bytes plus the
        // 8-byte objcg pointer), one per 64 pages, and none is freed here: an evicted page leaves a
        // shadow entry in its node. The object stock hands them out of whole pages.
        long nodes = 8192 / 64;
        assertThat(cg.kmem).isEqualTo((nodes * (584 + 8) + 4095) / 4096);
        assertThat(cg.current).isEqualTo(cg.file + cg.kmem + r.lruDomains().stock().stocked(cg));
        assertThat(pc.nrFilePages()).isEqualTo(cg.file);
        // the group's reclaim counts in its own memory.stat; /proc/vmstat's pgsteal_direct only
        // counts global reclaim (shrink_inactive_list(), Linux 6.18; recorded in conformance/writeback)
        assertThat(cg.pgsteal).isPositive();
        assertThat(m.vmstat().get("pgsteal_file")).isEqualTo(cg.pgsteal);
        assertThat(m.vmstat().get("pgsteal_direct")).isZero();
        r.verify();
    }

    @Test
    void dirtyPageCache_metByTheGroupsReclaim_isMarkedPgReclaimAndActivated_thenRotatedWhenWritten() {
        // shrink_folio_list(), Linux 6.18, cgroup v1: a dirty file page is not written by a group's
        // reclaim but marked PG_reclaim (nr_vmscan_immediate_reclaim) and activated (pgactivate);
        // a batch of such pages wakes the flusher and the reclaimer is throttled until writes
        // complete; a page met under writeback is marked and activated too, and one met under
        // writeback with PG_reclaim is waited for. folio_end_writeback() rotates every marked page
        // to the inactive tail (pgrotated, lru_move_tail() clears PG_active), where the next reclaim
        // frees it: conformance/writeback/memcg-page-cache-writeback.*.json recorded pgrotated
        // following pgactivate and the active file list near empty. (The test policy here has
        // no active list; linux-2list's activation is TwoListPolicyTest's.)
        Machine m = machine("swap.size", "0");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("writer", 8 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        PageCache pc = r.pageCache();
        int f = pc.createFile("data", 32 * MIB);
        SimProcess p = proc(m, "writer", id);
        for (long i = 0; i < 8192; i++) {
            pc.write(p.mm(), 0, f, i);
            assertThat(cg.current).isLessThanOrEqualTo(2048);
        }
        long immediate = m.vmstat().get("nr_vmscan_immediate_reclaim");
        long rotated = m.vmstat().get("pgrotated");
        // every page of the group was dirty when it first reached its limit: each one reclaim met
        // was marked, and the flusher's completion rotated the marked pages still on the LRU
        assertThat(immediate).isPositive();
        assertThat(rotated).isPositive().isLessThanOrEqualTo(immediate + m.vmstat().get("nr_written"));
        assertThat(TestCatalog.lastRecording.rotated).hasSize((int) rotated);
        assertThat(cg.eventsOomKill).isZero();
        assertThat(cg.pgsteal).isGreaterThanOrEqualTo(8192 - 2048);
        assertThat(m.vmstat().get("nr_vmscan_write")).isZero(); // only kswapd could write file pages
        r.verify();
    }

    @Test
    void memoryHigh_makesTheAllocatorReclaimTheGroupBackTowardsIt() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("soft", Long.MAX_VALUE, 8 * MIB);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = proc(m, "p", id);
        write(m, p, 24 * MIB, () -> assertThat(cg.current).isLessThanOrEqualTo(2048 + 1));
        assertThat(cg.eventsHigh).isPositive();
        assertThat(cg.eventsMax).isZero();
        r.verify();
    }

    @Test
    void whenTheGroupCannotReclaim_itsOomKillerKillsInsideIt_notTheBiggerProcessOutside() {
        Machine m = machine("swap.size", "0");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("tight", 16 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess big = proc(m, "big-outside", 0);
        write(m, big, 48 * MIB, () -> { });
        SimProcess small = proc(m, "small-inside", id);
        write(m, small, 4 * MIB, () -> { });
        SimProcess grower = proc(m, "grower", id);
        assertThatThrownBy(() -> write(m, grower, 32 * MIB, () -> { }))
                .isInstanceOf(OomKilledException.class).hasMessageContaining("(grower)");
        assertThat(cg.eventsOom).isPositive();
        assertThat(cg.eventsOomKill).isEqualTo(1);
        assertThat(big.mm().exited).isFalse();
        assertThat(small.mm().exited).isFalse();
        assertThat(cg.anon).isEqualTo(1024);
        assertThat(cg.current).isEqualTo(cg.anon + cg.kmem + r.lruDomains().stock().stocked(cg));
        assertThat(m.vmstat().get("oom_kill")).isEqualTo(1);
        r.verify();
    }

    @Test
    void eachNode_isAnLruDomainWithItsOwnPolicyInstance_andKswapdOfThatNode() {
        Machine m = machine("machine.nodes", "2", "machine.memory", "256M");
        Reclaim r = Reclaim.of(m.kernel());
        SimProcess p0 = m.spawn("on-node0", List.of(0));
        SimProcess p1 = m.spawn("on-node1", List.of(1));
        write(m, p0, 8 * MIB, () -> { });
        write(m, p1, 8 * MIB, () -> { });
        LruDomains lru = r.lruDomains();
        assertThat(lru.instances()).isEqualTo(2);
        assertThat(lru.ofNode(0).get(0).size()).isEqualTo(2048);
        assertThat(lru.ofNode(1).get(0).size()).isEqualTo(2048);
        assertThat(lru.ofNode(0).get(0)).isNotSameAs(lru.ofNode(1).get(0));
        assertThat(m.daemons().runs()).containsKeys("kswapd0", "kswapd1");
        r.verify();
    }

    @Test
    void migratingAPageCachePage_movesItsSlotAndItsCharge_asTheMigrationHookPromises() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", Long.MAX_VALUE, Long.MAX_VALUE);
        PageCache pc = r.pageCache();
        int f = pc.createFile("data", 1 << 20);
        SimProcess p = proc(m, "p", id);
        pc.read(p.mm(), 0, f, 7);
        io.vmsim.core.alloc.PageFrames fr = m.kernel().frames;
        int from = pc.lookup(f, 7);
        // what a migration does: a new frame takes over the page's state, the old one is freed
        int to = m.kernel().allocator.allocPages(io.vmsim.core.alloc.Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, 0);
        m.kernel().reclaim.pageRemoved(from);
        fr.setFlags(to, fr.flags(from));
        fr.setMapping(to, fr.mapping(from));
        fr.setIndex(to, fr.index(from));
        fr.setRefcount(to, fr.refcount(from));
        m.kernel().hooks.pageMigrated(from, to);
        m.kernel().reclaim.pageAdded(to, false);
        fr.setFlags(from, 0);
        fr.setRefcount(from, 0);
        m.kernel().allocator.freePages(from, 0, 0);
        assertThat(pc.lookup(f, 7)).isEqualTo(to);
        assertThat(r.lruDomains().ownerOf(to)).isEqualTo(id);
        r.verify();
        m.kernel().allocator.verify();
    }

    @Test
    void scenarioCgroups_areCreatedJoinedAndReported() throws Exception {
        Scenario s = ScenarioParser.parse(new StringReader("""
                config:
                  machine.memory: 128M
                  swap.size: 128M
                cgroups:
                  - { name: batch, memory.max: 16M, memory.high: 12M }
                processes:
                  - name: job
                    cgroup: batch
                    vmas: [{ name: heap, size: 32M }]
                phases:
                  - { op: sequential, vma: heap, write: true }
                  - { op: fork }
                  - { op: sequential, process: job-child, vma: heap, write: true }
                """), "t.yaml", "test");
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("policy.reclaim", "exact-lru");
        cfg.put("mm.transparent_hugepage.enabled", "never");
        cfg.put("vmsim.debug_checks", "true");
        RunResult res = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        Map<String, Long> batch = res.cgroups().get("batch");
        assertThat(batch.get("memory.max")).isEqualTo(16 * MIB);
        assertThat(batch.get("memory.high")).isEqualTo(12 * MIB);
        assertThat(batch.get("memory.peak")).isLessThanOrEqualTo(16 * MIB);
        assertThat(batch.get("events.high")).isPositive();
        assertThat(batch.get("pgsteal")).isPositive();
    }

    // ---------------------------------------------------------------- huge pages are charged too

    private static final long HP = 2 * MIB;

    /**
     * vma_alloc_anon_folio_pmd(): the huge folio is charged with mem_cgroup_charge(); over
     * memory.max (and, with defrag=madvise outside MADV_HUGEPAGE, no direct reclaim allowed) the
     * charge fails, the fault falls back to a 4 KiB page and counts thp_fault_fallback and
     * thp_fault_fallback_charge. memory.current never passes memory.max.
     */
    @Test
    void thpFault_overMemoryMax_fallsBackTo4k_andCountsTheChargeFallback() {
        Machine m = machine("swap.size", "0", "mm.transparent_hugepage.enabled", "always",
                "mm.transparent_hugepage.defrag", "madvise");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("small", 3 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = proc(m, "thp", id);
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 * HP, "rw", false, HP);
        m.access(t, a, true);
        assertThat(m.vmstat().get("thp_fault_alloc")).isEqualTo(1);
        assertThat(cg.anon).isEqualTo(512); // user pages; memory.current also holds page tables and the charge stock
        m.access(t, a + HP, true);
        assertThat(m.vmstat().get("thp_fault_alloc")).isEqualTo(1);
        assertThat(m.vmstat().get("thp_fault_fallback")).isEqualTo(1);
        assertThat(m.vmstat().get("thp_fault_fallback_charge")).isEqualTo(1);
        assertThat(cg.anon).isEqualTo(512 + 1);
        assertThat(cg.current).isLessThanOrEqualTo(cg.max);
        assertThat(cg.eventsMax).isEqualTo(1);
        assertThat(cg.eventsOom).isZero();
        r.verify();
    }

    /**
     * With direct reclaim allowed (defrag=always) the charge first reclaims the group's own pages
     * (try_to_free_mem_cgroup_pages()), swapping them, and the huge page is then charged.
     */
    @Test
    void thpFault_withDirectReclaim_reclaimsTheGroupToMakeRoomForTheHugePage() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always", "mm.transparent_hugepage.defrag", "always");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("small", 640 * 4096L, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = proc(m, "thp", id);
        Task t = p.threads().get(0);
        long small = m.syscalls().mmapAnon(p.mm(), 0, MIB, "rw", false, 4096);
        m.syscalls().madvise(p.mm(), small, MIB, "nohugepage", 0);
        for (long off = 0; off < MIB; off += 4096) {
            m.access(t, small + off, true);
        }
        assertThat(cg.anon).isEqualTo(256); // user pages; memory.current also holds page tables and the charge stock
        long a = m.syscalls().mmapAnon(p.mm(), 0, HP, "rw", false, HP);
        m.access(t, a, true);
        assertThat(m.vmstat().get("thp_fault_alloc")).isEqualTo(1);
        assertThat(m.vmstat().get("thp_fault_fallback_charge")).isZero();
        assertThat(m.vmstat().get("pswpout")).isGreaterThanOrEqualTo(256 + 512 - 640);
        assertThat(cg.current).isLessThanOrEqualTo(cg.max);
        r.verify();
    }

    /**
     * khugepaged's alloc_charge_folio(): the new huge page is charged while the 512 small pages
     * are still charged, so a group without room for both cannot collapse (SCAN_CGROUP_CHARGE_FAIL):
     * the allocation counts thp_collapse_alloc, the failed charge no thp_collapse_alloc_failed.
     */
    @Test
    void collapse_withoutRoomInTheGroupForTheNewHugePage_failsTheCharge_andLeavesTheRange() {
        Machine m = machine("swap.size", "0", "mm.transparent_hugepage.enabled", "madvise");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("small", 3 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = proc(m, "collapse", id);
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, HP, "rw", false, HP);
        for (long off = 0; off < HP; off += 4096) {
            m.access(t, a + off, true);
        }
        assertThat(cg.anon).isEqualTo(512); // user pages; memory.current also holds page tables and the charge stock
        m.syscalls().madvise(p.mm(), a, HP, "collapse", 0);
        assertThat(m.vmstat().get("thp_collapse_alloc")).isEqualTo(1);
        assertThat(m.vmstat().get("thp_collapse_alloc_failed")).isZero();
        assertThat(io.vmsim.core.pgtable.Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isFalse();
        assertThat(m.meminfo().get("AnonHugePages")).isZero();
        assertThat(cg.anon).isEqualTo(512); // user pages; memory.current also holds page tables and the charge stock
        assertThat(cg.eventsMax).isEqualTo(1);
        r.verify();
    }
}
