package io.vmsim.core.mm;

/**
 * A system call refused with an errno other than the two the simulator reports by exception
 * type ({@link IllegalArgumentException} for EINVAL, {@link WorkloadException} for ENOMEM):
 * {@code EACCES} (a write mapping of a file opened read-only), {@code EBUSY}
 * ({@code msync(MS_INVALIDATE)} of a locked area).
 */
public final class SyscallError extends RuntimeException implements io.vmsim.core.error.UserError {
    private static final long serialVersionUID = 1L;

    private final String errno;

    /** {@code errno} is the Linux name ({@code EACCES}); the message says which call and why. */
    public SyscallError(String errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno's name, as {@code errno.h} spells it. */
    public String errno() {
        return errno;
    }
}
