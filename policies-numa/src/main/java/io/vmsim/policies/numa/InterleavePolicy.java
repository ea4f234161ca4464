package io.vmsim.policies.numa;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaPolicy;

/**
 * Interleave over every node with memory, as {@code numactl --interleave=all} does for a whole
 * machine: each allocation under the default policy goes to the next node after the previous
 * one ({@code interleave_nodes()} in {@code mm/mempolicy.c}: {@code next_node_in(il_prev)}),
 * one counter for the machine, starting at the first node. The core falls back along the
 * zonelist when the chosen node is full. No hinting faults.
 */
public final class InterleavePolicy implements NumaPolicy {
    private final int[] nodes;
    private int next;

    /** Interleaves over the nodes of {@code topology} that have frames. */
    public InterleavePolicy(Topology topology) {
        int n = 0;
        int[] withMemory = new int[topology.nrNodes()];
        for (int node = 0; node < topology.nrNodes(); node++) {
            if (topology.nodeFrames(node) > 0) {
                withMemory[n++] = node;
            }
        }
        this.nodes = java.util.Arrays.copyOf(withMemory, Math.max(1, n));
    }

    @Override
    public int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        int node = nodes[next];
        next = next + 1 == nodes.length ? 0 : next + 1;
        return node;
    }
}
