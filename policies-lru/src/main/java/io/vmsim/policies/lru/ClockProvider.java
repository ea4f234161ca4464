package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link ClockPolicy} as reclaim policy {@code clock}. */
public final class ClockProvider implements PolicyProvider {
    @Override
    public String name() {
        return "clock";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "CLOCK second chance over accessed bits: the hand evicts the first page not referenced since it last passed (Corbato 1968).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.bool("insert_referenced", true,
                        "Whether a page enters with its reference bit set, as in the paper (true) or clear, as libCacheSim's Clock does (false)."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new ClockPolicy(context.pageLists(), context.settings().getBoolean("insert_referenced"));
    }
}
