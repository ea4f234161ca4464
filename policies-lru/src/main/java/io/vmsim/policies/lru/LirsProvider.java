package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link LirsPolicy} as reclaim policy {@code lirs}. */
public final class LirsProvider implements PolicyProvider {
    @Override
    public String name() {
        return "lirs";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "LIRS: keeps pages of low inter-reference recency and evicts from a small set of resident HIR pages (Jiang and Zhang, SIGMETRICS 2002).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.real("hir_share", 0.01, 0.0, 0.5,
                        "Share of the frames for resident HIR pages; the paper's experiments and libCacheSim use 1%."),
                ConfigKey.real("stack_limit", 0.0, 0.0, 100.0,
                        "Bound on stack S in multiples of the frames, dropping the oldest non-resident entries; 0 = unbounded as in the paper, libCacheSim uses 2."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new LirsPolicy(context.pageLists(), context.machine().frames(), Math.toIntExact(context.capacity()),
                context.settings().getDouble("hir_share"), context.settings().getDouble("stack_limit"));
    }
}
