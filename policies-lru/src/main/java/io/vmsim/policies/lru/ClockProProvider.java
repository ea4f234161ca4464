package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link ClockProPolicy} as reclaim policy {@code clock-pro}. */
public final class ClockProProvider implements PolicyProvider {
    @Override
    public String name() {
        return "clock-pro";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "CLOCK-Pro: hot and cold pages with test periods on one clock swept by three hands (Jiang, Chen and Zhang, USENIX ATC 2005).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.real("cold_share", 0.01, 0.0, 1.0,
                        "Initial target share of cold resident pages; it then adapts to test-period reuse (the paper leaves the start open)."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new ClockProPolicy(context.pageLists(), context.machine().frames(), Math.toIntExact(context.capacity()),
                context.settings().getDouble("cold_share"));
    }
}
