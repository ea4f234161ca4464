package io.vmsim.api.policy;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;

/**
 * Places pages on NUMA nodes: where a new page is allocated and, for balancing policies, what
 * to do on a NUMA hinting fault ({@code do_numa_page()} in {@code mm/memory.c}).
 */
public interface NumaPolicy extends Policy {
    /**
     * The node to allocate a new page on. {@code localNode} is the node of the faulting CPU.
     * The core falls back to other nodes, in distance order, if the chosen one is full.
     */
    int allocationNode(TaskView task, VmaView vma, long address, int localNode);

    /** True if the policy wants the NUMA scanner to unmap pages and produce hinting faults. */
    default boolean wantsHintingFaults() {
        return false;
    }

    /**
     * A hinting fault: {@code task} running on {@code localNode} touched a page on
     * {@code pageNode}. Returns the node to migrate the page to, or -1 to leave it.
     */
    default int hintingFault(TaskView task, int pfn, int pageNode, int localNode) {
        return -1;
    }
}
