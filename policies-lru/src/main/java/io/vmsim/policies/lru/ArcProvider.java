package io.vmsim.policies.lru;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link ArcPolicy} as reclaim policy {@code arc}. */
public final class ArcProvider implements PolicyProvider {
    @Override
    public String name() {
        return "arc";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "ARC: recency and frequency lists with ghost lists that adapt their split (Megiddo and Modha, FAST 2003).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new ArcPolicy(context.pageLists(), context.machine().frames(), Math.toIntExact(context.capacity()));
    }
}
