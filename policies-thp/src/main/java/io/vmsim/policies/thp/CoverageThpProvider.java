package io.vmsim.policies.thp;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link CoverageThpPolicy} as THP policy {@code coverage}. */
public final class CoverageThpProvider implements PolicyProvider {
    static final String UTIL_THRESHOLD = "util_threshold";
    static final String MIN_COVERAGE = "min_coverage";
    static final String DEMOTE_IDLE_SCANS = "demote_idle_scans";

    @Override
    public String name() {
        return "coverage";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.THP;
    }

    @Override
    public String description() {
        return "Huge pages by measured use (Ingens, OSDI 2016; HawkEye, ASPLOS 2019): base pages at fault, "
                + "khugepaged promotes ranges by utilization and access coverage.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(
                ConfigKey.real(UTIL_THRESHOLD, 0.9, 0.0, 1.0,
                        "Fraction of a 2 MiB range's pages that must be present before khugepaged promotes it (Ingens: 90%)."),
                ConfigKey.real(MIN_COVERAGE, 0.5, 0.0, 1.0,
                        "Fraction of the present pages that must have their accessed bit set (HawkEye's access coverage)."),
                ConfigKey.integer(DEMOTE_IDLE_SCANS, 2, 0, 1000,
                        "Split (demote) a huge page that khugepaged found idle this many visits in a row, so reclaim can take its unused parts; 0 never demotes."));
    }

    @Override
    public Policy create(PolicyContext context) {
        Settings s = context.settings();
        return new CoverageThpPolicy(s.getDouble(UTIL_THRESHOLD), s.getDouble(MIN_COVERAGE), s.getInt(DEMOTE_IDLE_SCANS));
    }
}
