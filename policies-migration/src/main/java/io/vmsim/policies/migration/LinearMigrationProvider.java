package io.vmsim.policies.migration;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link LinearMigrationPolicy} as migration policy {@code linear}. */
public final class LinearMigrationProvider implements PolicyProvider {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.MIGRATION;
    }

    @Override
    public String description() {
        return "Sends pages in address order in precopy and in the postcopy background stream; faulted pages jump the queue, the stream keeps its place.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LinearMigrationPolicy();
    }
}
