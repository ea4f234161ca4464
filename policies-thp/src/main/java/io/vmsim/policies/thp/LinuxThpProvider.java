package io.vmsim.policies.thp;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link LinuxThpPolicy} as THP policy {@code linux}. */
public final class LinuxThpProvider implements PolicyProvider {
    static final String MAX_PTES_NONE = "max_ptes_none";
    static final String MAX_PTES_SWAP = "max_ptes_swap";
    static final String MAX_PTES_SHARED = "max_ptes_shared";

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.THP;
    }

    @Override
    public String description() {
        return "Linux's THP rules: enabled/defrag and madvise at fault time (mm/huge_memory.c), max_ptes_* limits for khugepaged (mm/khugepaged.c).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        // Names and defaults of /sys/kernel/mm/transparent_hugepage/khugepaged/*.
        return List.of(
                ConfigKey.integer(MAX_PTES_NONE, 511, 0, 511,
                        "khugepaged collapses a PMD range with at most this many empty PTEs."),
                ConfigKey.integer(MAX_PTES_SWAP, 64, 0, 511,
                        "khugepaged collapses a PMD range with at most this many swapped-out PTEs."),
                ConfigKey.integer(MAX_PTES_SHARED, 256, 0, 511,
                        "khugepaged collapses a PMD range with at most this many PTEs mapping shared pages."));
    }

    @Override
    public Policy create(PolicyContext context) {
        Settings s = context.settings();
        return new LinuxThpPolicy(s.getInt(MAX_PTES_NONE), s.getInt(MAX_PTES_SWAP), s.getInt(MAX_PTES_SHARED));
    }
}
