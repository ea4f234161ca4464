package io.vmsim.core.numa;

/**
 * {@code struct numa_group} ({@code kernel/sched/fair.c}): tasks that fault on each other's
 * pages, whose fault statistics are summed so that they are placed together.
 */
final class NumaGroup {
    /** ACTIVE_NODE_FRACTION: a node is active if its CPUs take more than a third of the busiest node's faults. */
    static final int ACTIVE_NODE_FRACTION = 3;

    /** An ordering for the tie-break of {@code task_numa_group()} (the kernel compares addresses). */
    final int id;
    int nrTasks;
    /** Same layout as {@link NumaTask#faults}. */
    final long[] faults;
    long totalFaults;
    int activeNodes;
    long maxFaultsCpu;
    private final int nrNodes;

    NumaGroup(int nrNodes, int id) {
        this.nrNodes = nrNodes;
        this.id = id;
        this.faults = new long[NumaTask.NR_STATS * nrNodes * 2];
    }

    private int idx(int stat, int nid, int priv) {
        return 2 * (stat * nrNodes + nid) + priv;
    }

    /** {@code group_faults()} of a task in this group. */
    long faultsMem(int nid) {
        return faults[idx(NumaTask.NUMA_MEM, nid, 0)] + faults[idx(NumaTask.NUMA_MEM, nid, 1)];
    }

    /** {@code group_faults_cpu()}. */
    long faultsCpu(int nid) {
        return faults[idx(NumaTask.NUMA_CPU, nid, 0)] + faults[idx(NumaTask.NUMA_CPU, nid, 1)];
    }

    /** {@code group_faults_shared()} / {@code group_faults_priv()}. */
    long faultsMemPriv(int priv) {
        long n = 0;
        for (int nid = 0; nid < nrNodes; nid++) {
            n += faults[idx(NumaTask.NUMA_MEM, nid, priv)];
        }
        return n;
    }

    /** {@code numa_group_count_active_nodes()}. */
    void countActiveNodes() {
        long max = 0;
        for (int nid = 0; nid < nrNodes; nid++) {
            max = Math.max(max, faultsCpu(nid));
        }
        int active = 0;
        for (int nid = 0; nid < nrNodes; nid++) {
            if (faultsCpu(nid) * ACTIVE_NODE_FRACTION > max) {
                active++;
            }
        }
        maxFaultsCpu = max;
        activeNodes = active;
    }

    /** {@code numa_is_active_node()}. */
    boolean isActiveNode(int nid) {
        return faultsCpu(nid) * ACTIVE_NODE_FRACTION > maxFaultsCpu;
    }
}
