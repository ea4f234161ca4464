package io.vmsim.api.machine;

/**
 * The NUMA topology: nodes, the CPUs on each (a memory-only node, as a CXL memory expander, has
 * none), the distance table ({@code node_distance()}), each node's memory tier
 * ({@code mm/memory-tiers.c}) and the access latency the cost model charges. The defaults of
 * the methods added for NUMA describe a machine whose every node has CPUs and DRAM.
 */
public interface Topology {
    /** Number of NUMA nodes (at least one). */
    int nrNodes();

    /** Number of CPUs. */
    int nrCpus();

    /** The node a CPU belongs to ({@code cpu_to_node()}). */
    int nodeOfCpu(int cpu);

    /** The ACPI SLIT distance between two nodes: 10 for local, larger for remote. */
    int distance(int fromNode, int toNode);

    /** Number of frames on a node. */
    int nodeFrames(int node);

    /** Free frames on a node right now. */
    long nodeFreeFrames(int node);

    /** The CPUs of a node, ascending ({@code cpumask_of_node()}); empty for a memory-only node. A fresh array. */
    default int[] cpusOfNode(int node) {
        int n = 0;
        for (int cpu = 0; cpu < nrCpus(); cpu++) {
            n += nodeOfCpu(cpu) == node ? 1 : 0;
        }
        int[] out = new int[n];
        int i = 0;
        for (int cpu = 0; cpu < nrCpus(); cpu++) {
            if (nodeOfCpu(cpu) == node) {
                out[i++] = cpu;
            }
        }
        return out;
    }

    /** Whether the node has CPUs ({@code node_state(node, N_CPU)}); false for a memory-only node. */
    default boolean hasCpus(int node) {
        for (int cpu = 0; cpu < nrCpus(); cpu++) {
            if (nodeOfCpu(cpu) == node) {
                return true;
            }
        }
        return false;
    }

    /**
     * The rank of the node's memory tier, 0 for the fastest: nodes with CPUs form the DRAM tier,
     * a slower memory-only node a lower one ({@code mm/memory-tiers.c}, by abstract distance).
     */
    default int memoryTier(int node) {
        return 0;
    }

    /**
     * Nanoseconds a CPU on {@code cpuNode} waits for a cache line of {@code memNode}'s memory
     * (docs/numa.md, "Cost model").
     */
    default double accessLatencyNs(int cpuNode, int memNode) {
        return 90.0 * distance(cpuNode, memNode) / 10.0;
    }

    /** Bandwidth of a node's memory in MB/s ({@code machine.numa.bandwidth_mbps}). */
    default double bandwidthMbps(int node) {
        return 100_000.0;
    }
}
