package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaHintFault;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaTaskStats;

/**
 * The part the tiering policies ({@link TppPolicy}, {@link MemtisPolicy}) share: local
 * allocation, hinting faults wanted, and ordinary balancing decisions (a page of a node with
 * CPUs, {@code kernel.numa_balancing=1}) made as {@link LinuxNumaPolicy} makes them. Subclasses
 * decide promotion and demotion.
 */
abstract class TieringOnLinuxBalancing implements NumaPolicy {
    private final LinuxNumaPolicy linux;

    TieringOnLinuxBalancing(int nrNodes) {
        this.linux = new LinuxNumaPolicy(nrNodes);
    }

    @Override
    public final int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        return localNode;
    }

    @Override
    public final boolean wantsHintingFaults() {
        return true;
    }

    @Override
    public final int hintingFault(TaskView task, NumaHintFault fault) {
        return linux.hintingFault(task, fault);
    }

    @Override
    public final int preferredNode(TaskView task, NumaTaskStats stats) {
        return linux.preferredNode(task, stats);
    }
}
