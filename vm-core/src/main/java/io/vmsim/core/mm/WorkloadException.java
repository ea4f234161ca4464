package io.vmsim.core.mm;

/**
 * The simulated workload did something a real process could not survive or the simulator
 * cannot model yet: a reference outside every VMA (SIGSEGV), a write to a read-only area, or
 * memory exhausted with nothing to reclaim. The message says what, where, and in which phase.
 */
public final class WorkloadException extends RuntimeException implements io.vmsim.core.error.UserError {
    private static final long serialVersionUID = 1L;

    public WorkloadException(String message) {
        super(message);
    }
}
