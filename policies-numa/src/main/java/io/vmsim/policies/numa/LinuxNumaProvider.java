package io.vmsim.policies.numa;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link LinuxNumaPolicy} as NUMA policy {@code linux}. */
public final class LinuxNumaProvider implements PolicyProvider {
    @Override
    public String name() {
        return "linux";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "Linux's automatic NUMA balancing: local first touch, migrate on hinting faults through the two-stage"
                + " last-cpupid filter and numa-group rules, prefer the node with most faults (kernel/sched/fair.c).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LinuxNumaPolicy(context.machine().topology().nrNodes());
    }
}
