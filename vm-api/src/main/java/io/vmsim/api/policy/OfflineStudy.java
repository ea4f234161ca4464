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

        /** Returned by {@link #incomingPageId()} and {@link #pageIdOf} when there is no such page or no ids. */
        int NO_PAGE_ID = -1;

        /**
         * True if the driver numbers the trace's pages densely: 0, 1, 2, ... in order of first
         * reference, one id per page for the whole study, so that a policy may keep per-page state
         * (ghost entries) in arrays indexed by id instead of hashing page keys. Then
         * {@link #incomingPageId()} and {@link #pageIdOf} answer; else they return
         * {@link #NO_PAGE_ID}. Opt-in and read once, in {@code study()}: a policy must give the
         * same results with and without ids (both engines of {@code vmsim mrc} offer them except
         * {@code --machine}; a test runs every built-in policy both ways).
         */
        default boolean numbersPages() {
            return false;
        }

        /**
         * The id of the page whose miss is being handled (when {@link #incomingPageKey()} is
         * valid), else {@link #NO_PAGE_ID}; always {@link #NO_PAGE_ID} unless {@link #numbersPages()}.
         */
        default int incomingPageId() {
            return NO_PAGE_ID;
        }

        /**
         * The id of the page in frame {@code pfn}, or {@link #NO_PAGE_ID} if the frame is free;
         * always {@link #NO_PAGE_ID} unless {@link #numbersPages()}.
         */
        default int pageIdOf(int pfn) {
            return NO_PAGE_ID;
        }

        /**
         * Asks the study to keep one int per page id for the policy, beside the study's own entry
         * for that page (the same cache line, which the study reads on every reference to the page
         * anyway), and returns true if it does: then {@link #pageWord} and {@link #setPageWord}
         * answer for every id the study has numbered. Opt-in, asked once in {@code study()} and
         * only if {@link #numbersPages()}: a policy must give the same results with and without
         * the words (the per-size engine of {@code vmsim mrc} offers them; a test runs every
         * built-in policy both ways).
         */
        default boolean keepsPageWords() {
            return false;
        }

        /** The word kept for page id {@code id}, 0 until set; only if {@link #keepsPageWords()} returned true. */
        default int pageWord(int id) {
            throw new UnsupportedOperationException("this study keeps no page words");
        }

        /** Sets the word kept for page id {@code id}; only if {@link #keepsPageWords()} returned true. */
        default void setPageWord(int id, int word) {
            throw new UnsupportedOperationException("this study keeps no page words");
        }

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
