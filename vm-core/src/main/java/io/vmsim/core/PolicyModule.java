package io.vmsim.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.memcg.PolicyFactory;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.plugin.PolicyGuards;
import io.vmsim.core.time.SimClock;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Instantiates the selected policy of each kind through its provider. Policies never see
 * Guice: they get a {@link PolicyContext} with their validated settings, read-only views of the
 * machine and a random source seeded from the run's seed and the policy's name.
 */
final class PolicyModule extends AbstractModule {
    private final CoreConfig config;
    private final PolicyCatalog catalog;
    /** Set by the provider methods before any policy is created. */
    private io.vmsim.api.policy.PolicyEvents events = io.vmsim.api.policy.PolicyEvents.NONE;

    PolicyModule(CoreConfig config, PolicyCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    @Provides
    @Singleton
    MachineView machineView(PageFrames frames, io.vmsim.core.topology.NumaTopology topology, SimClock clock,
                            PageAllocator allocator, com.google.inject.Provider<io.vmsim.core.mm.Kernel> kernel) {
        // the kernel is built after the policies; the view reads its counters lazily
        return new CoreMachineView(frames, topology, clock,
                () -> Reports.vmstat(kernel.get()), allocator::freePagesOfNode);
    }

    @Provides
    @Singleton
    PageLists pageLists(PageFrames frames) {
        return new FramePageLists(frames);
    }

    /** Events policies count ({@code pgactivate}, {@code workingset_activate_*}) go to the machine's vmstat. */
    @Provides
    @Singleton
    io.vmsim.api.policy.PolicyEvents policyEvents(io.vmsim.core.vmstat.VmStat vmstat) {
        io.vmsim.core.vmstat.VmEvent[] to = new io.vmsim.core.vmstat.VmEvent[io.vmsim.api.policy.PolicyEvents.Event.values().length];
        for (io.vmsim.api.policy.PolicyEvents.Event e : io.vmsim.api.policy.PolicyEvents.Event.values()) {
            to[e.ordinal()] = io.vmsim.core.vmstat.VmEvent.valueOf(e.name());
        }
        return (event, n) -> vmstat.add(to[event.ordinal()], n);
    }

    @Provides
    @Singleton
    Policies policies(MachineView view, PageLists lists, io.vmsim.api.policy.PolicyEvents events) {
        this.events = events;
        int nrFrames = view.frames().nrFrames();
        // The frames' own links and eight bits are reclaim's alone; every other kind gets lists
        // and bits of its own, allocated only if it uses them, so it can never touch reclaim's.
        return new Policies(
                create(PolicyKind.RECLAIM, CoreKeys.POLICY_RECLAIM, view, lists, ReclaimPolicy.class, 0,
                        nodePages(view, 0), 0),
                create(PolicyKind.THP, CoreKeys.POLICY_THP, view, new KindPageLists(nrFrames), HugePagePolicy.class,
                        -1, nrFrames, 0),
                create(PolicyKind.NUMA, CoreKeys.POLICY_NUMA, view, new KindPageLists(nrFrames), NumaPolicy.class,
                        -1, nrFrames, 0),
                create(PolicyKind.KSM, CoreKeys.POLICY_KSM, view, new KindPageLists(nrFrames), DedupPolicy.class,
                        -1, nrFrames, 0),
                create(PolicyKind.MIGRATION, CoreKeys.POLICY_MIGRATION, view, new KindPageLists(nrFrames),
                        MigrationPolicy.class, -1, nrFrames, 0));
    }

    private static long nodePages(MachineView view, int node) {
        return view.topology().nodeFrames(node);
    }

    /**
     * More reclaim policy instances, one per LRU domain (node x memory cgroup) beyond the first
     * (reclaim, issue 3): each gets its node in {@code PolicyContext.node()} and a seed of its own.
     */
    @Provides
    @Singleton
    PolicyFactory reclaimDomains(MachineView view, PageLists lists, io.vmsim.api.policy.PolicyEvents events) {
        this.events = events;
        return (node, memcg, capacity) -> create(PolicyKind.RECLAIM, CoreKeys.POLICY_RECLAIM, view, lists,
                ReclaimPolicy.class, node, capacity, io.vmsim.core.config.PolicySeeds.domain(node, memcg));
    }

    private <P extends Policy> P create(PolicyKind kind, String key, MachineView view, PageLists lists, Class<P> type,
                                        int node, long capacity, long domain) {
        String name = config.getString(key);
        PolicyProvider provider = catalog.provider(kind, name);
        Settings settings = config.policySettings(kind, name);
        long seed = io.vmsim.core.config.PolicySeeds.seed(config.getLong(CoreKeys.SEED), kind, name, domain);
        PolicyContext ctx = new PolicyContext() {
            private final RandomGenerator random = new SplittableRandom(seed);

            @Override
            public Settings settings() {
                return settings;
            }

            @Override
            public MachineView machine() {
                return view;
            }

            @Override
            public RandomGenerator random() {
                return random;
            }

            @Override
            public PageLists pageLists() {
                return lists;
            }

            @Override
            public io.vmsim.api.policy.PolicyEvents events() {
                return events;
            }

            @Override
            public int node() {
                return node;
            }

            @Override
            public long capacity() {
                return capacity;
            }
        };
        Policy p;
        try {
            p = provider.create(ctx);
        } catch (PolicyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, name, catalog.origin(provider),
                    "PolicyProvider.create threw " + e, e);
        }
        if (!type.isInstance(p)) {
            throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, name, catalog.origin(provider),
                    "PolicyProvider.create returned " + (p == null ? "null" : p.getClass().getName())
                            + "; expected a " + type.getSimpleName(), null);
        }
        // Only here are name and origin known: every later call is checked in their name.
        return PolicyGuards.guard(type.cast(p), name, catalog.origin(provider), view, PolicyGuards.contextLoader(provider));
    }
}
