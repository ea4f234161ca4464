package io.vmsim.core.migration;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.uffd.Uffd;
import io.vmsim.core.uffd.Userfaultfd;

import java.util.BitSet;

/**
 * The destination of a postcopy migration in the simulated machine, as QEMU's postcopy
 * destination does it ({@code migration/postcopy-ram.c}): the guest's RAM is an anonymous area
 * of the destination process, registered with a userfaultfd in MISSING mode
 * ({@code UFFDIO_REGISTER_MODE_MISSING}); the pages precopy already delivered are placed first;
 * each guest access to a missing page is a real fault of the machine's fault handler, which
 * blocks the guest thread and hands a {@code UFFD_EVENT_PAGEFAULT} message to the monitor (this
 * class, on the monitor's simulated time); every page that arrives is placed with
 * {@code UFFDIO_COPY}, which wakes the guest when it is the page it waits for. The machine's
 * clock follows the migration's: the guest's fault happens at the migration's time of it, and
 * the userfaultfd measures the guest's wait itself ({@link Userfaultfd#latenciesNs()}).
 *
 * <p>Only the guest's accesses to missing pages go through the machine; its accesses to pages
 * that are present are not replayed reference by reference.
 */
public final class UffdDestination implements Destination {
    /** A memory reference by a task, through the MMU and the fault handler ({@code Machine.access}). */
    @FunctionalInterface
    public interface Access {
        void access(Task task, long va, boolean write);
    }

    private final Kernel k;
    private final Userfaultfd uffd;
    private final Task guest;
    private final Access access;
    private final long base;
    private final long startPs;
    private Runnable serving;
    private long copied;

    /**
     * @param k       the destination machine's kernel
     * @param uffd    a userfaultfd of the guest's process, after {@code UFFDIO_API}
     * @param guest   the thread that runs the guest (its vCPU)
     * @param access  how the guest's references reach the machine
     * @param base    the start of the guest's RAM, an anonymous area of at least R bytes
     * @param startPs the machine's time at the migration's start, ps
     */
    public UffdDestination(Kernel k, Userfaultfd uffd, Task guest, Access access, long base, long startPs) {
        this.k = k;
        this.uffd = uffd;
        this.guest = guest;
        this.access = access;
        this.base = base;
        this.startPs = startPs;
    }

    @Override
    public void register(long pages, BitSet received) {
        long r = uffd.register(base, pages * MigrationSettings.PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        if (r < 0) {
            throw new WorkloadException("postcopy: UFFDIO_REGISTER of the guest's RAM failed with " + Uffd.errnoName(r));
        }
        uffd.setMonitor((u, msg) -> {
            if (msg.isPagefault() && serving != null) {
                serving.run();
            }
        });
        // the pages precopy delivered are in place before the guest resumes
        for (int p = received.nextSetBit(0); p >= 0; p = received.nextSetBit(p + 1)) {
            place(p, Uffd.UFFDIO_COPY_MODE_DONTWAKE);
        }
    }

    @Override
    public boolean present(long page, long timePs) {
        long va = base + page * MigrationSettings.PAGE;
        int table = k.walkNoAlloc(guest.mm(), va, 1);
        return table >= 0 && Pte.present(k.tables.table(table)[Pte.index(va, 1)]);
    }

    @Override
    public void fault(long page, long timePs, Runnable monitor) {
        long at = startPs + timePs;
        long now = k.clock.picoTime();
        if (at > now) {
            k.clock.advance(at - now);
        }
        serving = monitor;
        try {
            access.access(guest, base + page * MigrationSettings.PAGE, true);
        } finally {
            serving = null;
        }
    }

    @Override
    public void copy(long page, long timePs) {
        uffd.monitorSleepUntil((startPs + timePs) / 1000);
        place(page, 0);
    }

    private void place(long page, long mode) {
        long r = uffd.copy(base + page * MigrationSettings.PAGE, MigrationSettings.PAGE, mode);
        if (r != MigrationSettings.PAGE) {
            throw new WorkloadException("postcopy: UFFDIO_COPY of guest page " + page + " returned "
                    + (r < 0 ? Uffd.errnoName(r) : String.valueOf(r)));
        }
        copied++;
    }

    @Override
    public long copied() {
        return copied;
    }

    /** The userfaultfd serving the guest. */
    public Userfaultfd userfaultfd() {
        return uffd;
    }
}
