package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link MglruPolicy} as reclaim policy {@code mglru}. */
public final class MglruProvider implements PolicyProvider {
    @Override
    public String name() {
        return "mglru";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Multi-gen LRU: generations aged by accessed bits, eviction from the oldest, tiers with refault feedback (Documentation/mm/multigen_lru.rst).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.oneOf("file_pages_gen", "oldest", List.of("oldest", "youngest"),
                "Generation a new file page enters: the oldest, as a page-cache page added by read(), or the youngest, as a page added in a fault."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new MglruPolicy(context.pageLists(), "youngest".equals(context.settings().getString("file_pages_gen")),
                context.events());
    }
}
