package io.vmsim.core.report;

/** Receives progress of a long run; the command line draws a bar from it. */
public interface Progress {
    /** No progress reporting. */
    Progress NONE = (phase, done, total) -> { };

    /**
     * Called now and then (not per reference) with the work done so far.
     *
     * @param phase the current phase's name
     * @param done  units done (references, or bytes of a compressed trace read)
     * @param total units in all, or -1 if unknown
     */
    void update(String phase, long done, long total);

    /**
     * Whether the user asked the run to stop (SIGINT). The engine asks at safe points, between
     * references every few thousand of them, and then stops with what it has, marked interrupted.
     */
    default boolean stopRequested() {
        return false;
    }
}
