package io.vmsim.policies.lru;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link OptPolicy} as reclaim policy {@code opt}. */
public final class OptProvider implements PolicyProvider {
    @Override
    public String name() {
        return "opt";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Belady's MIN with demand paging: evicts the resident page used farthest in the future; offline, needs the whole trace (Belady 1966).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new OptPolicy(context.machine().frames().nrFrames());
    }
}
