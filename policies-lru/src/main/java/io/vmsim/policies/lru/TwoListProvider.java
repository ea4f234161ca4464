package io.vmsim.policies.lru;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link TwoListPolicy} as reclaim policy {@code linux-2list}. */
public final class TwoListProvider implements PolicyProvider {
    @Override
    public String name() {
        return "linux-2list";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Linux's active/inactive anon and file lists with get_scan_count() balance and workingset refault-distance activation, as in mm/vmscan.c and mm/workingset.c of Linux 6.18 without MGLRU.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new TwoListPolicy(context.pageLists(), context.events());
    }
}
