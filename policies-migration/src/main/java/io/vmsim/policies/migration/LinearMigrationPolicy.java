package io.vmsim.policies.migration;

import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.MigrationView;

/**
 * Sends pages in address order, in every precopy round and in the postcopy background stream,
 * whatever the destination faults on: the faulted pages jump the queue (the core sends them
 * first) but the stream keeps its place.
 */
class LinearMigrationPolicy implements MigrationPolicy {
    /** The next page the walk looks at. */
    protected long cursor;
    private int round = -1;
    /** True once the postcopy stream has begun (the first postcopy call or remote fault). */
    protected boolean postcopy;

    @Override
    public long nextPrecopyPage(MigrationView view) {
        if (view.round() != round || postcopy) {
            round = view.round();
            postcopy = false;
            cursor = 0; // each round walks the dirty bitmap from its start, as ram_find_and_save_block() does
        }
        return walk(view);
    }

    @Override
    public long nextPostcopyPage(MigrationView view) {
        if (!postcopy) {
            postcopy = true;
            cursor = 0;
        }
        return walk(view);
    }

    /** The first pending page at or after the cursor, wrapping once to the start of RAM. */
    final long walk(MigrationView view) {
        long p = cursor < view.pages() ? view.nextPending(cursor) : -1;
        if (p < 0) {
            p = view.nextPending(0);
        }
        cursor = p < 0 ? 0 : p + 1;
        return p;
    }
}
