package io.vmsim.core.mrc;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.IntrusivePageLists;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.plugin.PolicyGuards;
import io.vmsim.core.report.Progress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Runs every policy x frame-count pair of a replacement study over one shared trace, in
 * parallel on a fixed pool, and returns the results in the order asked (policies as given,
 * then frame counts as given), whatever order they finish in.
 */
public final class MrcStudy {
    private MrcStudy() {
    }

    /**
     * One point of a miss-ratio curve.
     *
     * @param policy the reclaim policy's name
     * @param frames the number of frames
     * @param misses misses, cold misses included
     * @param refs   references replayed
     */
    public record Result(String policy, int frames, long misses, long refs) {
        /** Misses per reference. */
        public double missRatio() {
            return refs == 0 ? 0.0 : (double) misses / refs;
        }
    }

    /**
     * A whole study.
     *
     * @param trace         where the trace came from
     * @param refs          references
     * @param distinctPages distinct pages
     * @param results       one per policy x frame count, policies outer
     */
    public record Outcome(String trace, long refs, int distinctPages, List<Result> results) {
        public Outcome {
            results = List.copyOf(results);
        }

        /** The results as the JSON tree of {@code vmsim mrc --json}. */
        public Map<String, Object> toTree() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("trace", trace);
            root.put("refs", refs);
            root.put("distinct_pages", distinctPages);
            List<Object> rows = new ArrayList<>();
            for (Result r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("policy", r.policy());
                m.put("frames", r.frames());
                m.put("misses", r.misses());
                m.put("miss_ratio", r.missRatio());
                rows.add(m);
            }
            root.put("results", rows);
            return root;
        }
    }

    /**
     * Runs the study.
     *
     * @param trace    the shared trace
     * @param policies reclaim policy names, each resolved in {@code catalog}
     * @param frames   frame counts, each positive
     * @param catalog  where providers come from
     * @param config   the configuration that gives each policy its settings and the seed
     * @param threads  worker threads (at least one)
     * @param progress told about references replayed over all runs
     * @throws PolicyException if a name is unknown, or a policy fails or misbehaves
     */
    public static Outcome run(MrcTrace trace, List<String> policies, int[] frames, PolicyCatalog catalog,
                              CoreConfig config, int threads, Progress progress) {
        for (int n : frames) {
            if (n <= 0) {
                throw new IllegalArgumentException("frame count must be a positive integer, got " + n);
            }
        }
        List<PolicyProvider> providers = new ArrayList<>();
        List<Settings> settings = new ArrayList<>();
        for (String name : policies) {
            PolicyProvider p = catalog.provider(PolicyKind.RECLAIM, name);
            providers.add(p);
            settings.add(config.policySettings(PolicyKind.RECLAIM, p.name()));
        }
        long seed = config.getLong(CoreKeys.SEED);
        AtomicLong done = new AtomicLong();
        long total = (long) trace.refs() * providers.size() * frames.length;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "mrc");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < providers.size(); i++) {
                PolicyProvider p = providers.get(i);
                Settings s = settings.get(i);
                for (int n : frames) {
                    futures.add(pool.submit(() -> runOne(trace, p, catalog.origin(p), s, n, seed, done)));
                }
            }
            List<Result> results = new ArrayList<>();
            int k = 0;
            for (PolicyProvider p : providers) {
                for (int n : frames) {
                    long misses = await(futures.get(k++), done, total, progress);
                    results.add(new Result(p.name(), n, misses, trace.refs()));
                }
            }
            return new Outcome(trace.source(), trace.refs(), trace.distinctPages(), results);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long await(Future<Long> f, AtomicLong done, long total, Progress progress) {
        while (true) {
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                progress.update("replaying", done.get(), total);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(c);
            }
        }
    }

    /** One policy instance with {@code n} frames over the trace; returns its misses. */
    static long runOne(MrcTrace trace, PolicyProvider provider, String origin, Settings settings, int n, long seed,
                       AtomicLong progress) {
        MrcRun run = new MrcRun(trace, n, provider.name(), origin);
        PageLists lists = IntrusivePageLists.standalone(n);
        RandomGenerator random = new SplittableRandom(seed ^ provider.name().hashCode());
        PolicyContext ctx = new PolicyContext() {
            @Override
            public Settings settings() {
                return settings;
            }

            @Override
            public MachineView machine() {
                return run;
            }

            @Override
            public PageLists pageLists() {
                return lists;
            }

            @Override
            public RandomGenerator random() {
                return random;
            }

            @Override
            public int node() {
                return 0;
            }
        };
        // The worker thread runs only this policy: its context class loader is the plugin's throughout.
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        ClassLoader loader = PolicyGuards.contextLoader(provider);
        if (loader != null) {
            t.setContextClassLoader(loader);
        }
        Policy created;
        long misses;
        try {
            try {
                created = provider.create(ctx);
            } catch (PolicyException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, provider.name(), origin,
                        "PolicyProvider.create threw " + e, e);
            }
            if (!(created instanceof ReclaimPolicy policy)) {
                throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, provider.name(), origin,
                        "PolicyProvider.create returned " + created + "; expected a ReclaimPolicy", null);
            }
            try {
                misses = run.run(policy, progress);
                policy.verifyInvariants();
            } catch (PolicyException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, provider.name(), origin,
                        "failed with " + n + " frames: " + e, e);
            }
        } finally {
            t.setContextClassLoader(saved);
        }
        return misses;
    }
}
