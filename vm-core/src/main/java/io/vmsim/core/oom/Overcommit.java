package io.vmsim.core.oom;

import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.vmstat.VmEvent;
import io.vmsim.core.vmstat.VmStat;

import java.util.function.LongSupplier;

/**
 * Overcommit accounting ({@code __vm_enough_memory()} in {@code mm/util.c},
 * {@code Documentation/mm/overcommit-accounting.rst}). {@code Committed_AS} is the sum of the
 * accountable areas (private writable mappings, {@code VM_ACCOUNT}).
 * <ul>
 *   <li>mode 0 (heuristic): refuses a single mapping larger than total RAM + swap;</li>
 *   <li>mode 1 (always): never refuses;</li>
 *   <li>mode 2 (never overcommit): refuses a mapping unless the new {@code Committed_AS} stays
 *       below {@code CommitLimit} = (RAM - hugetlb pool) x {@code overcommit_ratio} / 100 + swap (or
 *       {@code overcommit_kbytes} + swap), as {@code vm_commit_limit()}.</li>
 * </ul>
 * Simplification: the admin and user reserves ({@code vm.admin_reserve_kbytes},
 * {@code vm.user_reserve_kbytes}) are zero, so the limit is exactly CommitLimit. As in the
 * kernel, the mapping is charged first and allowed only if the total is then strictly below
 * the limit.
 */
public final class Overcommit {
    private final int mode;
    private final long ratio;
    private final long kbytes;
    private final long ramPages;
    private final LongSupplier swapPages;
    private final LongSupplier hugetlbPages;
    private final VmStat vmstat;
    private long committed;

    public Overcommit(int mode, long ratio, long kbytes, long ramPages, LongSupplier swapPages, LongSupplier hugetlbPages,
            VmStat vmstat) {
        this.mode = mode;
        this.ratio = ratio;
        this.kbytes = kbytes;
        this.ramPages = ramPages;
        this.swapPages = swapPages;
        this.hugetlbPages = hugetlbPages;
        this.vmstat = vmstat;
    }

    /** {@code vm_commit_limit()} in pages: the hugetlb pool is not RAM that anonymous memory can use (mm/util.c). */
    public long commitLimitPages() {
        long allowed = kbytes != 0 ? kbytes >> 2 : (ramPages - hugetlbPages.getAsLong()) * ratio / 100;
        return allowed + swapPages.getAsLong();
    }

    /** False under mode 2: {@code do_mmap()} ignores {@code MAP_NORESERVE} when overcommit is never allowed (mm/mmap.c). */
    public boolean honoursNoreserve() {
        return mode != 2;
    }

    /** {@code Committed_AS} in pages. */
    public long committedPages() {
        return committed;
    }

    /** Charges {@code pages} for {@code mm}, or throws {@link WorkloadException} (ENOMEM) naming the process and size. */
    public void account(Mm mm, long pages) {
        switch (mode) {
            case 1 -> committed += pages;
            case 0 -> {
                long total = ramPages + swapPages.getAsLong();
                if (pages > total) {
                    refuse(mm, pages, "it is larger than RAM + swap (" + total * 4 + " kB) "
                            + "under heuristic overcommit (vm.overcommit_memory = 0)");
                }
                committed += pages;
            }
            default -> {
                long limit = commitLimitPages();
                if (committed + pages >= limit) {
                    refuse(mm, pages, "Committed_AS would be " + (committed + pages) * 4 + " kB, not below CommitLimit "
                            + limit * 4 + " kB (vm.overcommit_memory = 2)");
                }
                committed += pages;
            }
        }
    }

    /** Returns {@code pages} to the pool. */
    public void unaccount(long pages) {
        committed -= pages;
    }

    private void refuse(Mm mm, long pages, String why) {
        vmstat.count(VmEvent.OVERCOMMIT_REFUSED);
        throw new WorkloadException(String.format("mmap of %d bytes by %s (pid %d) failed with ENOMEM: %s",
                pages << 12, mm.comm.isEmpty() ? "mm " + mm.id() : mm.comm, mm.pid, why));
    }
}
