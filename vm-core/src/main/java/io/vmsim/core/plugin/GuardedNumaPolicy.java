package io.vmsim.core.plugin;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.NumaHintFault;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaPromotion;
import io.vmsim.api.policy.NumaTaskStats;

/** A {@link NumaPolicy} whose throws and nodes that do not exist stop the run (see {@link PolicyGuards}). */
final class GuardedNumaPolicy implements NumaPolicy {
    private final NumaPolicy p;
    private final String name;
    private final String origin;
    /** The plugin's class loader, made the context class loader during each call; null for a built-in. */
    private final ClassLoader loader;
    private final int nrNodes;

    GuardedNumaPolicy(NumaPolicy p, String name, String origin, Topology topology, ClassLoader loader) {
        this.p = p;
        this.name = name;
        this.origin = origin;
        this.nrNodes = topology.nrNodes();
        this.loader = loader;
    }

    @Override
    public int allocationNode(TaskView task, VmaView vma, long address, int localNode) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.allocationNode(task, vma, address, localNode);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.allocationNode", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < 0 || n >= nrNodes) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.allocationNode",
                    "returned node " + n + ", which does not exist (the machine has nodes 0.." + (nrNodes - 1) + ")");
        }
        return n;
    }

    @Override
    public boolean wantsHintingFaults() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.wantsHintingFaults();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.wantsHintingFaults", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public int hintingFault(TaskView task, int pfn, int pageNode, int localNode) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.hintingFault(task, pfn, pageNode, localNode);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.hintingFault", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < -1 || n >= nrNodes) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.hintingFault",
                    "returned node " + n + ", which does not exist (expected -1 or 0.." + (nrNodes - 1) + ")");
        }
        return n;
    }

    @Override
    public int hintingFault(TaskView task, NumaHintFault fault) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.hintingFault(task, fault);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.hintingFault", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < -1 || n >= nrNodes) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.hintingFault",
                    "returned node " + n + ", which does not exist (expected -1 or 0.." + (nrNodes - 1) + ")");
        }
        return n;
    }

    @Override
    public int preferredNode(TaskView task, NumaTaskStats stats) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.preferredNode(task, stats);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.preferredNode", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < -1 || n >= nrNodes) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.preferredNode",
                    "returned node " + n + ", which does not exist (expected -1 or 0.." + (nrNodes - 1) + ")");
        }
        return n;
    }

    @Override
    public long scanPeriodMs(TaskView task, long periodMs) {
        long v;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            v = p.scanPeriodMs(task, periodMs);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.scanPeriodMs", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (v < 1) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.scanPeriodMs",
                    "returned " + v + " ms; a scan period is at least 1 ms");
        }
        return v;
    }

    @Override
    public long scanPages(TaskView task, long pages) {
        long v;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            v = p.scanPages(task, pages);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.scanPages", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (v < 1) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.scanPages",
                    "returned " + v + " pages; a scan pass marks at least 1");
        }
        return v;
    }

    @Override
    public int promotion(TaskView task, NumaPromotion fault) {
        int v;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            v = p.promotion(task, fault);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.promotion", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (v != PROMOTION_KEEP && v != PROMOTION_NOW && v != PROMOTION_RATE_LIMITED) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.promotion",
                    "returned " + v + "; expected PROMOTION_KEEP (0), PROMOTION_NOW (1) or PROMOTION_RATE_LIMITED (2)");
        }
        return v;
    }

    @Override
    public long demotionWatermarkPages(int node, long markPages) {
        long v;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            v = p.demotionWatermarkPages(node, markPages);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "NumaPolicy.demotionWatermarkPages", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (v < 0) {
            throw PolicyGuards.returned(name, origin, "NumaPolicy.demotionWatermarkPages",
                    "returned " + v + " pages; a watermark is at least 0");
        }
        return v;
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin, loader);
    }
}
