package io.vmsim.core;

import io.vmsim.api.machine.Topology;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.mm.Task;
import io.vmsim.core.topology.NumaTopology;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code machine.numa.*} keys: node sizes, CPU lists, memory-only nodes, the SLIT, and their errors. */
final class NumaTopologyTest {
    private static final long MIB = 1L << 20;

    private static Machine machine(String... kv) {
        return Machine.create(TestConfig.of(kv), new TestCatalog());
    }

    /** The topology as policies see it. */
    private static Topology view(Machine m) {
        return new CoreMachineView(m.kernel().frames, m.kernel().topology, m.kernel().clock, java.util.Map::of,
                m.kernel().allocator::freePagesOfNode).topology();
    }

    /** Anonymous pages of each node, counted frame by frame. */
    private static long[] anonPagesByNode(Machine m) {
        PageFrames f = m.kernel().frames;
        long[] out = new long[f.nrNodes()];
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if ((f.flags(pfn) & PageFrames.PG_ANON) != 0 && !f.isFree(pfn)) {
                out[f.nodeOf(pfn)]++;
            }
        }
        return out;
    }

    @Test
    void nodeMemory_givesEachNodeItsSize_andTheSizesSumToTheMachine() {
        Machine m = machine(CoreKeys.MEMORY, "128M", CoreKeys.NODES, "3", CoreKeys.CPUS, "3",
                CoreKeys.NUMA_NODE_MEMORY, "16M,32M,80M");
        PageFrames f = m.kernel().frames;
        long[] expected = {16 * MIB >> 12, 32 * MIB >> 12, 80 * MIB >> 12};
        long sum = 0;
        for (int n = 0; n < 3; n++) {
            assertThat(f.nodeEndPfn(n) - f.nodeStartPfn(n)).isEqualTo(expected[n]);
            assertThat(view(m).nodeFrames(n)).isEqualTo((int) expected[n]);
            sum += f.nodeEndPfn(n) - f.nodeStartPfn(n);
        }
        assertThat(sum).isEqualTo(f.nrFrames()).isEqualTo(128 * MIB >> 12);
        // every zone lies in one node, and the zones of a node cover it
        long zoneFrames = 0;
        for (io.vmsim.core.alloc.Zone z : m.kernel().allocator.zones()) {
            assertThat(z.startPfn()).isGreaterThanOrEqualTo(f.nodeStartPfn(z.node()));
            zoneFrames += z.managedPages();
        }
        assertThat(zoneFrames).isLessThanOrEqualTo(sum);
    }

    @Test
    void memoryOnlyNode_hasNoCpus_andIsUsedOnlyWhenTheCpuNodeIsFull() {
        Machine m = machine(CoreKeys.MEMORY, "128M", CoreKeys.NODES, "2", CoreKeys.CPUS, "2",
                CoreKeys.NUMA_NODE_MEMORY, "64M,64M", CoreKeys.NUMA_CPUS, "0-1;",
                CoreKeys.THP_ENABLED, "never");
        Topology t = view(m);
        assertThat(t.hasCpus(0)).isTrue();
        assertThat(t.hasCpus(1)).isFalse();
        assertThat(t.cpusOfNode(0)).containsExactly(0, 1);
        assertThat(t.cpusOfNode(1)).isEmpty();
        assertThat(t.nodeOfCpu(0)).isZero();
        assertThat(t.nodeOfCpu(1)).isZero();
        assertThat(m.kernel().nodeOfCpu(1)).isZero();
        assertThat(t.memoryTier(0)).isZero();
        assertThat(t.memoryTier(1)).as("slower memory-only node: a lower tier").isEqualTo(1);

        SimProcess p = m.spawn("t", List.of(0, 1));
        long len = 96 * MIB;
        long start = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, 0);
        // 32 MiB from each CPU: fits node 0
        for (long off = 0; off < 32 * MIB; off += 4096) {
            Task task = p.threads().get((int) (off / (16 * MIB)) & 1);
            m.access(task, start + off, true);
        }
        long[] early = anonPagesByNode(m);
        assertThat(early[0]).isEqualTo(32 * MIB >> 12);
        assertThat(early[1]).as("no CPU is on node 1: nothing is placed there while node 0 has room").isZero();
        // 96 MiB cannot fit node 0's 64 MiB: the rest falls back to node 1
        for (long off = 32 * MIB; off < len; off += 4096) {
            m.access(p.threads().get(0), start + off, true);
        }
        long[] late = anonPagesByNode(m);
        assertThat(late[0] + late[1]).isEqualTo(len >> 12);
        assertThat(late[1]).isGreaterThanOrEqualTo((len - 64 * MIB) >> 12);
        // zone_statistics(): every allocation preferred node 0 from a CPU of node 0, so each one
        // that landed on node 1 is a miss, foreign to node 0, and not local
        java.util.Map<String, Long> v = m.vmstat();
        assertThat(v.get("numa_miss")).isEqualTo(v.get("numa_foreign")).isEqualTo(v.get("numa_other"))
                .isGreaterThanOrEqualTo(late[1]);
        assertThat(v.get("numa_hit")).isEqualTo(v.get("numa_local")).isGreaterThanOrEqualTo(late[0]);
    }

    @Test
    void cpus_mapEachCpuToItsListedNode() {
        Machine m = machine(CoreKeys.MEMORY, "96M", CoreKeys.NODES, "3", CoreKeys.CPUS, "5",
                CoreKeys.NUMA_CPUS, "1,3;0,2-2;4");
        Topology t = view(m);
        int[] expected = {1, 0, 1, 0, 2};
        for (int cpu = 0; cpu < 5; cpu++) {
            assertThat(t.nodeOfCpu(cpu)).isEqualTo(expected[cpu]);
            assertThat(m.kernel().nodeOfCpu(cpu)).isEqualTo(expected[cpu]);
        }
        assertThat(t.cpusOfNode(0)).containsExactly(1, 3);
        assertThat(t.cpusOfNode(1)).containsExactly(0, 2);
    }

    @Test
    void defaults_splitMemoryAndCpusEvenly_withDistances10And20() {
        Machine m = machine(CoreKeys.MEMORY, "64M", CoreKeys.NODES, "2", CoreKeys.CPUS, "4");
        Topology t = view(m);
        assertThat(t.nodeFrames(0)).isEqualTo(t.nodeFrames(1)).isEqualTo(8192);
        assertThat(t.cpusOfNode(0)).containsExactly(0, 1);
        assertThat(t.cpusOfNode(1)).containsExactly(2, 3);
        assertThat(t.distance(0, 0)).isEqualTo(10);
        assertThat(t.distance(0, 1)).isEqualTo(20);
        assertThat(t.memoryTier(1)).isZero();
    }

    @Test
    void distance_isReadAsGiven_evenWhenAsymmetric() {
        Machine m = machine(CoreKeys.MEMORY, "64M", CoreKeys.NODES, "2", CoreKeys.CPUS, "2",
                CoreKeys.NUMA_DISTANCE, "10,21;31,10");
        Topology t = view(m);
        assertThat(t.distance(0, 1)).isEqualTo(21);
        assertThat(t.distance(1, 0)).isEqualTo(31);
    }

    private static void assertRejected(String key, String value, String because, String... more) {
        String[] kv = new String[8 + more.length];
        kv[0] = CoreKeys.MEMORY;
        kv[1] = "64M";
        kv[2] = CoreKeys.NODES;
        kv[3] = "2";
        kv[4] = CoreKeys.CPUS;
        kv[5] = "4";
        kv[6] = key;
        kv[7] = value;
        System.arraycopy(more, 0, kv, 8, more.length);
        assertThatThrownBy(() -> NumaTopology.from(TestConfig.of(kv)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + key + "' = '" + value + "'")
                .hasMessageContaining(because);
    }

    @Test
    void badTopologies_areRejectedNamingTheKeyAndValue() {
        assertRejected(CoreKeys.NUMA_NODE_MEMORY, "32M", "1 sizes for machine.nodes = 2");
        assertRejected(CoreKeys.NUMA_NODE_MEMORY, "32M,16M", "add up to 48M but machine.memory is 64M");
        assertRejected(CoreKeys.NUMA_NODE_MEMORY, "30M,34M", "multiple of 4M");
        assertRejected(CoreKeys.NUMA_NODE_MEMORY, "32M,lots", "not a size");
        assertRejected(CoreKeys.NUMA_CPUS, "0-3", "1 CPU lists for machine.nodes = 2");
        assertRejected(CoreKeys.NUMA_CPUS, "0-2;2-3", "CPU 2 is on both node 0 and node 1");
        assertRejected(CoreKeys.NUMA_CPUS, "0-1;3", "CPU 2 is on no node");
        assertRejected(CoreKeys.NUMA_CPUS, "0-1;2-4", "outside 0-3");
        assertRejected(CoreKeys.NUMA_CPUS, "0-1;x", "not a CPU");
        assertRejected(CoreKeys.NUMA_DISTANCE, "10,20", "1 rows for machine.nodes = 2");
        assertRejected(CoreKeys.NUMA_DISTANCE, "10,20;20", "row 1 has 1 entries");
        assertRejected(CoreKeys.NUMA_DISTANCE, "12,20;20,10", "entry (0,0) is 12; a node's distance to itself is 10");
        assertRejected(CoreKeys.NUMA_DISTANCE, "10,10;20,10", "entry (0,1) is 10");
        assertRejected(CoreKeys.NUMA_DISTANCE, "10,255;20,10", "11..254");
        assertRejected(CoreKeys.NUMA_LATENCY_NS, "90", "1 values for machine.nodes = 2");
        assertRejected(CoreKeys.NUMA_LATENCY_NS, "90,-1", "must be a positive number");
        assertRejected(CoreKeys.NUMA_BANDWIDTH_MBPS, "1000,fast", "is not a number");
    }

    @Test
    void aBadTopology_stopsTheMachineBeingBuilt_withTheConfigurationError() {
        assertThatThrownBy(() -> machine(CoreKeys.MEMORY, "64M", CoreKeys.NODES, "2", CoreKeys.NUMA_DISTANCE, "10,20;20,12"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'machine.numa.distance' = '10,20;20,12': entry (1,1) is 12");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThatThrownBy(() -> NumaTopology.from(TestConfig.of(CoreKeys.MEMORY, "64M", CoreKeys.NODES, "2",
                CoreKeys.NUMA_CPUS, "0;0", CoreKeys.NUMA_DISTANCE, "10,5;20,10")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2));
    }
}
