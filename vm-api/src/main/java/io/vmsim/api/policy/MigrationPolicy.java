package io.vmsim.api.policy;

/**
 * Chooses the order in which live migration sends a guest's pages: the order of each precopy
 * round, and in postcopy which page the background stream pushes next while the destination's
 * faulted pages jump the queue (QEMU's {@code migration/ram.c}, {@code ram_find_and_save_block()}
 * serving {@code unqueue_page()} before the bulk walk). The core keeps the dirty log, the link and
 * the destination's userfaultfd; the policy only names pages, which must be
 * {@linkplain MigrationView#pending pending}: any other answer stops the run.
 *
 * <p>The callbacks {@link #remoteFault}, {@link #pageSent} and {@link #pageDirtied} are opt-in:
 * each is called only if its {@code observes...} method returned true when the policy was
 * installed, so a policy that does not ask for them costs nothing on the migration's hot path.
 */
public interface MigrationPolicy extends Policy {
    /**
     * The next page a precopy round sends, a pending page of {@code view}. Called once per page
     * sent while the round has pending pages. The default walks the RAM in address order, as QEMU's
     * bulk stage does.
     */
    default long nextPrecopyPage(MigrationView view) {
        return view.nextPending(0);
    }

    /**
     * The next page the postcopy background stream pushes, a pending page of {@code view}, or -1
     * to leave the link idle until the next remote fault. Called whenever the link is free and no
     * faulted page waits.
     */
    long nextPostcopyPage(MigrationView view);

    /** True if the policy wants {@link #remoteFault}. Read once. */
    default boolean observesRemoteFaults() {
        return false;
    }

    /** True if the policy wants {@link #pageSent}. Read once. */
    default boolean observesPagesSent() {
        return false;
    }

    /** True if the policy wants {@link #pageDirtied} (one call per guest write during precopy). Read once. */
    default boolean observesDirtying() {
        return false;
    }

    /**
     * The guest, running on the destination, touched page {@code page}, which had not arrived:
     * a userfaultfd MISSING fault that the destination forwards to the source as a page request.
     * {@code timeNs} is the simulated time of the fault, from the start of the migration.
     */
    default void remoteFault(long page, long timeNs) {
    }

    /** Page {@code page} was put on the link ({@code postcopy} false in a precopy round or stop-and-copy). */
    default void pageSent(long page, boolean postcopy) {
    }

    /** The guest wrote page {@code page} on the source while precopy ran (the dirty log marked it). */
    default void pageDirtied(long page) {
    }
}
