package io.vmsim.policies.migration;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link AdaptivePrepagingMigrationPolicy} as migration policy {@code adaptive-prepaging}. */
public final class AdaptivePrepagingMigrationProvider implements PolicyProvider {
    @Override
    public String name() {
        return "adaptive-prepaging";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.MIGRATION;
    }

    @Override
    public String description() {
        return "Pre-pages the pending pages nearest the last remote fault, alternately above and below it (dual-direction bubbling, Hines and Gopalan, VEE 2009).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new AdaptivePrepagingMigrationPolicy();
    }
}
