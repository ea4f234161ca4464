package io.vmsim.api.policy;

/**
 * What a {@link MigrationPolicy} sees of a live migration in progress: the guest's RAM as pages
 * {@code 0 .. pages()-1}, and which of them are <em>pending</em>, still to be sent by the source.
 * In a precopy round the pending pages are the ones the round must send (all of them in round 1,
 * then the pages the dirty log found written during the previous round, less those already sent
 * in this one); in postcopy they are the pages the destination has not received and that are
 * not already on the link. Read-only; the core answers every call in O(pages / 64) at most.
 */
public interface MigrationView {
    /** The guest's RAM in 4 KiB pages. */
    long pages();

    /** True in postcopy (the guest runs on the destination), false in a precopy round. */
    boolean postcopy();

    /** The precopy round under way, from 1; in postcopy, the number of precopy rounds that came before. */
    int round();

    /** True if page {@code page} is still to be sent. */
    boolean pending(long page);

    /** Pages still to be sent (in this round, or in postcopy). */
    long pendingCount();

    /** The first pending page at or after {@code from} (no wrapping), or -1 when there is none. */
    long nextPending(long from);

    /** The last pending page at or before {@code from} (no wrapping), or -1 when there is none. */
    long previousPending(long from);
}
