package io.vmsim.core.plugin.testplugin;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * A plugin-style provider (it uses only vm-api) that PolicyRegistryTest copies into a jar.
 * It has no META-INF/services entry in the test class path, so it is never found as built-in.
 */
public final class ProbeProvider implements PolicyProvider {
    @Override
    public String name() {
        return "probe";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Probe of plugin class loading.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new Probe();
    }

    /** Tries to reach the engine, which a plugin must not see. */
    public static boolean canSeeEngine() {
        try {
            Class.forName("io.vmsim.core.error.UserError");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static final class Probe implements ReclaimPolicy {
        @Override
        public void pageAdded(int pfn, boolean anon) {
        }

        @Override
        public void pageRemoved(int pfn) {
        }

        @Override
        public void shrink(ScanControl sc) {
        }

        @Override
        public int size() {
            return 0;
        }
    }
}
