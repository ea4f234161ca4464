package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.ksm.Ksm;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.PageContents;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * KSM (issue 11) against what Linux 6.18 does: {@code max_page_sharing}'s chains of dups derived
 * from the rule in {@code mm/ksm.c}, {@code general_profit} from ksm.rst's formula, and the
 * counters Linux recorded for the same 1000 pages ({@code conformance/ksm/ksm-identical.json}).
 */
final class KsmTest {
    private static final int PAGES = 1000;
    private static final long PAGE = 4096;

    /**
     * What {@code max_page_sharing} = {@code mps} makes of {@code n} identical pages: a KSM page
     * takes at most mps mappings (stable_node_dup() picks a dup below the limit); when every dup
     * is full, two more pages must meet in the unstable tree to start another, so a lone
     * remainder page stays unshared. Returns {pages_shared, pages_sharing, pages_unshared,
     * stable_node_chains, stable_node_dups}.
     */
    static long[] chainRule(long n, long mps) {
        long full = n / mps;
        long rem = n % mps;
        long shared = full + (rem >= 2 ? 1 : 0);
        long sharing = full * (mps - 1) + (rem >= 2 ? rem - 1 : 0);
        long unshared = rem == 1 ? 1 : 0;
        return new long[] {shared, sharing, unshared, shared > 1 ? 1 : 0, shared > 1 ? shared : 0};
    }

    /** general_profit as Documentation/admin-guide/mm/ksm.rst defines it. */
    static long generalProfit(long sharing, long zeroPages, long rmapItems) {
        return (sharing + zeroPages) * PAGE - rmapItems * Ksm.RMAP_ITEM_SIZE;
    }

    private static RunResult run(String scenario, int phases, String... kv) throws Exception {
        Scenario s = ScenarioCatalog.builtin(scenario);
        if (phases < s.phases().size()) {
            s = new Scenario(s.name(), s.description(), s.source(), s.config(), s.processes(), s.phases().subList(0, phases),
                    s.files(), s.cgroups());
        }
        Map<String, String> cfg = new HashMap<>(s.config());
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        cfg.put("vmsim.debug_checks", "true");
        return Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
    }

    // ---------------------------------------------------------------- the kernel's recording

    /** The counters Linux recorded for one max_page_sharing value: after each full scan, then after one write. */
    private static List<Map<String, Long>> recorded(int mps) throws Exception {
        String json = Files.readString(Path.of("..", "conformance", "ksm", "ksm-identical.json"));
        int at = json.indexOf("\"max_page_sharing\": " + mps + ",");
        assertThat(at).as("recording for max_page_sharing %d", mps).isPositive();
        int end = json.indexOf("\"max_page_sharing\"", at + 10);
        String block = json.substring(at, end < 0 ? json.length() : end);
        List<Map<String, Long>> out = new ArrayList<>();
        Matcher obj = Pattern.compile("\\{(\"full_scans\"[^}]*)}").matcher(block);
        while (obj.find()) {
            Map<String, Long> m = new LinkedHashMap<>();
            Matcher kv = Pattern.compile("\"(\\w+)\": (-?\\d+)").matcher(obj.group(1));
            while (kv.find()) {
                m.put(kv.group(1), Long.parseLong(kv.group(2)));
            }
            out.add(m);
        }
        return out;
    }

    private static final List<String> SYSFS = List.of("pages_shared", "pages_sharing", "pages_unshared", "pages_volatile",
            "stable_node_chains", "stable_node_dups", "ksm_zero_pages", "general_profit");

    @ParameterizedTest
    @ValueSource(ints = {256, 2, 1000, 4096})
    void ksmIdentical_mergesAsTheChainRuleAndLinuxSay(int mps) throws Exception {
        RunResult r = run("ksm-identical", 2, "mm.ksm.max_page_sharing", Integer.toString(mps));
        Map<String, Long> c = r.ksm().counters();
        long[] rule = chainRule(PAGES, mps);
        assertThat(c.get("pages_shared")).isEqualTo(rule[0]);
        assertThat(c.get("pages_sharing")).isEqualTo(rule[1]);
        assertThat(c.get("pages_unshared")).isEqualTo(rule[2]);
        assertThat(c.get("stable_node_chains")).isEqualTo(rule[3]);
        assertThat(c.get("stable_node_dups")).isEqualTo(rule[4]);
        // every page of the area has an rmap_item
        assertThat(c.get("general_profit")).isEqualTo(generalProfit(rule[1], 0, PAGES));
        // AnonPages: the KSM pages only
        assertThat(r.meminfo().get("AnonPages")).isEqualTo(rule[0] * 4);
        // and Linux 6.18 on this machine, two full scans in
        Map<String, Long> linux = recorded(mps).get(1);
        for (String k : SYSFS) {
            assertThat(c.get(k)).as(k).isEqualTo(linux.get(k));
        }
    }

