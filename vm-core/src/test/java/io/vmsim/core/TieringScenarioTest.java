package io.vmsim.core;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.topology.NodeAccesses;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in {@code tiering} scenario (issue 10) with the real {@code linux-2list} reclaim policy
 * and the NUMA policies of policies-numa: the fraction of references the fast node serves once
 * converged, with memory tiering on and off, and the promotion and demotion counters.
 */
final class TieringScenarioTest {
    /** Built-in reclaim and NUMA policies (the real ones), the test catalogue's for the other kinds. */
    static final class Catalog implements PolicyCatalog {
        private final PolicyRegistry builtIn = PolicyRegistry.builtIn();
        private final TestCatalog rest = new TestCatalog();

        @Override
        public PolicyProvider provider(PolicyKind kind, String name) {
            if (kind != PolicyKind.RECLAIM && kind != PolicyKind.NUMA) {
                return rest.provider(kind, name);
            }
            PolicyProvider p = builtIn.provider(kind, name);
            return p == null || p.configKeys().isEmpty() ? p : withDefaults(p);
        }

        /** The provider with its declared keys at their defaults (the test configuration has no policy settings). */
        private static PolicyProvider withDefaults(PolicyProvider p) {
            io.vmsim.api.config.Settings defaults = (io.vmsim.api.config.Settings) java.lang.reflect.Proxy.newProxyInstance(
                    TieringScenarioTest.class.getClassLoader(), new Class<?>[] {io.vmsim.api.config.Settings.class}, (x, m, a) -> {
                        for (io.vmsim.api.config.ConfigKey k : p.configKeys()) {
                            if (a != null && k.name().equals(a[0])) {
                                return switch (m.getName()) {
                                    case "getLong" -> Long.parseLong(k.defaultValue());
                                    case "getDouble" -> Double.parseDouble(k.defaultValue());
                                    case "getBoolean" -> Boolean.parseBoolean(k.defaultValue());
                                    default -> k.defaultValue();
                                };
                            }
                        }
                        throw new IllegalArgumentException(m.getName() + " " + java.util.Arrays.toString(a));
                    });
            return (PolicyProvider) java.lang.reflect.Proxy.newProxyInstance(TieringScenarioTest.class.getClassLoader(),
                    new Class<?>[] {PolicyProvider.class}, (x, m, a) -> {
                        if (m.getName().equals("create")) {
                            io.vmsim.api.policy.PolicyContext ctx = (io.vmsim.api.policy.PolicyContext) a[0];
                            a = new Object[] {java.lang.reflect.Proxy.newProxyInstance(TieringScenarioTest.class.getClassLoader(),
                                    new Class<?>[] {io.vmsim.api.policy.PolicyContext.class},
                                    (y, cm, ca) -> cm.getName().equals("settings") ? defaults : cm.invoke(ctx, ca))};
                        }
                        return m.invoke(p, a);
                    });
        }

        @Override
        public String origin(PolicyProvider provider) {
            return "test";
        }

        @Override
        public List<PolicyProvider> all() {
            return rest.all();
        }
    }

    /** What a run measured: references served by the fast node (0) and by the slow node (1) in the last phase. */
    record Run(long lastFast, long lastSlow, Map<String, Long> vmstat, long nanos, Machine m) {
        double fastFraction() {
            return (double) lastFast / (lastFast + lastSlow);
        }
    }

    static Run run(String... overrides) throws Exception {
        Scenario s = ScenarioCatalog.builtin("tiering");
        Map<String, String> cfg = new HashMap<>(s.config());
        for (int i = 0; i < overrides.length; i += 2) {
            cfg.put(overrides[i], overrides[i + 1]);
        }
        if (!cfg.get("kernel.numa_balancing").equals("0")) {
            cfg.putIfAbsent("policy.numa", "linux");
        }
        Machine m = Machine.create(new TestConfig(cfg), new Catalog());
        ScenarioRunner r = new ScenarioRunner(m, Progress.NONE, 42);
        NodeAccesses na = m.nodeAccesses();
        long[] atLast = new long[2];
        String last = s.phases().get(s.phases().size() - 1).name();
        r.phaseStarted = name -> {
            if (name.equals(last)) {
                atLast[0] = served(na, 0);
                atLast[1] = served(na, 1);
            }
        };
        r.run(s);
        return new Run(served(na, 0) - atLast[0], served(na, 1) - atLast[1], m.vmstat(), m.nanoTime(), m);
    }

    private static long served(NodeAccesses na, int node) {
        return na.localAccesses(node) + na.remoteAccesses(node);
    }

    /** Frames of a node of {@code mib} MiB. */
    private static long frames(long mib) {
        return mib << (20 - 12);
    }

