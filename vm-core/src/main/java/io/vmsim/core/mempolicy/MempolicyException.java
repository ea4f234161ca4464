package io.vmsim.core.mempolicy;

/**
 * A memory-policy system call ({@code set_mempolicy}, {@code mbind}, {@code migrate_pages},
 * {@code move_pages}) refused with a Linux errno ({@code EINVAL}, {@code EFAULT}, {@code ENOMEM},
 * {@code EIO}); the message says which call and why.
 */
public final class MempolicyException extends RuntimeException implements io.vmsim.core.error.UserError {
    private static final long serialVersionUID = 1L;

    private final String errno;
    private final String reason;

    public MempolicyException(String errno, String message) {
        super(message + " (" + errno + ")");
        this.errno = errno;
        this.reason = message;
    }

    /** The message without the errno. */
    public String reason() {
        return reason;
    }

    /** The errno's name, as {@code errno.h} spells it. */
    public String errno() {
        return errno;
    }
}
