package io.vmsim.core.topology;

/**
 * Per-node reference counters of the reference path: every reference served by a frame of node
 * N counts as local to N when the CPU that made it is on N, remote otherwise. Also keeps what the
 * last reference's node adds to a cache miss ({@link NumaTopology#remoteMissSurplusPs(long)}), for the
 * workload driver that charges misses. Two array increments and a load a reference, nothing
 * allocated.
 */
public final class NodeAccesses {
    private final int nrNodes;
    private final int[] cpuNode;
    private final long[] surplusPs;
    private final long[] local;
    private final long[] remote;
    private final boolean remoteCosts;
    /** What the last counted reference's miss costs beyond a local one, ps. */
    private long lastSurplusPs;

    /**
     * @param topology    the machine's topology
     * @param localMissPs {@code cost.cache_miss_ns} in ps ({@link NumaTopology#remoteMissSurplusPs(long)})
     */
    public NodeAccesses(NumaTopology topology, long localMissPs) {
        this.nrNodes = topology.nrNodes();
        this.cpuNode = new int[topology.nrCpus()];
        for (int cpu = 0; cpu < cpuNode.length; cpu++) {
            cpuNode[cpu] = topology.nodeOfCpu(cpu);
        }
        this.surplusPs = topology.remoteMissSurplusPs(localMissPs);
        boolean any = false;
        for (long s : surplusPs) {
            any |= s != 0;
        }
        this.remoteCosts = any;
        this.local = new long[nrNodes];
        this.remote = new long[nrNodes];
    }

    /** One reference by {@code cpu} served by a frame of {@code node}. */
    public void count(int cpu, int node) {
        int c = cpuNode[cpu];
        if (c == node) {
            local[node]++;
        } else {
            remote[node]++;
        }
        lastSurplusPs = surplusPs[c * nrNodes + node];
    }

    /** {@code L(C,N) - L(C,home)} of the last counted reference, ps (0 when it was local). */
    public long lastSurplusPs() {
        return lastSurplusPs;
    }

    /** Whether any remote reference costs more (or less) than a local one: false on one node. */
    public boolean remoteCosts() {
        return remoteCosts;
    }

    public int nrNodes() {
        return nrNodes;
    }

    /** References to {@code node}'s memory from CPUs on {@code node}. */
    public long localAccesses(int node) {
        return local[node];
    }

    /** References to {@code node}'s memory from CPUs on other nodes. */
    public long remoteAccesses(int node) {
        return remote[node];
    }
}
