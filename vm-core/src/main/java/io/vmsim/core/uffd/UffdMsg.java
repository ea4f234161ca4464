package io.vmsim.core.uffd;

/**
 * One {@code struct uffd_msg} read from a userfaultfd, with the simulated time it was queued.
 * Which fields mean something depends on {@link #event}, as in the kernel's union:
 * <ul>
 *   <li>{@code UFFD_EVENT_PAGEFAULT}: {@link #address} (aligned to the page, a hugetlb area's huge page, unless
 *       {@code UFFD_FEATURE_EXACT_ADDRESS}), {@link #flags} ({@code UFFD_PAGEFAULT_FLAG_WRITE},
 *       {@code _WP}, {@code _MINOR}), {@link #ptid} (the faulting thread's id with
 *       {@code UFFD_FEATURE_THREAD_ID}, else 0);</li>
 *   <li>{@code UFFD_EVENT_FORK}: {@link #child}, the new userfaultfd of the child;</li>
 *   <li>{@code UFFD_EVENT_REMAP}: {@link #address} the old start, {@link #address2} the new
 *       start, {@link #length} the new length;</li>
 *   <li>{@code UFFD_EVENT_REMOVE} and {@code UFFD_EVENT_UNMAP}: {@link #address} the start and
 *       {@link #address2} the end of the range.</li>
 * </ul>
 * Messages are made on the slow path only (a fault that goes to the monitor, an event).
 *
 * @param event    {@code UFFD_EVENT_*}
 * @param address  see above
 * @param flags    pagefault flags
 * @param ptid     the faulting thread's id, or 0
 * @param address2 see above
 * @param length   see above
 * @param child    the child's userfaultfd of a FORK event, or null
 * @param queuedNs simulated time at which the message was queued (the fault or the event happened)
 */
public record UffdMsg(int event, long address, long flags, int ptid, long address2, long length,
                      Userfaultfd child, long queuedNs) {

    /** True for a {@code UFFD_EVENT_PAGEFAULT}. */
    public boolean isPagefault() {
        return event == Uffd.UFFD_EVENT_PAGEFAULT;
    }

    @Override
    public String toString() {
        return switch (event) {
            case Uffd.UFFD_EVENT_PAGEFAULT -> String.format("PAGEFAULT 0x%x flags %d ptid %d at %d ns", address, flags, ptid, queuedNs);
            case Uffd.UFFD_EVENT_FORK -> "FORK at " + queuedNs + " ns";
            case Uffd.UFFD_EVENT_REMAP -> String.format("REMAP 0x%x -> 0x%x len %d at %d ns", address, address2, length, queuedNs);
            default -> String.format("%s [0x%x, 0x%x) at %d ns", Uffd.eventName(event), address, address2, queuedNs);
        };
    }
}
