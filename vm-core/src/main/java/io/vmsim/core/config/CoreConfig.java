package io.vmsim.core.config;

import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.PolicyKind;

/**
 * The validated, effective configuration of one run, as the core reads it. Every value has
 * been checked against its declaration in {@link CoreKeys} (or a policy provider's keys)
 * before the run starts, so the getters do not fail for declared keys.
 */
public interface CoreConfig {
    boolean getBoolean(String key);

    long getLong(String key);

    default int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    double getDouble(String key);

    String getString(String key);

    /** Every effective key and its value, in catalogue order, for reports. */
    default java.util.Map<String, String> asMap() {
        return java.util.Map.of();
    }

    /**
     * Where a key's value came from, as messages say it ({@code in --set}, {@code in scenario X},
     * {@code in FILE} or {@code default}), or null if unknown.
     */
    default String where(String key) {
        return null;
    }

    /** The settings view of the selected policy of a kind: its declared keys only, validated. */
    Settings policySettings(PolicyKind kind, String policyName);
}
