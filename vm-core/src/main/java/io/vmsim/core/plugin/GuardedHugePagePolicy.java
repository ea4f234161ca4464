package io.vmsim.core.plugin;

import io.vmsim.api.PageSize;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;

/**
 * A {@link HugePagePolicy} whose throws and unusable fault decisions (null, a null or
 * unsupported size, a huge size without an effort) stop the run (see {@link PolicyGuards}).
 */
final class GuardedHugePagePolicy implements HugePagePolicy {
    private final HugePagePolicy p;
    private final String name;
    private final String origin;
    /** The plugin's class loader, made the context class loader during each call; null for a built-in. */
    private final ClassLoader loader;

    GuardedHugePagePolicy(HugePagePolicy p, String name, String origin, ClassLoader loader) {
        this.p = p;
        this.name = name;
        this.origin = origin;
        this.loader = loader;
    }

    @Override
    public FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag) {
        FaultDecision d;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            d = p.onFault(vma, address, write, enabled, defrag);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "HugePagePolicy.onFault", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (d == null || d.size() == null || d.size() == PageSize.SIZE_1G || d.size() == PageSize.SIZE_2M && d.effort() == null) {
            throw PolicyGuards.returned(name, origin, "HugePagePolicy.onFault",
                    "returned " + d + " at 0x" + Long.toHexString(address)
                            + "; expected a FaultDecision of size 4K, or 2M with an effort");
        }
        return d;
    }

    @Override
    public boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.shouldCollapse(vma, address, none, swap, shared, young);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "HugePagePolicy.shouldCollapse", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean shouldSplit(VmaView vma, long address, int idleScans) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.shouldSplit(vma, address, idleScans);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "HugePagePolicy.shouldSplit", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin, loader);
    }
}
