package io.vmsim.policies.ksm;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

/** Provides {@link LinuxKsmPolicy} as KSM policy {@code linux}. */
public final class LinuxKsmProvider implements PolicyProvider {
    @Override
    public String name() {
        return "linux";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.KSM;
    }

    @Override
    public String description() {
        return "Linux's ksmd: pages_to_scan pages every sleep_millisecs, every mergeable page in turn (mm/ksm.c).";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LinuxKsmPolicy();
    }
}
