package io.vmsim.core.report;

import io.vmsim.api.policy.PolicyException;

/**
 * A run stopped because a policy failed (threw, or answered something the core cannot use).
 * It carries the counters gathered up to the failure, so the command line can still write
 * them, and the {@link PolicyException} that names the policy, its origin and the call.
 */
public final class RunAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient RunResult partial;

    /** {@code partial} is the state of the machine when {@code cause} was thrown. */
    public RunAbortedException(RunResult partial, PolicyException cause) {
        super(cause.getMessage(), cause);
        this.partial = partial;
    }

    /** The counters gathered so far. */
    public RunResult partial() {
        return partial;
    }

    /** The policy failure that stopped the run. */
    public PolicyException policyFailure() {
        return (PolicyException) getCause();
    }
}
