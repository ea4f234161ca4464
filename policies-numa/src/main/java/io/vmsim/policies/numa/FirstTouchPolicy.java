package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaPolicy;

/**
 * First touch: a page is allocated on the node of the CPU that first faults it, and never
 * moves. This is Linux's default memory policy, {@code MPOL_LOCAL} ("local allocation" in
 * {@code Documentation/admin-guide/mm/numa_memory_policy.rst}, {@code mm/mempolicy.c}); the core
 * falls back to other nodes in distance order when the local one is full, as the zonelist does.
 * No hinting faults: this is the baseline for AutoNUMA with {@code kernel.numa_balancing=0}.
 */
public final class FirstTouchPolicy implements NumaPolicy {
    @Override
    public int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        return localNode;
    }
}
