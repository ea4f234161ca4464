package io.vmsim.policies.lru;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link LruPolicy} as reclaim policy {@code lru}. */
public final class LruProvider implements PolicyProvider {
    @Override
    public String name() {
        return "lru";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Exact LRU: sees every reference and evicts the least recently used page (the ideal that mm/vmscan.c approximates).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LruPolicy(context.pageLists());
    }
}
