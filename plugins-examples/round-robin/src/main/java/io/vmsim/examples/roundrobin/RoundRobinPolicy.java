package io.vmsim.examples.roundrobin;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaPolicy;

/**
 * Round-robin placement: each new page goes to the next node in turn, as Linux's
 * {@code MPOL_INTERLEAVE} process policy does ({@code interleave_nodes()} in
 * {@code mm/mempolicy.c}). It trades locality for bandwidth spread over every node's memory
 * controller. Simplification: one counter for the machine rather than one per task.
 */
final class RoundRobinPolicy implements NumaPolicy {
    private final int nodes;
    private int next;

    RoundRobinPolicy(int nodes) {
        this.nodes = nodes;
    }

    @Override
    public int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        int node = next;
        next = (next + 1) % nodes;
        return node; // must be 0..nodes-1: vmsim stops the run, naming this policy, otherwise
    }
}
