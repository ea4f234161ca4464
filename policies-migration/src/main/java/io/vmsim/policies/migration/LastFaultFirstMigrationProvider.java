package io.vmsim.policies.migration;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link LastFaultFirstMigrationPolicy} as migration policy {@code last-fault-first}. */
public final class LastFaultFirstMigrationProvider implements PolicyProvider {
    @Override
    public String name() {
        return "last-fault-first";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.MIGRATION;
    }

    @Override
    public String description() {
        return "QEMU's postcopy: the background stream continues from the page after the last remote fault (migration/ram.c; the seed's 'background transfer seeks at the last userfault address').";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LastFaultFirstMigrationPolicy();
    }
}
