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
 * then frame counts as given), whatever order they finish in. Each pair runs on one of two
 * engines that drive the policy by the same contract: {@link Engine#DIRECT} ({@link MrcRun},
 * N bare frames) or {@link Engine#MACHINE} ({@link MachineStudy}, the full machine with a
 * memory cgroup of N pages).
 */
public final class MrcStudy {
    private MrcStudy() {
    }

    /** Which engine replays each pair. */
    public enum Engine {
        /** N bare frames ({@link MrcRun}). */
        DIRECT,
        /** The full simulated machine, reads through the page cache in a cgroup of N pages ({@link MachineStudy}). */
        MACHINE,
        /** LRU at every size in one pass, by stack distances ({@link StackDistances}, {@link Shards}). */
        STACK
    }

    /**
     * One policy of a study: a label for the table, the provider's name, and keys of the policy
     * set for this entry only, so two variants of one policy can run side by side. Written
     * {@code name} or {@code name[key=value;key=value]}, e.g. {@code clock[insert_referenced=false]}.
     */
    public record PolicySpec(String label, String name, Map<String, String> keys) {
        public PolicySpec {
            keys = Map.copyOf(keys);
        }

        /** Parses {@code name} or {@code name[key=value;...]}. */
        public static PolicySpec parse(String text) {
            String t = text.trim();
            int open = t.indexOf('[');
            if (open < 0) {
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("--policy: an empty policy name");
                }
                return new PolicySpec(t, t, Map.of());
            }
            if (!t.endsWith("]") || open == 0) {
                throw new IllegalArgumentException("--policy: '" + t + "' is not NAME or NAME[KEY=VALUE;KEY=VALUE]");
            }
            String name = t.substring(0, open).trim();
            Map<String, String> keys = new LinkedHashMap<>();
            for (String kv : t.substring(open + 1, t.length() - 1).split(";")) {
                if (kv.isBlank()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--policy: '" + kv.trim() + "' in '" + t + "' is not KEY=VALUE");
                }
                keys.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
            return new PolicySpec(t, name, keys);
        }
    }

