package io.vmsim.core.oom;

import io.vmsim.core.error.UserError;

/**
 * The OOM killer chose the process whose fault or system call was allocating: its memory is
 * already freed, and the operation it was doing is abandoned ({@code SIGKILL} to current).
 */
public final class OomKilledException extends RuntimeException implements UserError {
    private static final long serialVersionUID = 1L;
    private final int pid;

    public OomKilledException(int pid, String message) {
        super(message);
        this.pid = pid;
    }

    /** The killed process. */
    public int pid() {
        return pid;
    }
}
