package io.vmsim.api.policy;

/**
 * Implemented by a reclaim policy that uses what only an offline replacement study knows: the
 * page whose miss caused a reclaim (cache algorithms such as ARC adapt on whether it is in a
 * ghost list), or the future of the reference string (Belady's MIN, {@code opt}). The kernel's
 * reclaim never knows either, so {@code vmsim run} never calls {@link #study}; both engines of
 * {@code vmsim mrc} (direct and {@code --machine}) call it once, before the first page is added,
 * with the same answers. A policy must work without it, or fail with a
 * {@link PolicyException.Kind#CONFIGURATION} error that says it needs a study.
 */
public interface OfflineStudy {
    /** Hands the policy the study's knowledge; called once, before the first {@code pageAdded}. */
    void study(Study study);

    /** What a study driver knows while it handles one reference. */
    interface Study {
        /** Returned by {@link #incomingPageKey()} when no miss is being handled. */
        long NO_PAGE_KEY = Long.MIN_VALUE;

        /** Returned by {@link #nextUseOfCurrent()} for a page that is never referenced again. */
        long NEVER = Long.MAX_VALUE;

        /**
         * The {@link io.vmsim.api.machine.FrameView#pageKey page key} of the page whose miss is
         * being handled (valid in the {@code shrink} that makes room for it and in its
         * {@code pageAdded}), else {@link #NO_PAGE_KEY}.
         */
        long incomingPageKey();

        /** Zero-based index of the reference being handled. */
        long position();

        /** True if the driver has the whole reference string and can answer {@link #nextUseOfCurrent()}. */
        boolean knowsFuture();

        /**
         * Index of the next reference to the page of the reference being handled, always
         * greater than {@link #position()}, or {@link #NEVER}. Valid only during the calls made
         * for that reference, and only if {@link #knowsFuture()}.
         */
        long nextUseOfCurrent();
    }
}
