package io.vmsim.core.plugin.testbroken;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** A provider whose static initialiser throws, packed into a jar by PolicyRegistryTest. */
public final class ThrowingInitProvider implements PolicyProvider {
    private static final int LIMIT = limit();

    private static int limit() {
        throw new IllegalStateException("static setup failed: no limit configured");
    }

    @Override
    public String name() {
        return "throwing-init" + LIMIT;
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Never loads.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return null;
    }
}
