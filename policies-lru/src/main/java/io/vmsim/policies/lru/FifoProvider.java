package io.vmsim.policies.lru;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link FifoPolicy} as reclaim policy {@code fifo}. */
public final class FifoProvider implements PolicyProvider {
    @Override
    public String name() {
        return "fifo";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "FIFO: evicts pages in the order they became resident, ignoring use (Belady 1966 baseline).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new FifoPolicy(context.pageLists());
    }
}
