package io.vmsim.policies.numa;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link InterleavePolicy} as NUMA policy {@code interleave} ({@code policy.numa=interleave}). */
public final class InterleaveProvider implements PolicyProvider {
    @Override
    public String name() {
        return "interleave";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "Interleave: every default-policy page on the next node with memory in turn, as numactl --interleave=all (MPOL_INTERLEAVE, mm/mempolicy.c).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new InterleavePolicy(context.machine().topology());
    }
}
