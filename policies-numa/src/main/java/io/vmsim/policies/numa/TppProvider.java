package io.vmsim.policies.numa;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link TppPolicy} as NUMA policy {@code tpp}. */
public final class TppProvider implements PolicyProvider {
    @Override
    public String name() {
        return "tpp";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.NUMA;
    }

    @Override
    public String description() {
        return "TPP (Maruf et al., ASPLOS 2023): keep headroom on fast nodes by demoting early, promote a slow-tier page on"
                + " its second hinting fault (found active), without threshold or rate limit.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.integer("demote_scale_factor", 200, 0, 10_000,
                "Free memory kswapd keeps on a node with a demotion target, above Linux's watermark, in units of 0.01% of the"
                        + " node (TPP's demotion watermark); 200 is 2%."));
    }

    @Override
    public Policy create(PolicyContext context) {
        Topology t = context.machine().topology();
        long[] frames = new long[t.nrNodes()];
        for (int n = 0; n < frames.length; n++) {
            frames[n] = t.nodeFrames(n);
        }
        return new TppPolicy(frames, context.settings().getLong("demote_scale_factor"));
    }
}
