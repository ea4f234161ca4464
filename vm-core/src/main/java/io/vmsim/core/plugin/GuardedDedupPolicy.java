package io.vmsim.core.plugin;

import io.vmsim.api.policy.DedupPolicy;

/** A {@link DedupPolicy} whose throws and non-positive paces stop the run (see {@link PolicyGuards}). */
final class GuardedDedupPolicy implements DedupPolicy {
    private final DedupPolicy p;
    private final String name;
    private final String origin;

    GuardedDedupPolicy(DedupPolicy p, String name, String origin) {
        this.p = p;
        this.name = name;
        this.origin = origin;
    }

    @Override
    public boolean enabled() {
        try {
            return p.enabled();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.enabled", e);
        }
    }

    @Override
    public int pagesToScan() {
        int n;
        try {
            n = p.pagesToScan();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.pagesToScan", e);
        }
        if (n <= 0) {
            throw PolicyGuards.returned(name, origin, "DedupPolicy.pagesToScan", "returned " + n + "; expected at least 1");
        }
        return n;
    }

    @Override
    public int sleepMillis() {
        int n;
        try {
            n = p.sleepMillis();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.sleepMillis", e);
        }
        if (n < 0) {
            throw PolicyGuards.returned(name, origin, "DedupPolicy.sleepMillis", "returned " + n + "; expected at least 0");
        }
        return n;
    }

    @Override
    public boolean shouldMerge(int candidatePfn, int stablePfn, int sharing) {
        try {
            return p.shouldMerge(candidatePfn, stablePfn, sharing);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "DedupPolicy.shouldMerge", e);
        }
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin);
    }
}
