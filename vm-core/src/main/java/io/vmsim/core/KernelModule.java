package io.vmsim.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.fault.FaultHandler;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.memcg.PolicyFactory;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.time.CostModel;
import io.vmsim.core.time.SimClock;
import io.vmsim.core.vmstat.VmStat;

/** The kernel proper: shared state, the fault handler and the memory system calls. */
final class KernelModule extends AbstractModule {
    private final CoreConfig config;

    KernelModule(CoreConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(CoreConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    Kernel kernel(PageFrames frames, PageAllocator allocator, PageTables tables, Mmu[] mmus, SimClock clock,
                  CostModel cost, VmStat vmstat, Policies policies, PolicyFactory reclaimDomains,
                  io.vmsim.core.topology.NumaTopology topology) {
        // one reclaim policy instance per LRU domain, node x memory cgroup (reclaim, issue 3)
        LruDomains lru = new LruDomains(policies.reclaim(), reclaimDomains, frames);
        Kernel k = new Kernel(frames, allocator, tables, mmus, clock, cost, vmstat,
                config.getInt(CoreKeys.PGTABLE_LEVELS), lru, policies.thp(), policies.numa(),
                config.getString(CoreKeys.THP_ENABLED), config.getString(CoreKeys.THP_DEFRAG),
                config.getBoolean(CoreKeys.THP_USE_ZERO_PAGE));
        k.useZeroPage = config.getBoolean(CoreKeys.ZERO_PAGE);
        try {
            k.interleaveWeights = io.vmsim.core.mempolicy.InterleaveWeights.parse(config.getString(CoreKeys.WEIGHTED_INTERLEAVE));
        } catch (IllegalArgumentException e) {
            throw new io.vmsim.core.config.ConfigException(java.util.List.of(e.getMessage()));
        }
        k.topology = topology;
        return k;
    }

    @Provides
    @Singleton
    FaultHandler faultHandler(Kernel kernel, Reclaim reclaim, Daemons daemons) {
        FaultHandler f = new FaultHandler(kernel);
        f.installReclaim(reclaim.fileFaults(), reclaim.swapIn());
        io.vmsim.core.numa.NumaBalancing nb = numaBalancing(kernel, daemons);
        f.installNuma(nb);
        memoryTiering(kernel, reclaim, daemons, nb);
        return f;
    }

    /** Memory tiering (issue 10): demotion on reclaim (mm.numa.demotion_enabled) and promotion (kernel.numa_balancing=2). */
    private void memoryTiering(Kernel kernel, Reclaim reclaim, Daemons daemons, io.vmsim.core.numa.NumaBalancing nb) {
        int mode = config.getInt(CoreKeys.NUMA_BALANCING);
        boolean demotion = config.getBoolean(CoreKeys.NUMA_DEMOTION_ENABLED);
        if ((mode & io.vmsim.core.memtier.Tiering.NUMA_BALANCING_MEMORY_TIERING) == 0 && !demotion) {
            return;
        }
        io.vmsim.core.memtier.Tiering t = new io.vmsim.core.memtier.Tiering(kernel, reclaim.vmscan(), daemons, mode, demotion,
                config.getLong(CoreKeys.NUMA_PROMOTE_RATE_LIMIT_MBPS), config.getLong(CoreKeys.NUMA_HOT_THRESHOLD_MS),
                config.getLong(CoreKeys.NUMA_SCAN_PERIOD_MAX_MS));
        nb.setTiering(t);
    }

    /** Automatic NUMA balancing (issue 10): kernel.numa_balancing and its scan sysctls. */
    private io.vmsim.core.numa.NumaBalancing numaBalancing(Kernel kernel, Daemons daemons) {
        int mode = config.getInt(CoreKeys.NUMA_BALANCING);
        return new io.vmsim.core.numa.NumaBalancing(kernel, kernel.numa, daemons, mode,
                config.getLong(CoreKeys.NUMA_SCAN_DELAY_MS), config.getLong(CoreKeys.NUMA_SCAN_PERIOD_MIN_MS),
                config.getLong(CoreKeys.NUMA_SCAN_PERIOD_MAX_MS), config.getLong(CoreKeys.NUMA_SCAN_SIZE_MB));
    }

    /** Page cache, swap, kswapd, overcommit and the OOM killer (reclaim, issue 3). */
    @Provides
    @Singleton
    Reclaim reclaim(Kernel kernel, MmSyscalls syscalls, Daemons daemons) {
        return Reclaim.install(kernel, config, syscalls, daemons);
    }

    /** ksmd and its trees (KSM, issue 11), registered with the daemons; hooked into the kernel. */
    @Provides
    @Singleton
    io.vmsim.core.ksm.Ksm ksm(Kernel kernel, Policies policies, Daemons daemons) {
        io.vmsim.core.ksm.Ksm ksm = new io.vmsim.core.ksm.Ksm(kernel, policies.ksm(), new io.vmsim.core.ksm.Ksm.Settings(
                config.getInt(CoreKeys.KSM_RUN), config.getInt(CoreKeys.KSM_PAGES_TO_SCAN),
                config.getInt(CoreKeys.KSM_SLEEP_MILLISECS), config.getInt(CoreKeys.KSM_MAX_PAGE_SHARING),
                config.getBoolean(CoreKeys.KSM_MERGE_ACROSS_NODES), config.getBoolean(CoreKeys.KSM_USE_ZERO_PAGES),
                config.getBoolean(CoreKeys.KSM_SMART_SCAN)),
                Math.round(config.getDouble(CoreKeys.COST_KSM_CHECKSUM) * 1000));
        kernel.ksm = ksm;
        ksm.start(daemons);
        return ksm;
    }

    @Provides
    @Singleton
    MmSyscalls syscalls(Kernel kernel) {
        return new MmSyscalls(kernel);
    }
}
