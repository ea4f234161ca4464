package io.vmsim.core.plugin;

import io.vmsim.api.machine.MachineView;
import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;

/**
 * Wraps a policy so that a throw or a nonsensical answer stops the run with a
 * {@link PolicyException} of kind {@code PLUGIN_FAILURE} naming the policy, its origin and the
 * call (DESIGN.md, SPI principle 4), before the answer can reach core state. Built-in policies
 * are guarded too: the check is the same, and a wrapper is one monomorphic call the JIT inlines.
 *
 * <p>A plugin's policy runs every call with the plugin's class loader as the thread's context
 * class loader, restored after the call (Trino's {@code ThreadContextClassLoader}), written as a
 * plain save, set and restore in {@code finally} so that the access path allocates nothing; a
 * built-in (no loader) skips the swap.
 */
public final class PolicyGuards {
    private PolicyGuards() {
    }

    /** The guarded form of a built-in {@code policy}, which must be one of the policy kinds. */
    public static <P extends Policy> P guard(P policy, String name, String origin, MachineView machine) {
        return guard(policy, name, origin, machine, null);
    }

    /**
     * The guarded form of {@code policy}, which must be one of the policy kinds; each call
     * runs with {@code loader} as the context class loader, or unchanged if it is null.
     */
    @SuppressWarnings("unchecked")
    public static <P extends Policy> P guard(P policy, String name, String origin, MachineView machine, ClassLoader loader) {
        if (policy instanceof ReclaimPolicy r) {
            return (P) new GuardedReclaimPolicy(r, name, origin, machine.frames(), loader);
        }
        if (policy instanceof HugePagePolicy h) {
            return (P) new GuardedHugePagePolicy(h, name, origin, loader);
        }
        if (policy instanceof NumaPolicy n) {
            return (P) new GuardedNumaPolicy(n, name, origin, machine.topology(), loader);
        }
        if (policy instanceof DedupPolicy d) {
            return (P) new GuardedDedupPolicy(d, name, origin, loader);
        }
        if (policy instanceof MigrationPolicy g) {
            return (P) new GuardedMigrationPolicy(g, name, origin, loader);
        }
        throw new IllegalArgumentException("not a policy kind the core knows: " + policy.getClass().getName());
    }

    /**
     * The class loader of the plugin that {@code provider} came from, which must be the context
     * class loader while its policies run; null for a built-in provider.
     */
    public static ClassLoader contextLoader(PolicyProvider provider) {
        return PluginProvider.loaderOf(provider);
    }

    /** Makes {@code loader} the context class loader of {@code t} unless {@code t} is null; returns the one it replaced. */
    static ClassLoader enter(Thread t, ClassLoader loader) {
        if (t == null) {
            return null;
        }
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        return saved;
    }

    /** Restores the context class loader {@link #enter} replaced. */
    static void exit(Thread t, ClassLoader saved) {
        if (t != null) {
            t.setContextClassLoader(saved);
        }
    }

    /**
     * The error for a policy call that threw: a {@link PolicyException} the policy (or a guard
     * below it) raised already names everything and passes through unchanged.
     */
    static PolicyException threw(String name, String origin, String call, RuntimeException e) {
        if (e instanceof PolicyException pe) {
            return pe;
        }
        return new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, name, origin, call + " threw " + e, e);
    }

    /** The error for a policy call that returned something the core cannot use. */
    static PolicyException returned(String name, String origin, String call, String what) {
        return new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, name, origin, call + " " + what, null);
    }

    /** Runs the policy's own invariant check; a broken invariant becomes an {@code INVARIANT} error naming the policy. */
    static void verify(Policy p, String name, String origin, ClassLoader loader) {
        Thread t = loader == null ? null : Thread.currentThread();
        ClassLoader saved = enter(t, loader);
        try {
            p.verifyInvariants();
        } catch (PolicyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyException(PolicyException.Kind.INVARIANT, name, origin,
                    "verifyInvariants: " + e.getMessage(), e);
        } finally {
            exit(t, saved);
        }
    }

    /**
     * True if the policy (behind its guard, if any) overrides the {@code ReclaimPolicy} default
     * method {@code method}: how the core tells whether a policy opted in to a distinction.
     */
    public static boolean overrides(io.vmsim.api.policy.ReclaimPolicy policy, String method, Class<?>... params) {
        Object p = policy instanceof GuardedReclaimPolicy g ? g.inner() : policy;
        try {
            return p.getClass().getMethod(method, params).getDeclaringClass() != io.vmsim.api.policy.ReclaimPolicy.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("ReclaimPolicy has no method " + method, e);
        }
    }
}
