package io.vmsim.core.migration;

import io.vmsim.api.policy.MigrationPolicy;

/** The built-in migration policies for tests outside this package. */
public final class LiveMigrationPolicies {
    private LiveMigrationPolicies() {
    }

    /** The built-in policy named {@code name}. */
    public static MigrationPolicy policy(String name) {
        return LiveMigrationTest.policy(name);
    }
}
