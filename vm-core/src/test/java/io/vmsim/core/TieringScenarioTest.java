package io.vmsim.core;

import io.vmsim.api.policy.PolicyKind;
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
            return kind == PolicyKind.RECLAIM || kind == PolicyKind.NUMA ? builtIn.provider(kind, name) : rest.provider(kind, name);
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
            if (System.getenv("TIER_DEBUG") != null) {
                io.vmsim.core.vmscan.Vmscan vs = io.vmsim.core.vmscan.Reclaim.of(m.kernel()).vmscan();
                System.out.printf("  phase %s t=%.4f free0=%d free1=%d kswapd0 sleeping=%s %s%n", name, m.nanoTime() / 1e9,
                        vs.freePages(0), vs.freePages(1), vs.kswapdSleeping(0), filter(m.vmstat()));
            }
            if (name.equals(last)) {
                atLast[0] = served(na, 0);
                atLast[1] = served(na, 1);
            }
        };
        r.run(s);
        if (System.getenv("TIER_DEBUG") != null) {
            io.vmsim.core.alloc.PageFrames f = m.kernel().frames;
            Map<String, Integer> h = new java.util.TreeMap<>();
            for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
                if (f.refcount[pfn] > 0 && f.test(pfn, io.vmsim.core.alloc.PageFrames.PG_ANON)) {
                    String key = "n" + f.nodeOf(pfn) + " av" + f.mapping[pfn] + " idx/1024=" + (f.index[pfn] / 1024)
                            + (f.test(pfn, io.vmsim.core.alloc.PageFrames.PG_LRU) ? "" : " !lru");
                    h.merge(key, 1, Integer::sum);
                }
            }
            System.out.println("  resident " + h);
        }
        return new Run(served(na, 0) - atLast[0], served(na, 1) - atLast[1], m.vmstat(), m.nanoTime(), m);
    }

    private static long served(NodeAccesses na, int node) {
        return na.localAccesses(node) + na.remoteAccesses(node);
    }

    @Test
    void measure() throws Exception {
        String env = System.getenv("TIER_SET");
        String[] extra = env == null || env.isEmpty() ? new String[0] : env.split("[,=]");
        String[][] sets = System.getenv("TIER_ONLY2") != null ? new String[][] {extra} : new String[][] {{"kernel.numa_balancing", "0"}, extra};
        for (String[] o : sets) {
            long t0 = System.nanoTime();
            Run r = run(o);
            System.out.printf("%s fast=%.4f time=%.3fs wall=%.1fs %s%n", String.join("=", o), r.fastFraction(), r.nanos() / 1e9,
                    (System.nanoTime() - t0) / 1e9, filter(r.vmstat()));
        }
    }

    static Map<String, Long> filter(Map<String, Long> v) {
        Map<String, Long> out = new java.util.TreeMap<>();
        v.forEach((k, x) -> {
            if (k.startsWith("pgpromote") || k.startsWith("pgdemote") || k.startsWith("numa_") || k.startsWith("pgmigrate")
                    || k.startsWith("pgsteal") || k.startsWith("pgscan") || k.equals("pswpout") || k.equals("pageoutrun") || k.startsWith("pgactivate") || k.startsWith("pgdeactivate") || k.startsWith("pgrefill")) {
                out.put(k, x);
            }
        });
        return out;
    }
}
