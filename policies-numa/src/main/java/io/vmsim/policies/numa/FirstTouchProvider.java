package io.vmsim.policies.numa;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link FirstTouchPolicy} as NUMA policy {@code first-touch}. */
public final class FirstTouchProvider implements PolicyProvider {
    @Override
    public String name() {
        return "first-touch";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "First touch: allocate on the faulting CPU's node and never migrate (Linux's default local policy, mm/mempolicy.c).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new FirstTouchPolicy();
    }
}
