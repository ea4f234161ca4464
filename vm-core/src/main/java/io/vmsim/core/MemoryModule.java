package io.vmsim.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.mmu.CpuProfile;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.time.CostModel;
import io.vmsim.core.topology.NumaTopology;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.time.SimClock;
import io.vmsim.core.vmstat.VmStat;

/** Physical memory, the page allocator, page-table storage, the clock and the MMUs. */
final class MemoryModule extends AbstractModule {
    private final CoreConfig config;

    MemoryModule(CoreConfig config) {
        this.config = config;
    }

    /** The NUMA topology of the {@code machine.numa.*} keys, checked before anything is built. */
    @Provides
    @Singleton
    NumaTopology topology() {
        return NumaTopology.from(config);
    }

    @Provides
    @Singleton
    PageFrames frames(NumaTopology topology) {
        long bytes = config.getLong(CoreKeys.MEMORY);
        long nr = bytes >>> 12;
        if (nr > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(CoreKeys.MEMORY + " = " + bytes + ": at most 4 TiB can be simulated");
        }
        // nodes one after another from PFN 0, each starting on a MAX_ORDER boundary
        PageFrames f = new PageFrames((int) nr, topology.nodeStartPfns());
        f.setHeapIfAllTouched(MachineLimits.fullHeapEstimate(config));
        f.setSectionBudget(MachineLimits.sectionBudget(config, Runtime.getRuntime().maxMemory()));
        return f;
    }

    @Provides
    @Singleton
    PageAllocator allocator(PageFrames frames, NumaTopology topology) {
        return Allocators.create(frames, config, topology);
    }

    @Provides
    @Singleton
    SimClock clock() {
        return new SimClock();
    }

    @Provides
    @Singleton
    Daemons daemons(SimClock clock) {
        return new Daemons(clock);
    }

    @Provides
    @Singleton
    CostModel cost() {
        return new CostModel(config);
    }

    @Provides
    @Singleton
    VmStat vmstat() {
        return new VmStat();
    }

    @Provides
    @Singleton
    PageTables tables(PageFrames frames, PageAllocator allocator) {
        return new PageTables(frames, allocator);
    }

    @Provides
    @Singleton
    Mmu[] mmus(PageTables tables, SimClock clock, CostModel cost) {
        CpuProfile profile = CpuProfile.byName(config.getString(CoreKeys.CPU_PROFILE));
        int cpus = config.getInt(CoreKeys.CPUS);
        Mmu[] m = new Mmu[cpus];
        for (int i = 0; i < cpus; i++) {
            m[i] = new Mmu(profile, config.getBoolean(CoreKeys.PWC), tables, config.getInt(CoreKeys.PGTABLE_LEVELS), clock, cost);
        }
        return m;
    }
}
