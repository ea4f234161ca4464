package io.vmsim.core.plugin;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * A {@link ReclaimPolicy} whose throws and impossible victims stop the run (see
 * {@link PolicyGuards}). {@link #shrink} hands the policy a checking {@link ScanControl} that
 * refuses a victim that is out of range or free before the core would unmap it; the checker
 * is one reusable object, so a shrink allocates nothing.
 */
final class GuardedReclaimPolicy implements ReclaimPolicy, OfflineStudy {
    private final ReclaimPolicy p;
    private final String name;
    private final String origin;
    /** The plugin's class loader, made the context class loader during each call; null for a built-in. */
    private final ClassLoader loader;
    private final FrameView frames;
    private final CheckedScanControl checked = new CheckedScanControl();

    GuardedReclaimPolicy(ReclaimPolicy p, String name, String origin, FrameView frames, ClassLoader loader) {
        this.p = p;
        this.name = name;
        this.origin = origin;
        this.frames = frames;
        this.loader = loader;
    }

    @Override
    public boolean observesEveryAccess() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.observesEveryAccess();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.observesEveryAccess", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageAdded(pfn, anon);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageAdded(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public long activePages(boolean anon) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.activePages(anon);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.activePages", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    /** The policy behind the guard. */
    ReclaimPolicy inner() {
        return p;
    }

    @Override
    public void pageAddedByWrite(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageAddedByWrite(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageAddedByWrite(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageAddedUnreferenced(pfn, anon);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageAddedUnreferenced(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageMigrated(int from, int to, boolean anon) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageMigrated(from, to, anon);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageMigrated(" + from + ", " + to + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void capacityChanged(long pages) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.capacityChanged(pages);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.capacityChanged(" + pages + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    /** Passes the study through to a policy that wants it; others never hear of it. */
    @Override
    public void study(OfflineStudy.Study study) {
        if (p instanceof OfflineStudy os) {
            Thread t = loader == null ? null : Thread.currentThread();
            ClassLoader saved = PolicyGuards.enter(t, loader);
            try {
                os.study(study);
            } catch (RuntimeException e) {
                throw PolicyGuards.threw(name, origin, "OfflineStudy.study", e);
            } finally {
                PolicyGuards.exit(t, saved);
            }
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageRemoved(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageRemoved(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean observesMarkAccessed() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.observesMarkAccessed();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.observesMarkAccessed()", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageMarkedAccessed(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageMarkedAccessed(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageMarkedAccessed(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageAccessed(pfn, write);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageAccessed(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        ScanControl outer = checked.inner;
        checked.inner = sc;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.shrink(checked);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.shrink", e);
        } finally {
            PolicyGuards.exit(t, saved);
            checked.inner = outer;
        }
    }

    @Override
    public long pageEvicted(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.pageEvicted(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageEvicted(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public long pageEvictedOnRequest(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.pageEvictedOnRequest(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageEvictedOnRequest(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean pageRotated(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.pageRotated(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageRotated(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageDeactivated(int pfn) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageDeactivated(pfn);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageDeactivated(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageRefaulted(int pfn, long shadow) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageRefaulted(pfn, shadow);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.pageRefaulted(" + pfn + ")", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public int size() {
        int n;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            n = p.size();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "ReclaimPolicy.size", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (n < 0) {
            throw PolicyGuards.returned(name, origin, "ReclaimPolicy.size", "returned " + n + "; expected at least 0");
        }
        return n;
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin, loader);
    }

    /** Checks the frames a policy names before the core acts on them. */
    private final class CheckedScanControl implements ScanControl {
        ScanControl inner;

        @Override
        public int nrToReclaim() {
            return inner.nrToReclaim();
        }

        @Override
        public void isolate(int pfn) {
            inner.isolate(pfn);
        }

        @Override
        public void putBack(int pfn) {
            inner.putBack(pfn);
        }

        @Override
        public int priority() {
            return inner.priority();
        }

        @Override
        public int swappiness() {
            return inner.swappiness();
        }

        @Override
        public boolean mayReclaimAnon() {
            return inner.mayReclaimAnon();
        }

        @Override
        public boolean isKswapd() {
            return inner.isKswapd();
        }

        @Override
        public boolean isCgroupReclaim() {
            return inner.isCgroupReclaim();
        }

        @Override
        public boolean wholeBatches() {
            return inner.wholeBatches();
        }

        @Override
        public boolean activateRefused(int pfn) {
            checkRange("ScanControl.activateRefused", pfn);
            return inner.activateRefused(pfn);
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            checkRange("ScanControl.testAndClearYoung", pfn);
            return inner.testAndClearYoung(pfn);
        }

        @Override
        public int walkYoung(boolean anon, YoungVisitor visitor) {
            return inner.walkYoung(anon, visitor);
        }

        @Override
        public boolean lookAround(int pfn, YoungVisitor neighbours) {
            checkRange("ScanControl.lookAround", pfn);
            return inner.lookAround(pfn, neighbours);
        }

        @Override
        public void scanned(int pages) {
            if (pages < 0) {
                throw PolicyGuards.returned(name, origin, "ReclaimPolicy.shrink",
                        "called ScanControl.scanned(" + pages + "); expected a count of at least 0");
            }
            inner.scanned(pages);
        }

        @Override
        public boolean reclaim(int pfn) {
            checkRange("ScanControl.reclaim", pfn);
            if (frames.isFree(pfn)) {
                throw PolicyGuards.returned(name, origin, "ReclaimPolicy.shrink",
                        "passed frame " + pfn + " to ScanControl.reclaim, but that frame is free");
            }
            return inner.reclaim(pfn);
        }

        private void checkRange(String call, int pfn) {
            if (pfn < 0 || pfn >= frames.nrFrames()) {
                throw PolicyGuards.returned(name, origin, "ReclaimPolicy.shrink", "passed frame " + pfn + " to " + call
                        + ", which is out of range (the machine has frames 0.." + (frames.nrFrames() - 1) + ")");
            }
        }
    }
}
