package io.vmsim.core.alloc;

import java.util.Arrays;

/**
 * One CPU's cache of free order-0 pages of one zone ({@code struct per_cpu_pages} in
 * {@code include/linux/mmzone.h}), as in kernels before 5.14: order 0 only, one list per
 * migratetype below {@link MigrateType#MIGRATE_PCPTYPES}. The lists are intrusive through
 * {@link PageFrames#prev}/{@link PageFrames#next}; a page on them has {@link PageFrames#PG_PCP}
 * and its list's migratetype in {@link PageFrames#index} (Linux's {@code set_pcppage_migratetype}).
 * The zone fills and drains the lists by {@link #batch()} pages ({@code rmqueue_bulk},
 * {@code free_pcppages_bulk} in {@code mm/page_alloc.c}).
 */
public final class PerCpuPages {
    final int[] head = new int[MigrateType.MIGRATE_PCPTYPES];
    final int[] tail = new int[MigrateType.MIGRATE_PCPTYPES];
    int count;
    final int batch;
    final int high;

    PerCpuPages(int batch) {
        this.batch = batch;
        this.high = 6 * batch;
        Arrays.fill(head, -1);
        Arrays.fill(tail, -1);
    }

    /** Pages on this CPU's lists ({@code pcp->count}). */
    public int count() {
        return count;
    }

    /** Pages moved to or from the buddy lists at once ({@code pcp->batch}). */
    public int batch() {
        return batch;
    }

    /** When {@link #count()} reaches this, a batch goes back to the buddy lists ({@code pcp->high}). */
    public int high() {
        return high;
    }
}
