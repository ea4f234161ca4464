package io.vmsim.core.sweep;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.Simulation;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.scenario.ScenarioException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Expands a {@link SweepJob} into its points and checks every one before anything runs: each
 * point's configuration is loaded as {@code vmsim run --set} loads it (declared defaults &lt;
 * scenario &lt; file &lt; {@code --set} &lt; varied values &lt; seed), so an unknown key or a bad
 * value fails at once with the same messages.
 *
 * <p><b>Seeds.</b> Unless the user fixed {@code seed} ({@code --set seed=}, the config file, or
 * {@code --vary seed=}), a point's seed is the first 8 bytes, big-endian, of the SHA-256 of the
 * UTF-8 text {@code "workload=" + label + "\n"}, then {@code key + "=" + value + "\n"} for each
 * varied key in {@code --vary} order, then {@code "repeat=" + R + "\n"}, with the sign bit
 * cleared. The same point gets the same seed in every sweep, on every engine.
 *
 * <p><b>Point hash.</b> The SHA-256 of {@code "vmsim sweep point 1\n"}, the workload's label,
 * for a trace or scenario file the SHA-256 of its content, the repeat index, for {@code --mrc}
 * the policies and frame counts, the SHA-256 of each plugin jar whose policy the point uses, then every key of the point's effective configuration with its
 * value (defaults included, in {@code vmsim config show} order), one {@code key=value} a line;
 * the first 24 hex digits name the point's files. Changing anything that can change a result
 * changes the hash; a default that changes in a new version of vmsim does too.
 */
public final class SweepPlan {
    /** Hex digits of a point's hash used in its file names (96 bits). */
    public static final int HASH_DIGITS = 24;

    private SweepPlan() {
    }

