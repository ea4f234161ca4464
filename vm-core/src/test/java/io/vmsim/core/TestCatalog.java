package io.vmsim.core;

import io.vmsim.api.PageSize;
import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.BitSet;
import java.util.List;
import java.util.function.Function;

/**
 * Minimal policies for engine tests, so vm-core's tests need no policy module: a reclaim policy
 * that tracks the set of pages it was given (and checks the core never adds a page twice or
 * removes one it never added), a THP policy following {@code enabled}, local NUMA placement and
 * no KSM. The names match the default configuration.
 */
final class TestCatalog implements io.vmsim.core.plugin.PolicyCatalog {
    /** The reclaim policy instance of the last machine built, for assertions. */
    static TrackingReclaim lastReclaim;
    /** The recording reclaim policy of the last machine built with exact-lru or second-chance. */
    static ReclaimTestPolicies.Recording lastRecording;
    /** The last {@code counting} KSM policy created (KSM, issue 11). */
    static CountingDedup lastDedup;

    /** A KSM policy that counts the pages ksmd offers it, KSM pages apart. */
    static final class CountingDedup implements DedupPolicy {
        private final io.vmsim.api.machine.FrameView frames;
        final java.util.Set<Integer> ksmChecksums = new java.util.HashSet<>();
        long offered;

        CountingDedup(io.vmsim.api.machine.FrameView frames) {
            this.frames = frames;
        }

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public boolean shouldScan(int pfn, int checksum, int age) {
            offered++;
            if (((io.vmsim.core.alloc.PageFrames) frames).test(pfn, io.vmsim.core.alloc.PageFrames.PG_KSM)) {
                ksmChecksums.add(checksum);
            }
            return true;
        }
    }

    static final class TrackingReclaim implements ReclaimPolicy {
        final BitSet tracked = new BitSet();
        /** Pages added through pageAddedByWrite (a whole-page write() miss of a disk file). */
        final BitSet addedByWrite = new BitSet();
        final boolean observe;
        long accesses;

        TrackingReclaim(boolean observe) {
            this.observe = observe;
        }

        @Override
        public boolean observesEveryAccess() {
            return observe;
        }

        @Override
        public void pageAdded(int pfn, boolean anon) {
            if (tracked.get(pfn)) {
                throw new IllegalStateException("page " + pfn + " added twice");
            }
            tracked.set(pfn);
        }

        @Override
        public void pageAddedByWrite(int pfn) {
            addedByWrite.set(pfn);
            pageAdded(pfn, false);
        }

        @Override
        public void pageRemoved(int pfn) {
            if (!tracked.get(pfn)) {
                throw new IllegalStateException("page " + pfn + " removed but never added");
            }
            tracked.clear(pfn);
        }

        @Override
        public void pageAccessed(int pfn, boolean write) {
            if (!tracked.get(pfn)) {
                throw new IllegalStateException("access to untracked page " + pfn);
            }
            accesses++;
        }

        @Override
        public void shrink(ScanControl sc) {
        }

        @Override
        public int size() {
            return tracked.cardinality();
        }
    }

    /** khugepaged's max_ptes_none for the test THP policy (Linux's default 511). */
    static int maxPtesNone = 511;

    /**
     * A THP policy with Linux's rules (vma_thp_gfp_mask() for the effort, max_ptes_none and a
     * young page for khugepaged), so engine tests need not load policies-thp.
     */
    /** TestThp that demotes a huge page after two idle khugepaged visits. */
    static final class DemotingThp extends TestThpBase {
        @Override
        public boolean shouldSplit(VmaView vma, long address, int idleScans) {
            return idleScans >= 2;
        }
    }

    static final class TestThp extends TestThpBase {
    }

    abstract static class TestThpBase implements HugePagePolicy {
        @Override
        public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
            boolean madvised = vma.has(VmaFlags.VM_HUGEPAGE);
            boolean on = enabled.equals("always") || (enabled.equals("madvise") && madvised);
            if (!on || vma.has(VmaFlags.VM_NOHUGEPAGE)) {
                return FaultDecision.BASE;
            }
            Effort e = switch (defrag) {
                case "always" -> madvised ? Effort.DIRECT : Effort.DIRECT_NORETRY;
                case "defer" -> Effort.WAKE_DAEMONS;
                case "defer+madvise" -> madvised ? Effort.DIRECT : Effort.WAKE_DAEMONS;
                case "madvise" -> madvised ? Effort.DIRECT : Effort.LIGHT;
                default -> Effort.LIGHT;
            };
            return new FaultDecision(PageSize.SIZE_2M, e);
        }

