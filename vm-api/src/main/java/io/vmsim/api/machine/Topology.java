package io.vmsim.api.machine;

/** The NUMA topology: nodes, the CPUs on each and the distance table ({@code node_distance()}). */
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
}
