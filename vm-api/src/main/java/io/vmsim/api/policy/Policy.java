package io.vmsim.api.policy;

/** The common supertype of every policy. */
public interface Policy {
    /**
     * Checks the policy's internal invariants (list lengths, bookkeeping) and throws
     * {@link IllegalStateException} describing the first one broken. Called at the end of
     * every run in tests and after every step in the core's debug mode.
     */
    default void verifyInvariants() {
    }
}
