package io.vmsim.core.mempolicy;

import static io.vmsim.core.mempolicy.Mempolicy.MPOL_BIND;
import static io.vmsim.core.mempolicy.Mempolicy.MPOL_INTERLEAVE;
import static io.vmsim.core.mempolicy.Mempolicy.MPOL_PREFERRED;
import static io.vmsim.core.mempolicy.Mempolicy.MPOL_PREFERRED_MANY;
import static io.vmsim.core.mempolicy.Mempolicy.MPOL_WEIGHTED_INTERLEAVE;
import static io.vmsim.core.mempolicy.TaskMempolicy.MAX_NUMNODES;

/**
 * Where a policy places an allocation ({@code policy_nodemask()}, {@code interleave_nodes()},
 * {@code interleave_nid()}, {@code weighted_interleave_nodes()}, {@code weighted_interleave_nid()}
 * in {@code mm/mempolicy.c}, Linux 6.18). No allocation of objects: these run on every fault.
 *
 * <p>The interleave index {@code ilx}: a VMA allocation ({@code get_vma_policy()}) uses
 * {@code (vm_pgoff >> order) + ((addr - vm_start) >> (PAGE_SHIFT + order))} whether the
 * interleaving policy is the VMA's or the task's; allocations outside a VMA ({@code alloc_pages()}:
 * page cache, page tables) pass {@link #NO_INTERLEAVE_INDEX} and step the task's {@code il_prev}.
 */
public final class PolicyNodes {
    /** {@code NO_INTERLEAVE_INDEX}. */
    public static final long NO_INTERLEAVE_INDEX = -1L;

    private PolicyNodes() {
    }

    /** {@code get_vma_policy()}'s interleave index of {@code addr} in a VMA at {@code vmStart} with {@code vmPgoff}. */
    public static long vmaInterleaveIndex(long vmPgoff, long vmStart, long addr, int order) {
        return (vmPgoff >>> order) + ((addr - vmStart) >>> (12 + order));
    }

    /** {@code next_node_in()}: the next node of {@code mask} after {@code node}, wrapping; MAX_NUMNODES if empty. */
    public static int nextNodeIn(int node, long mask) {
        if (mask == 0) {
            return MAX_NUMNODES;
        }
        long above = node + 1 >= 64 ? 0 : mask & (-1L << (node + 1));
        return Long.numberOfTrailingZeros(above != 0 ? above : mask);
    }

    /**
     * {@code policy_nodemask()}'s node: the preferred node an allocation under {@code pol} starts
     * from. {@code localNode} is {@code numa_node_id()} (or the caller's node).
     */
    public static int policyNode(Mempolicy pol, TaskMempolicy task, long ilx, int localNode, InterleaveWeights table) {
        switch (pol.mode()) {
            case MPOL_PREFERRED:
                return Long.numberOfTrailingZeros(pol.nodes());
            case MPOL_INTERLEAVE:
                return ilx == NO_INTERLEAVE_INDEX ? interleaveNodes(pol, task) : interleaveNid(pol, ilx, localNode);
            case MPOL_WEIGHTED_INTERLEAVE:
                return ilx == NO_INTERLEAVE_INDEX ? weightedInterleaveNodes(pol, task, table)
                        : weightedInterleaveNid(pol, ilx, localNode, table);
            default:
                return localNode; // bind, preferred-many (no home_node), local
        }
    }

    /** {@code policy_nodemask()}'s mask: bind and preferred-many restrict to their nodes; the others to none. */
    public static long policyNodemask(Mempolicy pol) {
        return pol.mode() == MPOL_BIND || pol.mode() == MPOL_PREFERRED_MANY ? pol.nodes() : Mempolicy.ALL_NODES;
    }

    /** {@code interleave_nodes()}: the task's next node after {@code il_prev}. */
    static int interleaveNodes(Mempolicy pol, TaskMempolicy task) {
        int nid = nextNodeIn(task.ilPrev, pol.nodes());
        if (nid < MAX_NUMNODES) {
            task.ilPrev = nid;
        }
        return nid;
    }

    /** {@code weighted_interleave_nodes()}: {@code il_weight} allocations on {@code il_prev}, then the next node. */
    static int weightedInterleaveNodes(Mempolicy pol, TaskMempolicy task, InterleaveWeights table) {
        int node = task.ilPrev;
        if (task.ilWeight == 0 || (pol.nodes() >>> node & 1) == 0) {
            node = nextNodeIn(node, pol.nodes());
            if (node == MAX_NUMNODES) {
                return node;
            }
            task.ilPrev = node;
            task.ilWeight = pol.weight(node, table);
        }
        task.ilWeight--;
        return node;
    }

    /** {@code interleave_nid()}: node number {@code ilx mod nodes} of the mask. */
    public static int interleaveNid(Mempolicy pol, long ilx, int localNode) {
        long mask = pol.nodes();
        int n = Long.bitCount(mask);
        if (n == 0) {
            return localNode;
        }
        long target = Long.remainderUnsigned(ilx, n);
        int nid = Long.numberOfTrailingZeros(mask);
        for (long i = 0; i < target; i++) {
            nid = nextNodeIn(nid, mask);
        }
        return nid;
    }

    /**
     * {@code weighted_interleave_nid()}: {@code ilx mod (sum of weights)}, then the nodes of the
     * mask in order, each covering as many indices as its weight.
     */
    public static int weightedInterleaveNid(Mempolicy pol, long ilx, int localNode, InterleaveWeights table) {
        long mask = pol.nodes();
        if (mask == 0) {
            return localNode;
        }
        long total = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            total += pol.weight(Long.numberOfTrailingZeros(m), table);
        }
        long target = Long.remainderUnsigned(ilx, total);
        int nid = Long.numberOfTrailingZeros(mask);
        while (target != 0) {
            int weight = pol.weight(nid, table);
            if (target < weight) {
                break;
            }
            target -= weight;
            nid = nextNodeIn(nid, mask);
        }
        return nid;
    }
}
