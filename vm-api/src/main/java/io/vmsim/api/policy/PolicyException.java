package io.vmsim.api.policy;

/**
 * The one error type of the policy framework. It always names the policy and where it came
 * from (a built-in module or a jar path), and says which kind of failure it is.
 */
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The policy's configuration is invalid. */
        CONFIGURATION,
        /** The policy's invariants were broken. */
        INVARIANT,
        /** The policy threw or returned nonsense. */
        PLUGIN_FAILURE
    }

    private final Kind kind;
    private final String policy;
    private final String origin;

    public PolicyException(Kind kind, String policy, String origin, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.policy = policy;
        this.origin = origin;
    }

    public Kind kind() {
        return kind;
    }

    /** The policy's name. */
    public String policy() {
        return policy;
    }

    /** Where the policy came from: {@code built-in (module)} or the jar's path. */
    public String origin() {
        return origin;
    }

    @Override
    public String getMessage() {
        return "policy '" + policy + "' (" + origin + "): " + super.getMessage();
    }
}
