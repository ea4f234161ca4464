package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaHintFault;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaTaskStats;

/**
 * Linux's automatic NUMA balancing decisions (AutoNUMA, {@code kernel/sched/fair.c} of Linux
 * 6.18): pages are first placed locally; on a NUMA hinting fault a page moves to the faulting
 * CPU's node when {@code should_numa_migrate_memory()} agrees, and the task prefers the node
 * holding most of its (or its numa group's) faults, as {@code task_numa_placement()} picks it.
 *
 * <p>The migrate filter, in the kernel's order: early in a task's life (no preferred node yet,
 * or at most four scan passes) a page faulted first or last by the same task moves at once; then
 * the two-stage filter: the previous fault must have come from the destination node (a page
 * moves on the second consecutive fault from that node, which squares the probability that an
 * unlikely task-page relation makes it move); a private fault then moves it; a shared fault of a
 * task without a numa group moves it; within a group it moves if the destination's CPUs take more
 * than three times the source's faults, or else by the 3/4 hysteresis rule that distributes
 * memory like CPU use without ping-pong. Memory tiering's promotion of a slow node's hot pages is
 * the tiering branch of the same function, {@link NumaPolicy#promotion}'s default.
 * Simplification: preferred_group_nid() is that of directly connected nodes (NUMA_DIRECT).
 */
public final class LinuxNumaPolicy implements NumaPolicy {
    /** ACTIVE_NODE_FRACTION. */
    private static final int ACTIVE_NODE_FRACTION = 3;
    private final int nrNodes;

    public LinuxNumaPolicy(int nrNodes) {
        this.nrNodes = nrNodes;
    }

    @Override
    public int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        return localNode;
    }

    @Override
    public boolean wantsHintingFaults() {
        return true;
    }

    @Override
    public int hintingFault(TaskView task, NumaHintFault f) {
        int dst = f.localNode();
        if (f.pageNode() == dst) {
            return -1;
        }
        return shouldMigrateMemory(f, f.task(), f.pageNode(), dst) ? dst : -1;
    }

    /** {@code should_numa_migrate_memory()} for pages of nodes with CPUs (no tiering). */
    static boolean shouldMigrateMemory(NumaHintFault f, NumaTaskStats p, int src, int dst) {
        // first faults, or private ones, migrate at once early in a task's life (two full passes
        // of the two-stage filter below make the four)
        if ((p.preferredNode() == -1 || p.scanSeq() <= 4) && (f.lastCpupidUnset() || f.lastPidMatches())) {
            return true;
        }
        // the two-stage filter: the last fault must have come from the destination node
        if (!f.lastCpupidUnset() && f.lastNode() != dst) {
            return false;
        }
        if (f.lastPidMatches()) {
            return true; // always allow migrate on private faults
        }
        if (p.groupTasks() == 0) {
            return true; // a shared fault, and no numa group yet
        }
        // destination node much more heavily used than the source node
        if (p.groupFaultsCpu(dst) > p.groupFaultsCpu(src) * ACTIVE_NODE_FRACTION) {
            return true;
        }
        // distribute memory like CPU use, with 3/4 hysteresis against ping-pong
        return p.groupFaultsCpu(dst) * p.groupFaults(src) * 3 > p.groupFaultsCpu(src) * p.groupFaults(dst) * 4;
    }

    /** {@code task_numa_placement()}: the node with the most faults, the group's if the task is in one; -1 without faults. */
    @Override
    public int preferredNode(TaskView task, NumaTaskStats s) {
        long max = 0;
        int maxNid = -1;
        for (int nid = 0; nid < nrNodes; nid++) {
            long faults = s.groupTasks() > 0 ? s.groupFaults(nid) : s.faults(nid);
            if (faults > max) {
                max = faults;
                maxNid = nid;
            }
        }
        return maxNid;
    }
}
