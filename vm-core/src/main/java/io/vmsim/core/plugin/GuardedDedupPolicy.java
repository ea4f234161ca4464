package io.vmsim.core.plugin;

import io.vmsim.api.policy.DedupPolicy;

/** A {@link DedupPolicy} whose throws and non-positive paces stop the run (see {@link PolicyGuards}). */
final class GuardedDedupPolicy implements DedupPolicy {
    private final DedupPolicy p;
    private final String name;
    private final String origin;
    /** The plugin's class loader, made the context class loader during each call; null for a built-in. */
    private final ClassLoader loader;

    GuardedDedupPolicy(DedupPolicy p, String name, String origin, ClassLoader loader) {
        this.p = p;
        this.name = name;
        this.origin = origin;
        this.loader = loader;
    }

    @Override
    public boolean enabled() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.enabled();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.enabled", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public int pagesToScan(int configured) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.pagesToScan(configured);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.pagesToScan", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n <= 0) {
            throw PolicyGuards.returned(name, origin, "DedupPolicy.pagesToScan", "returned " + n + "; expected at least 1");
        }
        return n;
    }

    @Override
    public int sleepMillis(int configured) {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.sleepMillis(configured);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.sleepMillis", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < 0) {
            throw PolicyGuards.returned(name, origin, "DedupPolicy.sleepMillis", "returned " + n + "; expected at least 0");
        }
        return n;
    }

    @Override
    public boolean shouldMerge(int candidatePfn, int stablePfn, int sharing) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.shouldMerge(candidatePfn, stablePfn, sharing);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.shouldMerge", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean shouldScan(int pfn, int checksum, int age) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.shouldScan(pfn, checksum, age);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.shouldScan", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void fullScanDone(long fullScans) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.fullScanDone(fullScans);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.fullScanDone", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin, loader);
    }
}