    /**
     * The points of a sweep, in order.
     *
     * @throws IllegalArgumentException for unequal lists under {@code --zip} or a missing file
     * @throws ConfigException          naming every bad key or value, over all points
     * @throws ScenarioException        for a scenario that cannot be read
     */
    public static List<SweepPoint> expand(SweepJob job, PolicyCatalog catalog) throws ScenarioException, IOException {
        List<String> keys = new ArrayList<>(job.vary().keySet());
        List<List<String>> combos = combinations(job);
        boolean seedFixed = job.vary().containsKey(CoreKeys.SEED);
        Set<String> problems = new LinkedHashSet<>();
        List<SweepPoint> points = new ArrayList<>();
        Map<String, String> jars = new java.util.HashMap<>();
        for (SweepJob.Workload w : job.workloads()) {
            String content = contentHash(w);
            Scenario sc = w.trace() ? null : ScenarioCatalog.resolve(w.ref());
            if (!seedFixed) {
                try {
                    EffectiveConfig base = config(job, w, sc, List.of(), catalog);
                    String origin = base.sources().stream().filter(s -> s.key().equals(CoreKeys.SEED))
                            .findFirst().map(EffectiveConfig.Source::origin).orElse(ConfigLoader.DEFAULT);
                    seedFixed = !origin.equals(ConfigLoader.DEFAULT) && !origin.startsWith("scenario ");
                } catch (ConfigException e) {
                    problems.addAll(e.problems());
                }
            }
            for (List<String> combo : combos) {
                Map<String, String> vary = new LinkedHashMap<>();
                for (int k = 0; k < keys.size(); k++) {
                    vary.put(keys.get(k), combo.get(k));
                }
                for (int r = 0; r < job.repeat(); r++) {
                    SweepPoint p = new SweepPoint(points.size(), w, r, 0, vary, "");
                    try {
                        long seed;
                        if (seedFixed) {
                            EffectiveConfig c = config(job, w, sc, variedOnly(p), catalog);
                            seed = c.getLong(CoreKeys.SEED);
                        } else {
                            seed = derivedSeed(w.label(), vary, r);
                        }
                        p = new SweepPoint(p.index(), w, r, seed, vary, "");
                        EffectiveConfig c = config(job, w, sc, p.assignments(), catalog);
                        String h = hash(job, p, content, c, pluginJars(job, c, catalog, jars));
                        p = new SweepPoint(p.index(), w, r, seed, vary, h);
                    } catch (ConfigException e) {
                        problems.addAll(e.problems());
                    }
                    points.add(p);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(new ArrayList<>(problems));
        }
        Map<String, SweepPoint> byHash = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            SweepPoint q = byHash.putIfAbsent(p.hash(), p);
            if (q != null) {
                throw new IllegalArgumentException("points " + q.index() + " " + q.vary() + " and " + p.index() + " "
                        + p.vary() + " of " + p.workload().label() + " have the same configuration (a value listed twice?)");
            }
        }
        return points;
    }

    private static List<String> variedOnly(SweepPoint p) {
        List<String> a = new ArrayList<>();
        p.vary().forEach((k, v) -> a.add(k + "=" + v));
        return a;
    }

    /** The value combinations, in order: the product of the lists (first key outermost), or the lists zipped. */
    static List<List<String>> combinations(SweepJob job) {
        List<List<String>> lists = new ArrayList<>(job.vary().values());
        List<List<String>> out = new ArrayList<>();
        if (job.zip()) {
            int n = lists.get(0).size();
            for (Map.Entry<String, List<String>> e : job.vary().entrySet()) {
                if (e.getValue().size() != n) {
                    StringBuilder sb = new StringBuilder("--zip needs --vary lists of one length; got");
                    String sep = " ";
                    for (Map.Entry<String, List<String>> f : job.vary().entrySet()) {
                        sb.append(sep).append(f.getKey()).append(": ").append(f.getValue().size());
                        sep = ", ";
                    }
                    throw new IllegalArgumentException(sb.toString());
                }
            }
            for (int i = 0; i < n; i++) {
                List<String> c = new ArrayList<>();
                for (List<String> l : lists) {
                    c.add(l.get(i));
                }
                out.add(c);
            }
            return out;
        }
        out.add(List.of());
        for (List<String> l : lists) {
            List<List<String>> next = new ArrayList<>();
            for (List<String> prefix : out) {
                for (String v : l) {
                    List<String> c = new ArrayList<>(prefix);
                    c.add(v);
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }

    /** The derived seed of a point (see the class comment). */
    public static long derivedSeed(String workloadLabel, Map<String, String> vary, int repeat) {
        StringBuilder sb = new StringBuilder("workload=").append(workloadLabel).append('\n');
        vary.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append("repeat=").append(repeat).append('\n');
        byte[] d = sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = (s << 8) | (d[i] & 0xff);
        }
        return s & Long.MAX_VALUE;
    }

    /**
     * {@code plugin.sha256=<hash of the jar>} lines for the plugin jars whose policies the point
     * selects ({@code policy.<kind>}, and the policies of an {@code --mrc} study), so that a
     * rebuilt plugin runs its points again; empty when every policy is built in.
     */
    static String pluginJars(SweepJob job, EffectiveConfig c, PolicyCatalog catalog, Map<String, String> cache)
            throws IOException {
        Set<String> origins = new java.util.TreeSet<>();
        for (PolicyKind kind : PolicyKind.values()) {
            PolicyProvider sel = c.selectedPolicy(kind);
            if (sel != null) {
                origins.add(catalog.origin(sel));
            }
        }
        if (job.mrc() != null) {
            for (String spec : job.mrc().policies()) {
                origins.add(catalog.origin(catalog.provider(PolicyKind.RECLAIM,
                        io.vmsim.core.mrc.MrcStudy.PolicySpec.parse(spec).name())));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String o : origins) {
            Path jar = Path.of(o);
            if (Files.isRegularFile(jar)) {
                String h = cache.get(o);
                if (h == null) {
                    h = sha256Of(jar);
                    cache.put(o, h);
                }
                sb.append("plugin.sha256=").append(h).append('\n');
            }
        }
        return sb.toString();
    }

    /** The hash of a point (see the class comment), its first {@link #HASH_DIGITS} hex digits. */
    static String hash(SweepJob job, SweepPoint p, String content, EffectiveConfig c, String pluginJars) {
        StringBuilder sb = new StringBuilder("vmsim sweep point 1\n");
        sb.append("workload=").append(p.workload().label()).append('\n');
        if (content != null) {
            sb.append("content.sha256=").append(content).append('\n');
        }
        sb.append("repeat=").append(p.repeat()).append('\n');
        if (job.mrc() != null) {
            sb.append("mrc.policy=").append(String.join(",", job.mrc().policies())).append('\n');
            sb.append("mrc.frames=").append(job.mrc().frames()).append('\n');
        }
        sb.append(pluginJars);
        c.values().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        byte[] d = sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d).substring(0, HASH_DIGITS);
    }

    /** The SHA-256 of a trace's or scenario file's content, or null for a built-in scenario. */
    static String contentHash(SweepJob.Workload w) throws IOException {
        Path f = Path.of(w.ref());
        if (!w.trace() && !Files.isRegularFile(f)) {
            return null; // a built-in scenario: its name says what it is
        }
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("trace file '" + w.ref() + "' does not exist");
        }
        return sha256Of(f);
    }

    private static String sha256Of(Path f) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The configuration of a point, layered as {@code vmsim run} layers it (trace defaults or the
     * scenario's, the file, the job's {@code --set}, then {@code extra}).
     */
    static EffectiveConfig config(SweepJob job, SweepJob.Workload w, Scenario sc, List<String> extra,
                                  PolicyCatalog catalog) {
        return config(job, w, sc, extra, catalog, UnaryOperator.identity());
    }

    /** As above, with the config file found through {@code localize} (a worker's copy). */
    static EffectiveConfig config(SweepJob job, SweepJob.Workload w, Scenario sc, List<String> extra,
                                  PolicyCatalog catalog, UnaryOperator<String> localize) {
        ConfigLoader loader = new ConfigLoader(catalog);
        if (sc != null) {
            loader.scenarioDefaults(sc.name(), sc.config());
        } else if (w.trace()) {
            loader.scenarioDefaults("trace replay", Simulation.TRACE_DEFAULTS);
        }
        List<String> all = new ArrayList<>(job.sets());
        if (job.pluginsDir() != null) {
            all.add(CoreKeys.PLUGINS_DIR + "=" + job.pluginsDir());
        }
        all.addAll(extra);
        return loader.file(job.configFile() == null ? null : Path.of(localize.apply(job.configFile())))
                .assignments(all).load();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
