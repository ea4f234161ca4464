package io.vmsim.core.scenario;

import java.util.List;

/**
 * The arguments of the memory-policy phases (mempolicy, issue 10).
 *
 * @param policy the policy of {@code set_mempolicy} and {@code mbind}, else null
 * @param move   {@code mbind} with {@code MPOL_MF_MOVE}
 * @param from   {@code migrate_pages}: the source nodes
 * @param to     {@code migrate_pages}: the destination nodes
 * @param node   {@code move_pages}: the destination node, else -1
 */
public record NumaOpSpec(MempolicySpec policy, boolean move, List<Integer> from, List<Integer> to, int node) {
    public NumaOpSpec {
        from = List.copyOf(from);
        to = List.copyOf(to);
    }
}