    /**
     * One point of a miss-ratio curve.
     *
     * @param policy the policy's label (its name, or its name with the keys of a variant)
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
     * What a study ran, for its record: each policy's label, provider, version and origin and
     * every key of the policy with its effective value.
     */
    public record PolicyInfo(String label, String name, String version, String origin, Map<String, Object> settings) {
        public PolicyInfo {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /**
     * A frame count above the trace's distinct pages, which would never evict, and the count it
     * was capped to (the distinct pages).
     */
    public record FramesCap(long asked, int frames) {
    }

    /**
     * A whole study.
     *
     * @param trace         where the trace came from
     * @param refs          references
     * @param distinctPages distinct pages
     * @param results       one per policy x frame count, policies outer
     * @param engine        the engine that ran it
     * @param seed          the run seed the policies' random sources derive from
     * @param policies      what each policy was, in the order given
     * @param interrupted   true if the study was stopped (SIGINT): the streaming engine then holds every pair over
     *                      the first {@code refs} references, the in-memory engines only the pairs that finished
     * @param capped        frame counts above the distinct pages and what they were capped to
     */
    public record Outcome(String trace, long refs, int distinctPages, List<Result> results, Engine engine, long seed,
                          List<PolicyInfo> policies, boolean interrupted, List<FramesCap> capped) {
        public Outcome {
            results = List.copyOf(results);
            policies = List.copyOf(policies);
            capped = List.copyOf(capped);
        }

        public Outcome(String trace, long refs, int distinctPages, List<Result> results, Engine engine, long seed,
                       List<PolicyInfo> policies, boolean interrupted) {
            this(trace, refs, distinctPages, results, engine, seed, policies, interrupted, List.of());
        }

        public Outcome(String trace, long refs, int distinctPages, List<Result> results) {
            this(trace, refs, distinctPages, results, Engine.DIRECT, 0, List.of(), false);
        }

        /** The results as the JSON tree of {@code vmsim mrc --json}. */
        public Map<String, Object> toTree() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("trace", trace);
            if (interrupted) {
                root.put("interrupted", true);
            }
            root.put("refs", refs);
            root.put("distinct_pages", distinctPages);
            root.put("engine", engine.name().toLowerCase(java.util.Locale.ROOT));
            root.put("seed", seed);
            List<Object> ps = new ArrayList<>();
            for (PolicyInfo p : policies) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("label", p.label());
                m.put("name", p.name());
                m.put("version", p.version());
                m.put("origin", p.origin());
                m.put("settings", new LinkedHashMap<>(p.settings()));
                ps.add(m);
            }
            root.put("policies", ps);
            if (!capped.isEmpty()) {
                List<Object> cs = new ArrayList<>();
                for (FramesCap c : capped) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("asked", c.asked());
                    m.put("frames", c.frames());
                    cs.add(m);
                }
                root.put("frames_capped", cs);
            }
            // a view: each row's map is built when the writer asks for it, so a curve of a million
            // sizes (--frames all) costs no tree on the heap (JsonWriter.write streams it)
            List<Result> rs = results;
            root.put("results", new java.util.AbstractList<Object>() {
                @Override
                public Object get(int i) {
                    Result r = rs.get(i);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("policy", r.policy());
                    m.put("frames", r.frames());
                    m.put("misses", r.misses());
                    m.put("miss_ratio", r.missRatio());
                    return m;
                }

                @Override
                public int size() {
                    return rs.size();
                }
            });
            return root;
        }
    }

    /**
     * Runs a study with the streaming engine ({@link StreamStudy}): one pass over the trace,
     * every pair in lockstep, memory independent of the trace's length.
     *
     * @param source    opens the trace (it may be opened twice: see {@link StreamStudy})
     * @param name      the trace's name for the record
     * @param limit     data references to replay at most ({@code Long.MAX_VALUE}: all)
     * @param totalHint references expected, for progress only (-1 if unknown)
     */
    public static Outcome stream(StreamSource source, String name, long limit, List<PolicySpec> policies,
                                 int[] frames, PolicyCatalog catalog, CoreConfig config, int threads,
                                 Progress progress, long totalHint) {
        return StreamStudy.run(source::open, name, limit, policies, frames, catalog, config, threads, progress,
                StreamStudy.CHUNK, totalHint);
    }

    /** As {@link #stream(StreamSource, String, long, List, int[], PolicyCatalog, CoreConfig, int, Progress, long)} with chunks of {@code chunk} references (tests). */
    public static Outcome stream(StreamSource source, String name, long limit, List<PolicySpec> policies,
                                 int[] frames, PolicyCatalog catalog, CoreConfig config, int threads,
                                 Progress progress, long totalHint, int chunk) {
        return StreamStudy.run(source::open, name, limit, policies, frames, catalog, config, threads, progress,
                chunk, totalHint);
    }

    /**
     * The one-pass LRU curve of a trace: exact by stack distances if {@code exact}, and by SHARDS
     * sampling at rate {@code sample} if it is above 0; at every size from 1 to the distinct pages
     * if {@code frames} is null, else at those sizes (capped to the distinct pages).
     */
    public static Curve curve(StreamSource source, String name, long limit, boolean exact, double sample, int[] frames,
                              Progress progress, long totalHint) {
        return StreamStudy.curve(source::open, name, limit, exact, sample, frames, progress, StreamStudy.CHUNK, totalHint);
    }

    /**
     * As {@link #curve(StreamSource, String, long, boolean, double, int[], Progress, long)} on
     * {@code threads} threads: with 2 or more, one reads and densifies the trace while another
     * counts the distances of the chunk before (the same curve); with 1, one thread does both.
     */
    public static Curve curve(StreamSource source, String name, long limit, boolean exact, double sample, int[] frames,
                              Progress progress, long totalHint, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return StreamStudy.curve(source::open, name, limit, exact, sample, frames, progress, StreamStudy.CHUNK, totalHint,
                threads);
    }

    /**
     * A one-pass curve: the outcome (policy {@code lru} for the exact curve,
     * {@code lru[sample=R]} for the SHARDS estimate, whose misses are the estimated ratio times the
     * references, rounded), the sampling rate used and the references sampled, and the mean
     * absolute error of the estimated miss ratio against the exact one over every size from 1 to
     * the distinct pages (NaN unless both were computed).
     */
    public record Curve(Outcome outcome, double rate, long sampledRefs, double meanAbsoluteError) {
        /** The JSON tree: the outcome's, with {@code "sample": {"rate", "sampled_refs", "mean_absolute_error"}}. */
        public Map<String, Object> toTree() {
            Map<String, Object> root = outcome.toTree();
            if (!Double.isNaN(rate)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rate", rate);
                m.put("sampled_refs", sampledRefs);
                if (!Double.isNaN(meanAbsoluteError)) {
                    m.put("mean_absolute_error", meanAbsoluteError);
                }
                root.put("sample", m);
            }
            return root;
        }
    }

    /** Opens a trace for the streaming engine; it may be called twice (a pre-pass, then the pass). */
    @FunctionalInterface
    public interface StreamSource {
        io.vmsim.core.trace.TraceReader open() throws java.io.IOException;
    }

    /** Runs a study of plain policy names with the direct engine (see {@link #run(MrcTrace, List, int[], PolicyCatalog, CoreConfig, int, Progress, Engine)}). */
    public static Outcome run(MrcTrace trace, List<String> policies, int[] frames, PolicyCatalog catalog,
                              CoreConfig config, int threads, Progress progress) {
        return run(trace, policies.stream().map(PolicySpec::parse).toList(), frames, catalog, config, threads,
                progress, Engine.DIRECT);
    }

    /**
     * Runs the study.
     *
     * @param trace    the shared trace
     * @param policies the policies, each resolved in {@code catalog}, with their variant keys
     * @param frames   frame counts, each positive
     * @param catalog  where providers come from
     * @param config   the user's configuration: the policies' settings and the seed, and for the
     *                 machine engine the machine (a variant's keys are set over it)
     * @param threads  worker threads (at least one)
     * @param progress told about references replayed over all runs
     * @param engine   which engine replays each pair
     * @throws PolicyException if a name is unknown, or a policy fails or misbehaves
     */
    public static Outcome run(MrcTrace trace, List<PolicySpec> policies, int[] frames, PolicyCatalog catalog,
                              CoreConfig config, int threads, Progress progress, Engine engine) {
        checkFrames(frames);
        Resolved rs = resolve(policies, catalog, config);
        List<PolicyProvider> providers = rs.providers();
        List<Settings> settings = rs.settings();
        List<Map<String, String>> variantKeys = rs.variantKeys();
        List<PolicyInfo> infos = rs.infos();
        long seed = rs.seed();
        final long runSeed = seed;
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
                Map<String, String> all = variantKeys.get(i);
                for (int n : frames) {
                    futures.add(pool.submit(() -> engine == Engine.MACHINE
                            ? MachineStudy.runOne(trace, p.name(), catalog.origin(p), catalog, all, n, done)
                            : runOne(trace, p, catalog.origin(p), s, n, runSeed, done)));
                }
            }
            List<Result> results = new ArrayList<>();
            int k = 0;
            boolean stopped = false;
            for (PolicySpec spec : policies) {
                for (int n : frames) {
                    Future<Long> f = futures.get(k++);
                    Long misses = stopped ? done(f) : await(f, done, total, progress);
                    if (misses == null) {
                        stopped = true; // SIGINT: keep the pairs that finished, in order, and stop waiting
                        misses = done(f);
                    }
                    if (misses != null) {
                        results.add(new Result(spec.label(), n, misses, trace.refs()));
                    }
                }
            }
            return new Outcome(trace.source(), trace.refs(), trace.distinctPages(), results, engine, runSeed, infos, stopped);
        } finally {
            pool.shutdownNow();
        }
    }

    static void checkFrames(int[] frames) {
        for (int n : frames) {
            if (n <= 0) {
                throw new IllegalArgumentException("frame count must be a positive integer, got " + n);
            }
        }
    }

    /** The policies of a study resolved in the catalog, with their settings and record. */
    record Resolved(List<PolicyProvider> providers, List<Settings> settings, List<Map<String, String>> variantKeys,
                    List<PolicyInfo> infos, long seed) {
    }

    static Resolved resolve(List<PolicySpec> policies, PolicyCatalog catalog, CoreConfig config) {
        Map<String, String> keys = config.asMap();
        List<PolicyProvider> providers = new ArrayList<>();
        List<Settings> settings = new ArrayList<>();
        List<Map<String, String>> variantKeys = new ArrayList<>();
        List<PolicyInfo> infos = new ArrayList<>();
        long seed = 0;
        for (PolicySpec spec : policies) {
            PolicyProvider p = catalog.provider(PolicyKind.RECLAIM, spec.name());
            Map<String, String> all = new LinkedHashMap<>(keys);
            String prefix = io.vmsim.core.config.ConfigLoader.policyPrefix(PolicyKind.RECLAIM, p.name());
            spec.keys().forEach((k, v) -> all.put(prefix + k, v));
            all.put(CoreKeys.POLICY_RECLAIM, p.name());
            CoreConfig cfg = config;
            if (!spec.keys().isEmpty()) {
                io.vmsim.core.config.ConfigLoader loader = new io.vmsim.core.config.ConfigLoader(catalog);
                all.forEach(loader::set);
                cfg = loader.load();
            }
            Settings st = cfg.policySettings(PolicyKind.RECLAIM, p.name());
            seed = cfg.getLong(CoreKeys.SEED);
            providers.add(p);
            settings.add(st);
            variantKeys.add(all);
            Map<String, Object> eff = new LinkedHashMap<>();
            for (io.vmsim.api.config.ConfigKey k : p.configKeys()) {
                eff.put(k.name(), switch (k.type()) {
                    case BOOLEAN -> st.getBoolean(k.name());
                    case LONG, SIZE -> st.getLong(k.name());
                    case DOUBLE -> st.getDouble(k.name());
                    default -> st.getString(k.name());
                });
            }
            infos.add(new PolicyInfo(spec.label(), p.name(), p.version(), catalog.origin(p), eff));
        }
        return new Resolved(providers, settings, variantKeys, infos, seed);
    }

    /** The misses of a pair that finished, or null if it has not (or failed). */
    private static Long done(Future<Long> f) {
        try {
            return f.isDone() && !f.isCancelled() ? f.get() : null;
        } catch (InterruptedException | ExecutionException e) {
            return null;
        }
    }

    /** Waits for a pair; returns null if a stop was requested meanwhile ({@link Progress#stopRequested()}). */
    private static Long await(Future<Long> f, AtomicLong done, long total, Progress progress) {
        while (true) {
            if (progress.stopRequested()) {
                return null;
            }
            progress.update("replaying", done.get(), total);
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (progress.stopRequested()) {
                    return null;
                }
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
        Pair pair = newPair(provider, origin, settings, n, seed);
        long misses = pair.replay(() -> pair.run.run(pair.policy, trace));
        pair.finish();
        progress.addAndGet(trace.refs());
        return misses;
    }

    /**
     * One policy x frame-count pair of a study: a fresh policy instance, created with its
     * plugin's class loader as context loader and started ({@code study()} called), and the
     * bare frames it runs on.
     */
    static final class Pair {
        final MrcRun run;
        final ReclaimPolicy policy;
        final PolicyProvider provider;
        final String origin;
        final int frames;
        private final ClassLoader loader;

        Pair(MrcRun run, ReclaimPolicy policy, PolicyProvider provider, String origin, int frames, ClassLoader loader) {
            this.run = run;
            this.policy = policy;
            this.provider = provider;
            this.origin = origin;
            this.frames = frames;
            this.loader = loader;
        }

        /**
         * Runs {@code work} with the plugin's context class loader; a policy's failure becomes a
         * {@link PolicyException} naming it.
         */
        long replay(java.util.function.LongSupplier work) {
            Thread t = Thread.currentThread();
            ClassLoader saved = t.getContextClassLoader();
            if (loader != null) {
                t.setContextClassLoader(loader);
            }
            try {
                return work.getAsLong();
            } catch (RuntimeException e) {
                throw failed(e);
            } finally {
                if (loader != null) {
                    t.setContextClassLoader(saved);
                }
            }
        }

        /** A policy's own failure as it is, any other exception as the plugin failure of this pair. */
        private PolicyException failed(RuntimeException e) {
            return e instanceof PolicyException pe ? pe
                    : new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, provider.name(), origin,
                            "failed with " + frames + " frames: " + e, e);
        }

        /**
         * Replays one chunk of the streaming engine ({@link MrcRun#replay}) as {@link #replay}
         * runs its work, without a lambda: this runs once per chunk and pair, and allocates nothing.
         */
        void replayChunk(int[] refs, int n, long base, long[] pages, int distinct, long[] next) {
            Thread t = Thread.currentThread();
            ClassLoader saved = t.getContextClassLoader();
            if (loader != null) {
                t.setContextClassLoader(loader);
            }
            try {
                run.replay(refs, 0, n, base, pages, distinct, next);
            } catch (RuntimeException e) {
                throw failed(e);
            } finally {
                if (loader != null) {
                    t.setContextClassLoader(saved);
                }
            }
        }

        /** Checks the policy's invariants at the end of the run. */
        void finish() {
            replay(() -> {
                policy.verifyInvariants();
                return 0;
            });
        }
    }

    static Pair newPair(PolicyProvider provider, String origin, Settings settings, int n, long seed) {
        return newPair(provider, origin, settings, n, seed, true);
    }

    /** As above; without {@code pageIds} the study offers the policy no page ids (a test compares both). */
    static Pair newPair(PolicyProvider provider, String origin, Settings settings, int n, long seed, boolean pageIds) {
        return newPair(provider, origin, settings, n, seed, pageIds, true);
    }

    /** As above; without {@code pageWords} the study offers page ids but no page words (a test compares both). */
    static Pair newPair(PolicyProvider provider, String origin, Settings settings, int n, long seed, boolean pageIds,
                        boolean pageWords) {
        IntrusivePageLists lists = IntrusivePageLists.standalone(n);
        MrcRun run = new MrcRun(n, provider.name(), origin, lists);
        if (!pageIds) {
            run.withholdPageIds();
        }
        if (!pageWords) {
            run.withholdPageWords();
        }
        RandomGenerator random = new SplittableRandom(io.vmsim.core.config.PolicySeeds.seed(seed, PolicyKind.RECLAIM,
                provider.name(), io.vmsim.core.config.PolicySeeds.STUDY_DOMAIN));
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

            @Override
            public long capacity() {
                return n;
            }
        };
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        ClassLoader loader = PolicyGuards.contextLoader(provider);
        if (loader != null) {
            t.setContextClassLoader(loader);
        }
        try {
            Policy created;
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
            Pair pair = new Pair(run, policy, provider, origin, n, loader);
            pair.replay(() -> {
                run.start(policy);
                return 0;
            });
            return pair;
        } finally {
            t.setContextClassLoader(saved);
        }
    }
}
