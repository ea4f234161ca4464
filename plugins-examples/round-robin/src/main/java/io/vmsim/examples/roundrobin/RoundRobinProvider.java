package io.vmsim.examples.roundrobin;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link RoundRobinPolicy} as NUMA policy {@code round-robin} ({@code policy.numa=round-robin}). */
public final class RoundRobinProvider implements PolicyProvider {
    @Override
    public String name() {
        return "round-robin";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "Round-robin: each new page on the next node in turn (MPOL_INTERLEAVE, mm/mempolicy.c). Example plugin.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new RoundRobinPolicy(context.machine().topology().nrNodes());
    }
}
