package io.vmsim.examples.thpthreshold;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link ThresholdThpPolicy} as THP policy {@code thp-threshold} ({@code policy.thp=thp-threshold}). */
public final class ThresholdThpProvider implements PolicyProvider {
    @Override
    public String name() {
        return "thp-threshold";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.THP;
    }

    @Override
    public String description() {
        return "Huge pages only after an area touched a threshold of 2 MiB ranges with 4 KiB pages "
                + "(utilisation-based promotion, as Ingens and HawkEye). Example plugin.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.integer("threshold", 4, 0, 1 << 20,
                "2 MiB ranges of an area that get 4 KiB pages before its later ranges get huge pages."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new ThresholdThpPolicy(context.settings().getInt("threshold"));
    }
}
