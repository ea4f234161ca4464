package io.vmsim.policies.numa;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link MemtisPolicy} as NUMA policy {@code memtis}. */
public final class MemtisProvider implements PolicyProvider {
    @Override
    public String name() {
        return "memtis";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "Memtis-like tiering (Lee et al., SOSP 2023): a log2 histogram of sampled (hinting-fault) counts per page"
                + " with a hot threshold chosen so that hot pages fit the fast tier, and periodic cooling.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.integer("cooling_faults", 65536, 1, 1L << 40,
                "Hinting-fault samples between two coolings, each halving every page's count."));
    }

    @Override
    public Policy create(PolicyContext context) {
        Topology t = context.machine().topology();
        int top = -1;
        for (int n = 0; n < t.nrNodes(); n++) {
            if (t.hasCpus(n)) {
                top = Math.max(top, t.memoryTier(n));
            }
        }
        long fast = 0;
        for (int n = 0; n < t.nrNodes(); n++) {
            if (t.memoryTier(n) <= top) {
                fast += t.nodeFrames(n);
            }
        }
        return new MemtisPolicy(t.nrNodes(), fast, context.settings().getLong("cooling_faults"));
    }
}
