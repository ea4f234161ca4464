package io.vmsim.policies.migration;

/**
 * QEMU's postcopy: after serving a page the destination faulted on, the background stream
 * continues from the page after it ({@code migration/ram.c}: {@code get_queued_page()} leaves
 * {@code pss} at the requested block and offset, and the bulk walk resumes there). The seed puts
 * it as "background transfer seeks at the last userfault address": a guest that reads its memory
 * sequentially then finds the pages already sent. Precopy rounds walk in address order.
 */
final class LastFaultFirstMigrationPolicy extends LinearMigrationPolicy {
    @Override
    public boolean observesRemoteFaults() {
        return true;
    }

    @Override
    public void remoteFault(long page, long timeNs) {
        postcopy = true; // faults come only in postcopy: the stream starts from here, not from page 0
        cursor = page + 1;
    }
}