    @Test
    void ksmIdentical_aWriteBreaksSharing_andTheCountersFollowAtKsmdsNextVisit() throws Exception {
        RunResult before = run("ksm-identical", 2);
        RunResult after = run("ksm-identical", 4);
        Map<String, Long> b = before.ksm().counters();
        Map<String, Long> a = after.ksm().counters();
        // the written page has a copy of its own: one mapping fewer shares, one unique page unshared
        assertThat(a.get("pages_sharing")).isEqualTo(b.get("pages_sharing") - 1);
        assertThat(a.get("pages_shared")).isEqualTo(b.get("pages_shared"));
        assertThat(a.get("pages_unshared")).isEqualTo(1);
        assertThat(a.get("general_profit")).isEqualTo(generalProfit(a.get("pages_sharing"), 0, PAGES));
        assertThat(after.meminfo().get("AnonPages")).isEqualTo(before.meminfo().get("AnonPages") + 4);
        assertThat(after.counters().get("vmsim_cow_copies")).isEqualTo(before.counters().get("vmsim_cow_copies") + 1);
        List<Map<String, Long>> linux = recorded(256);
        Map<String, Long> last = linux.get(linux.size() - 1);
        for (String k : SYSFS) {
            assertThat(a.get(k)).as(k).isEqualTo(last.get(k));
        }
    }

    /**
     * The writes of a {@code parallel} phase (NUMA, issue 10) store their {@code fill} as any
     * write phase does: two threads writing the same contents to each half of a mergeable area
     * give what one thread writing all of it gives, by the chain rule.
     */
    @Test
    void aParallelPhasesWrites_storeTheirFill_andMergeAsTheChainRuleSays() throws Exception {
        String yaml = """
                name: ksm-parallel
                config:
                  machine.memory: 256M
                  machine.cpus: 2
                  policy.ksm: linux
                  mm.ksm.run: 1
                processes:
                  - name: app
                    threads: [0, 1]
                    vmas:
                      - { name: data, size: 4000K, advice: [nohugepage, mergeable] }
                phases:
                  - name: two threads fill identical pages
                    op: parallel
                    phases:
                      - { op: memset, thread: 0, vma: data, offset: 0, length: 2000K, stride: 4096, fill: "same:90" }
                      - { op: memset, thread: 1, vma: data, offset: 2000K, length: 2000K, stride: 4096, fill: "same:90" }
                  - { name: ksmd merges, op: sleep, duration_ns: 1000000000 }
                """;
        Scenario s = io.vmsim.core.scenario.ScenarioParser.parse(new java.io.StringReader(yaml), "t.yaml", "t.yaml");
        assertThat(s.phases().get(0).phases()).extracting(io.vmsim.core.scenario.PhaseSpec::fill)
                .containsExactly("same:90", "same:90");
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("vmsim.debug_checks", "true");
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        Map<String, Long> c = r.ksm().counters();
        long[] rule = chainRule(PAGES, 256);
        assertThat(c.get("pages_shared")).isEqualTo(rule[0]);
        assertThat(c.get("pages_sharing")).isEqualTo(rule[1]);
        assertThat(c.get("pages_unshared")).isEqualTo(rule[2]);
    }

    // ---------------------------------------------------------------- ksmd step by step

    /** A machine with one process of {@code n} pages filled with {@code tag}, MADV_MERGEABLE, ksmd on. */
    private static final class Rig {
        final Machine m;
        final SimProcess p;
        final Task t;
        final long base;