        @Override
        public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
            return !vma.has(VmaFlags.VM_NOHUGEPAGE) && none <= maxPtesNone && young > 0;
        }
    }

    private static PolicyProvider provider(String name, PolicyKind kind, Function<PolicyContext, Policy> f) {
        return new PolicyProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public PolicyKind kind() {
                return kind;
            }

            @Override
            public String description() {
                return "test " + name;
            }

            @Override
            public Policy create(PolicyContext context) {
                return f.apply(context);
            }
        };
    }

    /** What the "capacity" reclaim policy instances were told, in order: "node/capacity" at creation, "=N" on a change. */
    static final List<String> capacities = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A reclaim policy that records its domain's capacity ({@code PolicyContext.capacity()}, {@code capacityChanged}). */
    static final class CapacityReclaim extends ReclaimTestPolicies.ExactLru {
        CapacityReclaim(PolicyContext c) {
            super(c.machine().frames());
            capacities.add(c.node() + "/" + c.capacity());
        }

        @Override
        public void capacityChanged(long pages) {
            capacities.add("=" + pages);
        }
    }

    /**
     * A THP policy that sets all eight bits of every frame and strings every frame on a list of
     * its own when it is created: it must not disturb the reclaim policy's lists and bits.
     */
    static final class ScribblingThp extends TestThpBase {
        ScribblingThp(PolicyContext c) {
            io.vmsim.api.machine.PageLists l = c.pageLists();
            int list = l.newList();
            for (int pfn = 0; pfn < c.machine().frames().nrFrames(); pfn++) {
                l.setBits(pfn, 0xff);
                l.addTail(list, pfn);
            }
        }
    }

    private final List<PolicyProvider> providers = List.of(
            provider("capacity", PolicyKind.RECLAIM, CapacityReclaim::new),
            provider("scribbler", PolicyKind.THP, ScribblingThp::new),
            provider("lru", PolicyKind.RECLAIM, c -> lastReclaim = new TrackingReclaim(true)),
            // the default name: a tracking policy that learns by scanning, as linux-2list does
            provider("linux-2list", PolicyKind.RECLAIM, c -> lastReclaim = new TrackingReclaim(false)),
            provider("fifo", PolicyKind.RECLAIM, c -> lastReclaim = new TrackingReclaim(false)),
            provider("exact-lru", PolicyKind.RECLAIM, c -> lastRecording = new ReclaimTestPolicies.ExactLru(c.machine().frames())),
            provider("two-list", PolicyKind.RECLAIM, c -> lastRecording = new ReclaimTestPolicies.TwoList(c.machine().frames())),
            provider("young-walk", PolicyKind.RECLAIM, c -> lastRecording = new LruGenWalkTest.Walker(c.machine().frames())),
            provider("second-chance", PolicyKind.RECLAIM,
                    c -> lastRecording = new ReclaimTestPolicies.SecondChance(c.machine().frames())),
            provider("linux", PolicyKind.THP, c -> new TestThp()),
            provider("demoting", PolicyKind.THP, c -> new DemotingThp()),
            provider("first-touch", PolicyKind.NUMA, c -> (NumaPolicy) (TaskView task, VmaView vma, long address, int localNode) -> localNode),
            // automatic NUMA balancing is tested with the real policy (issue 10)
            provider("linux", PolicyKind.NUMA, c -> new io.vmsim.policies.numa.LinuxNumaPolicy(c.machine().topology().nrNodes())),
            provider("none", PolicyKind.KSM, c -> (DedupPolicy) () -> false),
            // KSM (issue 11): Linux's ksmd adds nothing to the core's mechanism
            provider("linux", PolicyKind.KSM, c -> (DedupPolicy) () -> true),
            provider("counting", PolicyKind.KSM, c -> lastDedup = new CountingDedup(c.machine().frames())),
            // live migration (issue 12): the real policies of policies-migration, the default first
            builtIn(PolicyKind.MIGRATION, "last-fault-first"),
            builtIn(PolicyKind.MIGRATION, "linear"),
            builtIn(PolicyKind.MIGRATION, "adaptive-prepaging"));

    /** The provider of policies-migration (a test dependency) named {@code name}. */
    private static PolicyProvider builtIn(PolicyKind kind, String name) {
        for (PolicyProvider p : java.util.ServiceLoader.load(PolicyProvider.class)) {
            if (p.kind() == kind && p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException("no built-in " + kind + " policy " + name);
    }

    @Override
    public PolicyProvider provider(PolicyKind kind, String name) {
        for (PolicyProvider p : providers) {
            if (p.kind() == kind && p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no test policy " + kind + "/" + name);
    }

    @Override
    public String origin(PolicyProvider provider) {
        return "test";
    }

    @Override
    public List<PolicyProvider> all() {
        return providers;
    }
}
