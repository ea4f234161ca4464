package io.vmsim.core.uffd;

/**
 * A monitor thread that resolves each fault after a modelled delay: the time to fetch the page
 * over a network or from storage, {@code latencyNs} per request plus the page's bytes at
 * {@code bandwidthMbps} megabytes per second (0: no transfer time). It reads messages in the
 * order they were queued, one at a time, so a fault that arrives while it is busy waits for the
 * ones before it (FIFO). Then it resolves the fault by its reason:
 * <ul>
 *   <li>MISSING: {@code UFFDIO_COPY} of the page (a whole huge page in a hugetlb area), or
 *       {@code UFFDIO_ZEROPAGE} when made with {@code zeropage};</li>
 *   <li>WP: {@code UFFDIO_WRITEPROTECT} clearing the protection of the page (the page's data
 *       was saved first: counted in {@link #pagesSaved()});</li>
 *   <li>MINOR: {@code UFFDIO_CONTINUE} of the page.</li>
 * </ul>
 * Non-cooperative events are read at once (no delay of their own), and counted by the userfaultfd.
 */
public final class DelayMonitor implements UffdMonitor {
    private final long latencyNs;
    private final long bandwidthMbps;
    private final boolean zeropage;
    private long pagesSaved;

    /**
     * @param latencyNs     simulated nanoseconds a request takes before its data starts to arrive (&ge; 0)
     * @param bandwidthMbps megabytes per second of the transfer (0: none)
     * @param zeropage      resolve missing faults with UFFDIO_ZEROPAGE instead of UFFDIO_COPY
     */
    public DelayMonitor(long latencyNs, long bandwidthMbps, boolean zeropage) {
        if (latencyNs < 0 || bandwidthMbps < 0) {
            throw new IllegalArgumentException("negative delay or bandwidth");
        }
        this.latencyNs = latencyNs;
        this.bandwidthMbps = bandwidthMbps;
        this.zeropage = zeropage;
    }

    /** The modelled time to serve a request of {@code bytes}: the latency plus the transfer. */
    public long delayNs(long bytes) {
        return latencyNs + (bandwidthMbps == 0 ? 0 : bytes * 1000L / bandwidthMbps);
    }

    /** Pages whose data a WP fault made the monitor save before it un-protected them. */
    public long pagesSaved() {
        return pagesSaved;
    }

    @Override
    public void handle(Userfaultfd uffd, UffdMsg msg) {
        if (!msg.isPagefault()) {
            return;
        }
        io.vmsim.core.mm.Vma vma = uffd.mm().findVma(msg.address());
        long page = 4096;
        if (vma != null && vma.has(io.vmsim.api.VmaFlags.VM_HUGETLB)) {
            page = uffd.hugePageSize(vma);
        }
        long start = msg.address() & -page;
        if ((msg.flags() & Uffd.UFFD_PAGEFAULT_FLAG_WP) != 0) {
            uffd.monitorSleep(delayNs(page)); // the page's data goes out before the write may proceed
            pagesSaved += page >>> 12;
            check(uffd, uffd.writeProtect(start, page, 0), msg, start, page);
        } else if ((msg.flags() & Uffd.UFFD_PAGEFAULT_FLAG_MINOR) != 0) {
            uffd.monitorSleep(latencyNs);
            check(uffd, uffd.cont(start, page, 0), msg, start, page);
        } else {
            uffd.monitorSleep(delayNs(zeropage ? 0 : page));
            check(uffd, zeropage ? uffd.zeropage(start, page, 0) : uffd.copy(start, page, 0), msg, start, page);
        }
    }

    private static void check(Userfaultfd uffd, long r, UffdMsg msg, long start, long len) {
        if (r == -Uffd.EEXIST) {
            uffd.wake(start, len); // another fault filled it: the ioctl woke no one
            return;
        }
        if (r < 0) {
            throw new io.vmsim.core.mm.WorkloadException("userfaultfd monitor: resolving " + msg + " failed with "
                    + Uffd.errnoName(r));
        }
    }
}