        Rig(int n, long tag, String... kv) {
            Map<String, String> cfg = new HashMap<>(Map.of("machine.memory", "64M", "policy.ksm", "linux", "mm.ksm.run", "1",
                    "mm.transparent_hugepage.enabled", "never", "vmsim.debug_checks", "true"));
            for (int i = 0; i < kv.length; i += 2) {
                cfg.put(kv[i], kv[i + 1]);
            }
            m = Machine.create(new TestConfig(cfg), new TestCatalog());
            p = m.spawn("app", List.of(0));
            t = p.threads().get(0);
            base = m.syscalls().mmapAnon(p.mm(), 0, n * PAGE, "rw", false, 4096);
            for (int i = 0; i < n; i++) {
                m.store(t, base + i * PAGE, tag);
            }
            m.syscalls().madvise(p.mm(), base, n * PAGE, "mergeable", 0);
        }

        /** Lets simulated time pass in 1 ms steps until {@code scans} full scans have ended. */
        void untilFullScans(long scans) {
            for (int i = 0; i < 100_000 && m.ksm().stats().fullScans() < scans; i++) {
                m.kernel().clock.advance(1_000_000_000L);
                m.tick();
            }
            assertThat(m.ksm().stats().fullScans()).isGreaterThanOrEqualTo(scans);
        }
    }

    @Test
    void identicalPages_mergeInTheSecondFullScan_theFirstOnlyTakesChecksums() {
        Rig r = new Rig(PAGES, 0x5a5a);
        r.untilFullScans(1);
        Ksm.Stats first = r.m.ksm().stats();
        // cmp_and_merge_page(): a page enters the unstable tree only if its checksum did not change
        // since the last scan; a new rmap_item's old checksum is 0, so the first scan merges nothing
        assertThat(first.pagesShared() + first.pagesSharing()).isZero();
        assertThat(first.pagesVolatile()).isEqualTo(PAGES);
        assertThat(first.generalProfit()).isEqualTo(generalProfit(0, 0, PAGES));
        r.untilFullScans(2);
        Ksm.Stats second = r.m.ksm().stats();
        long[] rule = chainRule(PAGES, 256);
        assertThat(second.pagesShared()).isEqualTo(rule[0]);
        assertThat(second.pagesSharing()).isEqualTo(rule[1]);
        // a full scan of 1000 pages at 100 per 20 ms wake-up: 10 batches, the wrap found in the 11th
        long scanNs = second.fullScanEndNs().get(1) - second.fullScanEndNs().get(0);
        assertThat(scanNs).isEqualTo((PAGES / 100 + 1) * 20_000_000L);
        r.untilFullScans(4);
        assertThat(r.m.ksm().stats().pagesSharing()).isEqualTo(rule[1]); // converged
        r.m.debugChecks().check("converged");
    }

    @Test
    void aMergedPage_readsTheSameContents_andAWriteGetsItsOwnCopy() {
        Rig r = new Rig(4, 77);
        r.untilFullScans(2);
        Kernel k = r.m.kernel();
        int kpfn = Pte.pfn(k.lookupLeaf(r.p.mm(), r.base));
        assertThat(k.frames.test(kpfn, PageFrames.PG_KSM)).isTrue();
        assertThat(k.frames.mapcount(kpfn)).isEqualTo(4);
        assertThat(Pte.writable(k.lookupLeaf(r.p.mm(), r.base + PAGE))).isFalse(); // write-protected
        for (int i = 0; i < 4; i++) {
            assertThat(r.m.load(r.t, r.base + i * PAGE)).isEqualTo(77);
        }
        r.m.store(r.t, r.base + 2 * PAGE, 78);
        assertThat(r.m.load(r.t, r.base + 2 * PAGE)).isEqualTo(78);
        assertThat(r.m.load(r.t, r.base + 3 * PAGE)).isEqualTo(77);
        assertThat(k.frames.mapcount(kpfn)).isEqualTo(3);
        assertThat(Pte.pfn(k.lookupLeaf(r.p.mm(), r.base + 2 * PAGE))).isNotEqualTo(kpfn);
        r.m.debugChecks().check("after the write");
    }

