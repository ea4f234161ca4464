package io.vmsim.core;

import com.google.inject.Inject;
import io.vmsim.core.compaction.Compaction;
import io.vmsim.core.compaction.Kcompactd;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.hugepage.HugePageSplitter;
import io.vmsim.core.hugetlb.HugetlbPools;
import io.vmsim.core.khugepaged.Khugepaged;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.HugePageHooks;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.time.Daemons;

/**
 * The huge-page subsystems of one machine (THP, issue 5), built with it and plugged into the
 * kernel's generic paths through {@link HugePageHooks}: {@code split_huge_page()} and the
 * deferred split queue, page migration, compaction with direct compaction in the allocator and
 * one {@code kcompactd} per node, {@code khugepaged} and {@code MADV_COLLAPSE}, and the
 * hugetlbfs pools.
 */
public final class ThpSubsystem implements HugePageHooks {
    private final Kernel kernel;
    private final HugePageSplitter splitter;
    private final Migrator migrator;
    private final Compaction compaction;
    private final Khugepaged khugepaged;
    private final HugetlbPools hugetlb;

    @Inject
    ThpSubsystem(Kernel kernel, Daemons daemons, CoreConfig config) {
        this.kernel = kernel;
        this.splitter = new HugePageSplitter(kernel);
        this.migrator = new Migrator(kernel);
        this.compaction = new Compaction(kernel, migrator, splitter, config.getInt(CoreKeys.EXTFRAG_THRESHOLD),
                Math.round(config.getDouble(CoreKeys.COST_COMPACT_SCAN) * 1000.0));
        kernel.allocator.setCompactionHooks(compaction);
        Kcompactd.start(compaction, kernel.allocator.zones(), kernel.frames.nrNodes(), daemons, kernel.vmstat);
        this.khugepaged = new Khugepaged(kernel, config.getInt(CoreKeys.KHUGEPAGED_PAGES_TO_SCAN),
                config.getLong(CoreKeys.KHUGEPAGED_SCAN_SLEEP_MS), config.getLong(CoreKeys.KHUGEPAGED_ALLOC_SLEEP_MS),
                config.getBoolean(CoreKeys.KHUGEPAGED_DEFRAG));
        if (!"never".equals(kernel.thpEnabled)) {
            daemons.register(khugepaged, khugepaged.scanSleepNs());
        }
        this.hugetlb = new HugetlbPools(kernel, config.getInt(CoreKeys.NR_HUGEPAGES), config.getInt(CoreKeys.NR_HUGEPAGES_1G));
        kernel.shmemEnabled = config.getString(CoreKeys.THP_SHMEM_ENABLED);
        kernel.huge = this;
    }

    public HugePageSplitter splitter() {
        return splitter;
    }

    public Migrator migrator() {
        return migrator;
    }

    public Compaction compaction() {
        return compaction;
    }

    public Khugepaged khugepaged() {
        return khugepaged;
    }

    public HugetlbPools hugetlb() {
        return hugetlb;
    }

    /**
     * {@code /sys/kernel/debug/extfrag/extfrag_index} ({@code extfrag_show_print()} in
     * {@code mm/vmstat.c}): per zone, the fragmentation index of each order as a fraction of
     * 1000 with three decimals; -1.000 where a block of that order is free.
     */
    public String extfragIndex() {
        kernel.allocator.drainAll();
        StringBuilder sb = new StringBuilder();
        for (io.vmsim.core.alloc.Zone z : kernel.allocator.zones()) {
            sb.append(String.format(java.util.Locale.ROOT, "Node %d, zone %8s ", z.node(), z.name()));
            for (int order = 0; order <= io.vmsim.core.alloc.Zone.MAX_ORDER; order++) {
                int idx = Compaction.fragmentationIndex(z, order);
                sb.append(String.format(java.util.Locale.ROOT, "%d.%03d ", idx / 1000, Math.abs(idx % 1000)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public void partiallyUnmapped(int head) {
        splitter.queue(head);
    }

    @Override
    public void folioFreed(int head) {
        splitter.forget(head);
    }

    @Override
    public void splitFolio(int pfn, int cpu) {
        splitter.split(pfn, cpu);
    }

    @Override
    public int collapse(Mm mm, Vma vma, long start, long end, int cpu) {
        return khugepaged.collapseRange(mm, vma, start, end, cpu);
    }

    @Override
    public void hugetlbReserve(Mm mm, Vma vma, long pageSize, String comm) {
        hugetlb.reserve(mm, vma, pageSize, comm);
    }

    @Override
    public void hugetlbFault(Task task, Vma vma, long va, boolean write) {
        hugetlb.fault(task, vma, va, write);
    }

    @Override
    public int hugetlbInstall(Mm mm, Vma vma, long haddr, long bits, int cpu) {
        return hugetlb.install(mm, vma, haddr, bits, cpu);
    }

    @Override
    public long hugetlbPageSize(Vma vma) {
        return hugetlb.pageSize(vma);
    }

    @Override
    public void hugetlbSplit(Vma lower, Vma upper) {
        hugetlb.split(lower, upper);
    }

    @Override
    public long hugetlbTotalPages() {
        return hugetlb.totalPages();
    }

    @Override
    public void hugetlbUnmap(Mm mm, Vma vma, long start, long end, int cpu) {
        hugetlb.unmap(mm, vma, start, end, cpu);
    }

    Kernel kernel() {
        return kernel;
    }
}
