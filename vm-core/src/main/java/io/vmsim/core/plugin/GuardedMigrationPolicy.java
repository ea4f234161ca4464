package io.vmsim.core.plugin;

import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.MigrationView;

/**
 * A {@link MigrationPolicy} whose throws, and pages that are not pending, stop the run (see
 * {@link PolicyGuards}); in postcopy -1 is an answer (leave the link idle), in precopy it is not.
 */
final class GuardedMigrationPolicy implements MigrationPolicy {
    private final MigrationPolicy p;
    private final String name;
    private final String origin;
    /** The plugin's class loader, made the context class loader during each call; null for a built-in. */
    private final ClassLoader loader;

    GuardedMigrationPolicy(MigrationPolicy p, String name, String origin, ClassLoader loader) {
        this.p = p;
        this.name = name;
        this.origin = origin;
        this.loader = loader;
    }

    @Override
    public long nextPrecopyPage(MigrationView view) {
        long page;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            page = p.nextPrecopyPage(view);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.nextPrecopyPage", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (page < 0 || page >= view.pages() || !view.pending(page)) {
            throw PolicyGuards.returned(name, origin, "MigrationPolicy.nextPrecopyPage", "returned page " + page
                    + ", which is not pending in round " + view.round() + " (" + view.pendingCount() + " of "
                    + view.pages() + " pages are)");
        }
        return page;
    }

    @Override
    public long nextPostcopyPage(MigrationView view) {
        long page;
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            page = p.nextPostcopyPage(view);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.nextPostcopyPage", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
        if (page != -1 && (page < 0 || page >= view.pages() || !view.pending(page))) {
            throw PolicyGuards.returned(name, origin, "MigrationPolicy.nextPostcopyPage", "returned page " + page
                    + ", which is neither pending in postcopy (" + view.pendingCount() + " of " + view.pages()
                    + " pages are) nor -1");
        }
        return page;
    }

    @Override
    public boolean observesRemoteFaults() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.observesRemoteFaults();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.observesRemoteFaults", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean observesPagesSent() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.observesPagesSent();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.observesPagesSent", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public boolean observesDirtying() {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            return p.observesDirtying();
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.observesDirtying", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void remoteFault(long page, long timeNs) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.remoteFault(page, timeNs);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.remoteFault", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageSent(long page, boolean postcopy) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageSent(page, postcopy);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.pageSent", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void pageDirtied(long page) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = PolicyGuards.enter(t, loader);
        try {
            p.pageDirtied(page);
        } catch (RuntimeException e) {
            throw PolicyGuards.threw(name, origin, "MigrationPolicy.pageDirtied", e);
        } finally {
            PolicyGuards.exit(t, saved);
        }
    }

    @Override
    public void verifyInvariants() {
        PolicyGuards.verify(p, name, origin, loader);
    }
}
