package io.vmsim.policies.thp;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link NeverThpPolicy} as THP policy {@code never}. */
public final class NeverThpProvider implements PolicyProvider {
    @Override
    public String name() {
        return "never";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.THP;
    }

    @Override
    public String description() {
        return "Never huge: every fault maps 4 KiB and nothing is collapsed (transhuge.rst, enabled=never).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new NeverThpPolicy();
    }
}