    @Test
    void madviseUnmergeable_breaksEveryKsmPageOfTheRange() {
        Rig r = new Rig(8, 5);
        r.untilFullScans(2);
        assertThat(r.m.ksm().stats().pagesSharing()).isEqualTo(7);
        long anon = r.m.kernel().nrAnonPages;
        r.m.syscalls().madvise(r.p.mm(), r.base, 8 * PAGE, "unmergeable", 0);
        assertThat(r.m.kernel().nrAnonPages).isEqualTo(anon + 7); // eight copies, the KSM page freed
        for (int i = 0; i < 8; i++) {
            int pfn = Pte.pfn(r.m.kernel().lookupLeaf(r.p.mm(), r.base + i * PAGE));
            assertThat(r.m.kernel().frames.test(pfn, PageFrames.PG_KSM)).isFalse();
            assertThat(r.m.load(r.t, r.base + i * PAGE)).isEqualTo(5);
        }
        r.untilFullScans(4);
        Ksm.Stats s = r.m.ksm().stats();
        assertThat(s.pagesShared() + s.pagesSharing()).isZero();
        assertThat(s.rmapItems()).isZero(); // ksmd passed the area, no longer mergeable, and dropped them
        r.m.debugChecks().check("unmerged");
    }

    @Test
    void useZeroPages_mapsEmptyPagesToTheZeroPage_andAWriteGivesThemBack() {
        Rig r = new Rig(16, PageContents.ZERO, "mm.ksm.use_zero_pages", "true");
        long rss = r.p.mm().rssAnon;
        r.untilFullScans(2);
        Ksm.Stats s = r.m.ksm().stats();
        assertThat(s.ksmZeroPages()).isEqualTo(16);
        assertThat(s.pagesShared() + s.pagesSharing()).isZero();
        assertThat(r.p.mm().rssAnon).isEqualTo(rss - 16);
        assertThat(r.m.load(r.t, r.base)).isEqualTo(PageContents.ZERO);
        r.m.store(r.t, r.base, 9);
        assertThat(r.m.ksm().stats().ksmZeroPages()).isEqualTo(15);
        r.m.syscalls().munmap(r.p.mm(), r.base + PAGE, 15 * PAGE, 0);
        assertThat(r.m.ksm().stats().ksmZeroPages()).isZero();
        r.m.debugChecks().check("zero pages");
    }

    @Test
    void prctlMemoryMerge_makesEveryPrivateAreaMergeable_andItsChildInheritsIt() {
        Map<String, String> cfg = Map.of("machine.memory", "64M", "policy.ksm", "linux", "mm.ksm.run", "1",
                "mm.transparent_hugepage.enabled", "never", "vmsim.debug_checks", "true");
        Machine m = Machine.create(new TestConfig(cfg), new TestCatalog());
        SimProcess p = m.spawn("app", List.of(0));
        Task t = p.threads().get(0);
        long base = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, 4096);
        for (int i = 0; i < 16; i++) {
            m.store(t, base + i * PAGE, 3);
        }
        m.ksm().prctlMemoryMerge(p.mm(), true, 0);
        SimProcess child = m.fork(p, 0);
        assertThat(m.ksm().memoryMerge(child.mm())).isTrue();
        for (int i = 0; i < 100 && m.ksm().stats().fullScans() < 3; i++) {
            m.kernel().clock.advance(1_000_000_000L);
            m.tick();
        }
        // 16 pages of one content in the parent, mapped by the child too: one KSM page; each
        // mapping has an rmap_item once ksmd visited both mms (a fork child's may pass max_page_sharing)
        assertThat(m.ksm().stats().pagesShared()).isEqualTo(1);
        assertThat(m.ksm().stats().pagesSharing()).isEqualTo(31);
        m.ksm().prctlMemoryMerge(p.mm(), false, 0);
        int pfn = Pte.pfn(m.kernel().lookupLeaf(p.mm(), base));
        assertThat(m.kernel().frames.test(pfn, PageFrames.PG_KSM)).isFalse();
        m.debugChecks().check("prctl");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mergeAcrossNodes0_keepsATreePerNode_soEachNodeGetsItsOwnKsmPage(boolean across) {
        Map<String, String> cfg = Map.of("machine.memory", "64M", "machine.nodes", "2", "machine.cpus", "2",
                "policy.ksm", "linux", "mm.ksm.run", "1", "mm.ksm.merge_across_nodes", Boolean.toString(across),
                "mm.transparent_hugepage.enabled", "never", "vmsim.debug_checks", "true");
        Machine m = Machine.create(new TestConfig(cfg), new TestCatalog());
        for (int cpu = 0; cpu < 2; cpu++) {
            SimProcess p = m.spawn("p" + cpu, List.of(cpu));
            long base = m.syscalls().mmapAnon(p.mm(), 0, 8 * PAGE, "rw", false, 4096);
            for (int i = 0; i < 8; i++) {
                m.store(p.threads().get(0), base + i * PAGE, 42);
            }
            assertThat(m.kernel().frames.nodeOf(Pte.pfn(m.kernel().lookupLeaf(p.mm(), base)))).isEqualTo(cpu);
            m.syscalls().madvise(p.mm(), base, 8 * PAGE, "mergeable", cpu);
        }
        for (int i = 0; i < 1000 && m.ksm().stats().fullScans() < 3; i++) {
            m.kernel().clock.advance(1_000_000_000L);
            m.tick();
        }
        // 16 equal pages, 8 on each node: one KSM page for all, or one per node's tree
        long kpages = across ? 1 : 2;
        assertThat(m.ksm().stats().pagesShared()).isEqualTo(kpages);
        assertThat(m.ksm().stats().pagesSharing()).isEqualTo(16 - kpages);
        m.debugChecks().check("merged");
    }

