package io.vmsim.api.policy;

import io.vmsim.api.config.ConfigKey;

import java.util.List;

/**
 * The {@link java.util.ServiceLoader} service of a policy. A provider is stateless and
 * cheap to construct; the simulator calls {@link #create} once per policy instance it needs
 * (for example one reclaim policy per LRU domain).
 */
public interface PolicyProvider {
    /** The stable lower-case name that configuration selects, e.g. {@code mglru}. */
    String name();

    /** The kind of policy this provider creates. */
    PolicyKind kind();

    /** One sentence saying what the policy does, naming its source (paper or kernel file). */
    String description();

    /**
     * The configuration keys the policy reads, relative to {@code policy.<kind>.<name>.}.
     * Values supplied under that prefix are validated against these declarations, and a key
     * that is not declared is an error.
     */
    default List<ConfigKey> configKeys() {
        return List.of();
    }

    /** The provider's version, shown by {@code vmsim policies}. Defaults to the jar's implementation version. */
    default String version() {
        String v = getClass().getPackage() == null ? null : getClass().getPackage().getImplementationVersion();
        return v == null ? "unversioned" : v;
    }

    /** Creates a policy instance; it must implement {@link PolicyKind#policyType()} of {@link #kind()}. */
    Policy create(PolicyContext context);
}
