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
        return "Multi-gen LRU (Linux 6.18): anon and file generations aged by page-table walks, eviction from the oldest of the type swappiness and refault feedback choose, tiers from uses through file descriptors (Documentation/mm/multigen_lru.rst).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.oneOf("file_pages_added", "read", List.of("read", "fault"),
                "How new file pages are taken to arrive, which decides their generation (lru_gen_folio_seq()): by read(), max_seq - 3 (the oldest) and marked used once; or in a page fault, max_seq - 1, unmarked, and a recent refault counts as workingset_activate_file."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new MglruPolicy(context.pageLists(), "fault".equals(context.settings().getString("file_pages_added")),
                context.events());
    }
}
