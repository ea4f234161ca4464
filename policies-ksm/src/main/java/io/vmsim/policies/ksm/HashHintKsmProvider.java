package io.vmsim.policies.ksm;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link HashHintKsmPolicy} as KSM policy {@code hash-hint}. */
public final class HashHintKsmProvider implements PolicyProvider {
    static final String REVISIT = "revisit";

    @Override
    public String name() {
        return "hash-hint";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.KSM;
    }

    @Override
    public String description() {
        return "Compares first the pages whose checksum the last full scan saw more than once (after UKSM, FAST 2018).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.integer(REVISIT, 4, 1, 1 << 20,
                "A page whose checksum was unique in the previous full scan is compared only every this many full scans."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new HashHintKsmPolicy(context.settings().getInt(REVISIT));
    }
}
