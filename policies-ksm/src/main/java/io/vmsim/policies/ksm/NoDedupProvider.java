package io.vmsim.policies.ksm;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link NoDedupPolicy} as KSM policy {@code none}. */
public final class NoDedupProvider implements PolicyProvider {
    @Override
    public String name() {
        return "none";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.KSM;
    }

    @Override
    public String description() {
        return "No deduplication: ksmd never runs (ksm.rst, run=0).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new NoDedupPolicy();
    }
}