    @Test
    void tiering_mode2_servesTheHotSetFromTheFastNode_mode0_fromTheSlowOne() throws Exception {
        Run on = run();
        Run off = run("kernel.numa_balancing", "0");
        assertThat(on.fastFraction()).as("fast-tier fraction once converged, kernel.numa_balancing=2").isGreaterThanOrEqualTo(0.9);
        // without tiering the Zipf buffer stays where first touch put it: the cold buffer left the
        // fast node below its low watermark, and the allocator's fast path fell back to node 1
        // (get_page_from_freelist() wakes no kswapd), so no Zipf reference is served by node 0
        assertThat(off.fastFraction()).isZero();
        assertThat(on.vmstat().get("pgpromote_success")).isPositive();
        assertThat(on.vmstat().get("pgdemote_kswapd")).isPositive();
        assertThat(on.vmstat().get("pgpromote_success")).isLessThanOrEqualTo(on.vmstat().get("pgpromote_candidate"));
        // pgdat_free_space_enough() needs max(1 GiB, node/16) free above the promo watermark: never on 16 MiB
        assertThat(on.vmstat().get("pgpromote_candidate_nrl")).isZero();
        assertThat(off.vmstat().get("pgpromote_candidate")).isZero();
        assertThat(on.nanos()).as("the hot set served at DRAM latency").isLessThan(off.nanos());
    }

    @Test
    void promotionRateLimit_holds() throws Exception {
        long mbps = 4;
        Run r = run("kernel.numa_balancing_promote_rate_limit_MBps", Long.toString(mbps));
        long limitPages = mbps << (20 - 12); // MB_TO_PAGES()
        // numa_promotion_rate_limit(): at most limitPages candidates pass per window, and a window
        // lasts more than a second, so over T ms at most floor(T / 1000) + 1 windows
        long windows = r.nanos() / 1_000_000_000L + 1;
        long promoted = r.vmstat().get("pgpromote_success");
        assertThat(promoted).isPositive().isLessThanOrEqualTo(limitPages * windows);
        assertThat(r.vmstat().get("pgpromote_candidate")).as("the limit refused candidates").isGreaterThan(limitPages * windows);
    }

    @Test
    void demotion_movesVictimsToTheSlowNode_andFallsBackToSwapWhenItIsFull() {
        Machine m = Machine.create(TestConfig.of(CoreKeys.MEMORY, "24M", CoreKeys.NODES, "2", CoreKeys.CPUS, "2",
                CoreKeys.NUMA_NODE_MEMORY, "16M,8M", CoreKeys.NUMA_CPUS, "0-1;", CoreKeys.THP_ENABLED, "never",
                CoreKeys.SWAP_SIZE, "64M", CoreKeys.NUMA_DEMOTION_ENABLED, "true"), new Catalog());
        io.vmsim.core.vmscan.Vmscan vmscan = io.vmsim.core.vmscan.Reclaim.of(m.kernel()).vmscan();
        SimProcess p = m.spawn("t", List.of(0));
        io.vmsim.core.mm.Task t = p.threads().get(0);
        long size = 32L << 20;
        long base = m.syscalls().mmapAnon(p.mm(), 0, size, "rw", false, 4096);
        // 8 MiB on node 0, node 1 empty: a reclaim round of node 0 demotes every victim
        long off = 0;
        for (; off < (8L << 20); off += 4096) {
            m.access(t, base + off, true);
        }
        long got = vmscan.directReclaim(io.vmsim.core.alloc.Gfp.GFP_KERNEL, 0, 0);
        // shrink_lruvec() finishes every batch it scanned and checks nr_to_reclaim only between
        // rounds, so a round frees at least SWAP_CLUSTER_MAX and may free a few more
        assertThat(got).isGreaterThanOrEqualTo(io.vmsim.core.vmscan.Vmscan.SWAP_CLUSTER_MAX);
        assertThat(m.vmstat().get("pgdemote_direct")).isEqualTo(got);
        assertThat(m.vmstat().get("pswpout")).isZero();
        assertThat(vmscan.freePages(1)).isLessThan(frames(8));
        // write on until an allocation needs direct reclaim: both nodes are then at their min watermarks
        long stalls = m.vmstat().get("allocstall"); // the call above counted one
        while (m.vmstat().get("allocstall") == stalls && off < size) {
            m.access(t, base + off, true);
            off += 4096;
        }
        assertThat(m.vmstat().get("allocstall")).isEqualTo(stalls + 1);
        // that round found node 1 at its min watermark too: alloc_demote_folio(), which does not
        // reclaim, failed for every victim, and all were swapped instead
        assertThat(m.vmstat().get("pgdemote_direct")).as("no demotion in the second round").isEqualTo(got);
        long second = m.vmstat().get("pgsteal_direct") - got;
        assertThat(second).isGreaterThanOrEqualTo(io.vmsim.core.vmscan.Vmscan.SWAP_CLUSTER_MAX);
        assertThat(m.vmstat().get("pswpout")).as("every victim of the second round swapped").isEqualTo(second);
        long touched = off >> 12;
        assertThat(p.mm().rssAnon + p.mm().swapEnts).as("every page resident or in swap").isEqualTo(touched);
    }

    @Test
    void tieringPolicies_runTheScenario() throws Exception {
        for (String policy : new String[] {"tpp", "memtis"}) {
            Run r = run("policy.numa", policy);
            assertThat(r.vmstat().get("pgpromote_success")).as(policy).isPositive();
            assertThat(r.fastFraction()).as(policy).isGreaterThan(0.5);
            new io.vmsim.core.debug.InvariantChecker(r.m().kernel(), r.m().policies().all(), 0).check("end of " + policy);
        }
    }

}
