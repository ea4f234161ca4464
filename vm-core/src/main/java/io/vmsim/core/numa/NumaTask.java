package io.vmsim.core.numa;

import io.vmsim.core.mm.Task;

/**
 * A task's automatic NUMA balancing state, the {@code numa_*} fields of {@code struct task_struct}
 * ({@code include/linux/sched.h}): its scan period and stamp, its hinting-fault statistics
 * ({@code numa_faults}, four statistics per node, each private and shared), the locality of its
 * recent faults ({@code numa_faults_locality}), its preferred node and its numa group.
 */
final class NumaTask {
    // enum numa_faults_stats (kernel/sched/fair.c)
    static final int NUMA_MEM = 0;
    static final int NUMA_CPU = 1;
    static final int NUMA_MEMBUF = 2;
    static final int NUMA_CPUBUF = 3;
    static final int NR_STATS = 4;

    final Task task;
    final NumaBalancing.MmScan mm;
    final int nrNodes;
    /** {@code numa_faults}, indexed by {@link #idx}. */
    final long[] faults;
    /** {@code numa_faults_locality}: remote, local, failed migrations since the scan period was last updated. */
    final long[] locality = new long[3];
    long totalNumaFaults;
    int preferredNid = -1;
    int scanSeq;
    long scanPeriodMs;
    long scanPeriodMaxMs;
    /** {@code node_stamp} in simulated ns of the task's run time; -1 before its first tick. */
    long nodeStampNs = -1;
    /** When the task started running, for its run time. */
    long startNs = -1;
    long migrateRetryNs;
    long pagesMigrated;
    /** {@code numa_group}, or null before the task shared a page. */
    NumaGroup group;
    /** The group made for this task when it first needs one (allocated with the task, not on a fault). */
    final NumaGroup ownGroup;
    /** References the task had made at the last tick: a task that made none did not run. */
    long refsAtTick;
    /** Simulated time of the last placement, for {@code numa_get_avg_runtime()}. */
    long lastPlacementNs;

    NumaTask(Task task, NumaBalancing.MmScan mm, int nrNodes, int groupId) {
        this.task = task;
        this.mm = mm;
        this.nrNodes = nrNodes;
        this.faults = new long[NR_STATS * nrNodes * 2];
        this.ownGroup = new NumaGroup(nrNodes, groupId);
    }

    /** {@code task_faults_idx()}. */
    int idx(int stat, int nid, int priv) {
        return 2 * (stat * nrNodes + nid) + priv;
    }

    /** {@code task_faults()}: memory faults on {@code nid}, private and shared. */
    long taskFaults(int nid) {
        return faults[idx(NUMA_MEM, nid, 0)] + faults[idx(NUMA_MEM, nid, 1)];
    }

    /** {@code task_faults_cpu()}-like: faults by CPUs of {@code nid}. */
    long taskFaultsCpu(int nid) {
        return faults[idx(NUMA_CPU, nid, 0)] + faults[idx(NUMA_CPU, nid, 1)];
    }
}
