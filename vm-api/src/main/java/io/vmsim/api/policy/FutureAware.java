package io.vmsim.api.policy;

/**
 * Implemented by an offline reclaim policy that needs to know the future of the workload,
 * such as Belady's MIN ({@code opt}). Only a driver that has the whole reference string in
 * hand (a trace read into memory, as {@code vmsim mrc} does) can offer the future; before the
 * first page is added it calls {@link #future(NextUse)} once. A driver that cannot read its
 * source twice never calls it, and the policy must then fail with a
 * {@link PolicyException.Kind#CONFIGURATION} error that says so instead of guessing.
 */
public interface FutureAware {
    /** Hands the policy its oracle; called once, before the first {@code pageAdded}. */
    void future(NextUse oracle);

    /**
     * Answers, while the driver is handling one reference, when the same page is referenced
     * next. Valid only during {@code pageAdded}, {@code pageAccessed} and {@code shrink}
     * calls made for that reference.
     */
    interface NextUse {
        /** Returned by {@link #nextUseOfCurrent()} for a page that is never referenced again. */
        long NEVER = Long.MAX_VALUE;

        /** Zero-based index of the reference being handled. */
        long position();

        /**
         * Index of the next reference to the page of the reference being handled, always
         * greater than {@link #position()}, or {@link #NEVER}.
         */
        long nextUseOfCurrent();
    }
}
