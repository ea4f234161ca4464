package io.vmsim.core.scenario;

import java.util.List;

/**
 * A memory policy as a scenario writes it: {@code { mode: bind, nodes: [0] }} (mempolicy, issue 10).
 *
 * @param mode    default, local, bind, preferred, preferred-many, interleave, weighted-interleave
 * @param nodes   the node mask, as node numbers
 * @param weights weighted-interleave weights parallel to {@code nodes}, or empty for the
 *                system table ({@code mm.mempolicy.weighted_interleave})
 */
public record MempolicySpec(String mode, List<Integer> nodes, List<Integer> weights) {
    public MempolicySpec {
        nodes = List.copyOf(nodes);
        weights = List.copyOf(weights);
    }
}
