package io.vmsim.examples.twoq;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/**
 * Provides {@link TwoQPolicy} as reclaim policy {@code 2q}. Select it with
 * {@code policy.reclaim=2q}; tune it with {@code policy.reclaim.2q.kin_percent}.
 */
public final class TwoQProvider implements PolicyProvider {
    @Override
    public String name() {
        return "2q";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Simplified 2Q (Johnson and Shasha, VLDB 1994): a probation FIFO and a main CLOCK queue, "
                + "aged by accessed bits. Example plugin.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        // vmsim validates values against this before create() is called: no checks needed below
        return List.of(ConfigKey.integer("kin_percent", 25, 1, 99,
                "Share of the pages the probation queue (A1in) may hold before victims come from it."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new TwoQPolicy(context.pageLists(), context.settings().getInt("kin_percent"));
    }
}
