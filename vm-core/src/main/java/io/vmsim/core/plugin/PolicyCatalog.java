package io.vmsim.core.plugin;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Every policy provider found (built-in modules and plugin jars), by kind and name. */
public interface PolicyCatalog {
    /**
     * The provider of a kind with the given name.
     *
     * @throws io.vmsim.api.policy.PolicyException of kind CONFIGURATION when there is none,
     *         listing the available names and suggesting the closest
     */
    PolicyProvider provider(PolicyKind kind, String name);

    /** Where a provider came from: {@code built-in (policies-lru)} or a jar path. */
    String origin(PolicyProvider provider);

    /** All providers, sorted by kind then name. */
    List<PolicyProvider> all();

    /**
     * Why a policy that is not among {@link #all()} may be missing, as a clause to append to
     * an "unknown policy" message ({@code "; plugin /p/x.jar could not be loaded: ..."}), or
     * an empty string when no plugin failed to load.
     */
    default String whyMissing(PolicyKind kind, String name) {
        return "";
    }
}
