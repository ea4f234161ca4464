package io.vmsim.core;

import io.vmsim.core.conformance.ConformanceRunner;
import io.vmsim.core.conformance.ProbeReads;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the conformance probe's own reads leave charged to its group, against
 * conformance/kmem/observe-reads.json (Linux 6.18.44, recorded by conformance/kmem/observe-reads.c):
 * a child pinned to one CPU joins a group, maps 4 MiB and writes each page, then makes the reads
 * of the harness's observe() twice, the parent reading the group's kernel memory after each; and,
 * in another run, 37 first lookups in {@code /proc/self} and the same again. vmsim replays the
 * same steps through {@link ProbeReads} (as the conformance runner does) and must leave the same
 * whole pages after each step: the dentries and inodes of first lookups stay in the dcache, the
 * reads' own objects go back to the CPU's object stock.
 */
final class MemcgProbeReadsTest {
    private static Map<String, Object> recorded;

    @BeforeAll
    static void load() throws IOException {
        recorded = Recordings.load("conformance/kmem/observe-reads.json");
    }

    /** A child in a group of its own (the forking probe in another, as on the recording machine) that wrote 4 MiB. */
    private record Child(Machine m, Task task, MemCgroup cg, ProbeReads reads) {
    }

    private static Child child() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"), new TestCatalog());
        Reclaim r = Reclaim.of(m.kernel());
        SimProcess parent = m.spawn("probe", List.of(0));
        parent.mm().memcg = r.createCgroup(ConformanceRunner.PROBE_CGROUP, Long.MAX_VALUE, Long.MAX_VALUE);
        int id = r.createCgroup("observe-reads", 256L << 20, Long.MAX_VALUE);
        SimProcess child = m.fork(parent, 0);
        child.mm().memcg = id;
        Task t = child.threads().get(0);
        long a = m.syscalls().mmapAnon(child.mm(), 0, 4L << 20, "rw", false, 4096);
        for (long p = 0; p < 4L << 20; p += 4096) {
            m.access(t, a + p, true);
        }
        return new Child(m, t, r.lruDomains().cgroup(id), new ProbeReads(m.kernel()));
    }

    /** The probe's steps after the write, in its order and with its names: observe()'s reads, twice. */
    private static List<Long> vmsimDeltas() {
        Child c = child();
        List<Long> deltas = new ArrayList<>();
        long[] last = {c.cg().kmem};
        Runnable step = () -> {
            deltas.add((c.cg().kmem - last[0]) * 4096);
            last[0] = c.cg().kmem;
        };
        for (int pass = 0; pass < 2; pass++) {
            c.reads().procFile(c.task(), "child", "maps");
            step.run();
            c.reads().procFile(c.task(), "child", "smaps_rollup");
            step.run();
            c.reads().procFile(c.task(), "child", "smaps");
            step.run();
            int[] open = c.reads().openPagemap(c.task(), "child");
            step.run();
            c.reads().close(c.task(), open);
            step.run();
            for (String f : List.of("memory.usage_in_bytes", "memory.max_usage_in_bytes", "memory.failcnt", "memory.oom_control")) {
                c.reads().groupFile(c.task(), f, () -> { });
                step.run();
            }
        }
        c.m().debugChecks().check("after the reads");
        return deltas;
    }

    /** Per step after the write, the delta most of the recorded runs show (ties: the earlier run's). */
    @SuppressWarnings("unchecked")
    private static List<Long> linuxDeltas() {
        List<Object> runs = (List<Object>) recorded.get("observe_reads");
        List<List<Long>> byRun = new ArrayList<>();
        for (Object run : runs) {
            List<Long> d = new ArrayList<>();
            for (Object s : (List<Object>) ((Map<String, Object>) run).get("steps")) {
                d.add(((Number) ((Map<String, Object>) s).get("delta")).longValue());
            }
            byRun.add(d.subList(1, d.size())); // the first step is the write itself
        }
        List<Long> mode = new ArrayList<>();
        for (int i = 0; i < byRun.get(0).size(); i++) {
            Map<Long, Integer> count = new HashMap<>();
            for (List<Long> d : byRun) {
                count.merge(d.get(i), 1, Integer::sum);
            }
            mode.add(count.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey());
        }
        return mode;
    }

    @Test
    void observesReads_leaveTheDentriesAndInodesOfTheirFirstLookups_stepByStep_asLinux() {
        List<Long> linux = linuxDeltas();
        assertThat(linux.stream().mapToLong(Long::longValue).sum()).as("Linux: two pages in all").isEqualTo(8192);
        assertThat(vmsimDeltas()).isEqualTo(linux);
    }

    @Test
    @SuppressWarnings("unchecked")
    void firstLookupsInProcSelf_chargeADentryAndAProcInodeEach_andOpeningThemAgainNothing() {
        Map<String, Object> run = (Map<String, Object>) ((List<Object>) recorded.get("lookups")).get(0);
        int entries = ((Number) run.get("entries")).intValue();
        Child c = child();
        long before = c.cg().kmem;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < entries; i++) {
                c.reads().lookup(c.task(), "/proc/child", AccountedSlabs.PROC_INODE);
                c.reads().lookup(c.task(), "/proc/child/entry" + i, AccountedSlabs.PROC_INODE);
            }
            long delta = (c.cg().kmem - before) * 4096;
            before = c.cg().kmem;
            assertThat(delta).as("pass %d", pass + 1)
                    .isEqualTo(((Number) run.get(pass == 0 ? "first_lookups_delta" : "again_delta")).longValue());
        }
    }
}