    @Test
    void thePolicy_hearsOfKsmPagesToo_soItSeesEveryContentsChecksum() {
        Rig r = new Rig(8, 5, "policy.ksm", "counting");
        r.untilFullScans(3);
        // scan 3 visits one KSM page through 8 mappings: a policy that ranks contents by how
        // often it met them (hash-hint) must see them, or it would skip their new copies
        assertThat(TestCatalog.lastDedup.ksmChecksums).containsExactly(PageContents.checksum(5));
        assertThat(TestCatalog.lastDedup.offered).isGreaterThanOrEqualTo(3 * 8);
    }

    // ---------------------------------------------------------------- the other scenarios

    @Test
    void ksmVolatile_pagesRewrittenFasterThanAFullScan_areNeverMerged() throws Exception {
        RunResult r = run("ksm-volatile", Integer.MAX_VALUE);
        Map<String, Long> c = r.ksm().counters();
        long[] steady = chainRule(500, 256);
        assertThat(c.get("pages_shared")).isEqualTo(steady[0]);
        assertThat(c.get("pages_sharing")).isEqualTo(steady[1]);
        assertThat(c.get("pages_volatile")).isEqualTo(500);
        assertThat(c.get("full_scans")).isGreaterThanOrEqualTo(3);
        assertThat(r.meminfo().get("AnonPages")).isEqualTo((steady[0] + 500) * 4);
    }

    /**
     * Memory KSM saves on the guests: G guests of P pages, a fraction s of them one shared image
     * (page i equal in every guest), z zero pages, the rest private. Each image page keeps one copy
     * of G; the G x zP zero pages keep ceil(G zP / max_page_sharing) KSM pages, or none with
     * use_zero_pages (they map the zero page).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ksmVms_savesWhatTheSharedAndZeroFractionsAllow(boolean useZeroPages) throws Exception {
        RunResult r = run("ksm-vms", Integer.MAX_VALUE, "mm.ksm.use_zero_pages", Boolean.toString(useZeroPages));
        long g = 4;
        long p = (8L << 20) / PAGE;
        long image = p / 2;
        long zero = p / 4;
        long mps = 256;
        long savedImage = (g - 1) * image;
        long savedZero = useZeroPages ? g * zero : g * zero - (g * zero + mps - 1) / mps;
        Map<String, Long> c = r.ksm().counters();
        assertThat(c.get("pages_sharing") + c.get("ksm_zero_pages")).isEqualTo(savedImage + savedZero);
        assertThat(c.get("ksm_zero_pages")).isEqualTo(useZeroPages ? g * zero : 0);
        assertThat(r.meminfo().get("AnonPages")).isEqualTo((g * p - savedImage - savedZero) * 4);
    }

    @Test
    void ksmRun0_leavesTheResultWithoutKsm() throws Exception {
        RunResult r = run("ksm-identical", 2, "mm.ksm.run", "0");
        assertThat(r.ksm()).isNull();
        assertThat(r.meminfo().get("AnonPages")).isEqualTo(PAGES * 4);
    }
}
