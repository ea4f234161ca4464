package io.vmsim.core.migration;

/**
 * The destination's copy of the guest's RAM as postcopy uses it: the area is registered with
 * userfaultfd in MISSING mode, a guest access to a page that has not arrived is a missing fault
 * (a {@code UFFD_EVENT_PAGEFAULT} the destination's monitor reads and forwards to the source as
 * a page request), and a page that arrives is placed with {@code UFFDIO_COPY}, which wakes the
 * threads waiting on it. Times are ps from the start of the migration, never decreasing.
 */
public interface Destination {
    /**
     * The guest's RAM, {@code pages} 4 KiB pages, is about to be served by postcopy: the pages
     * of {@code received} arrived during precopy rounds and are placed (written) as they are;
     * every other page is missing (never sent, or discarded at the switch because the guest
     * dirtied it after it was sent: QEMU's discard bitmap, {@code MADV_DONTNEED} on the
     * destination); then the area is registered with userfaultfd in MISSING mode.
     */
    void register(long pages, java.util.BitSet received);

    /** The guest touches {@code page} at {@code timePs}; true if the page is present (no fault). */
    boolean present(long page, long timePs);

    /**
     * The guest faults on missing {@code page} at {@code timePs}: the PAGEFAULT event the monitor
     * reads. The monitor serves it by running {@code monitor}, which {@linkplain #copy copies} the
     * pages that arrive, in order, up to and including the faulted one, whose copy wakes the guest.
     * Returns once the guest is woken.
     */
    void fault(long page, long timePs, Runnable monitor);

    /** {@code page} arrived at {@code timePs}: UFFDIO_COPY of it, waking whoever waits on it. */
    void copy(long page, long timePs);

    /** Pages placed so far. */
    long copied();

    /** A destination that keeps one bit per page: the userfaultfd protocol without a machine behind it. */
    static Destination bitmap() {
        return new Destination() {
            private java.util.BitSet present = new java.util.BitSet();
            private long copied;

            @Override
            public void register(long pages, java.util.BitSet received) {
                present = (java.util.BitSet) received.clone();
            }

            @Override
            public boolean present(long page, long timePs) {
                return present.get((int) page);
            }

            @Override
            public void fault(long page, long timePs, Runnable monitor) {
                monitor.run();
                if (!present.get((int) page)) {
                    throw new IllegalStateException("the fault on page " + page + " was not resolved");
                }
            }

            @Override
            public void copy(long page, long timePs) {
                if (present.get((int) page)) {
                    throw new IllegalStateException("UFFDIO_COPY of page " + page + " twice: EEXIST");
                }
                present.set((int) page);
                copied++;
            }

            @Override
            public long copied() {
                return copied;
            }
        };
    }
}
