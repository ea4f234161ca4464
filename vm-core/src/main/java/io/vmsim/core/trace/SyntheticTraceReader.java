package io.vmsim.core.trace;

import io.vmsim.core.workload.ZipfSampler;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trace generated on the fly, with no file, for studies at scale: named like a path,
 * {@code KIND:key=value,...}, and opened by {@link TraceFormats#open(java.nio.file.Path, String, boolean)}.
 *
 * <ul>
 *   <li>{@code zipf:pages=N,alpha=A,refs=R,seed=S}: page {@code k-1} where rank {@code k} in
 *       {@code 1..N} is drawn with probability proportional to {@code 1/k^A} by
 *       {@link ZipfSampler} (rejection-inversion, exact) from a {@link SplittableRandom} seeded
 *       with {@code S}; page 0 is the most popular. {@code alpha} defaults to 0.99, {@code seed} to 42.</li>
 *   <li>{@code uniform:pages=N,refs=R,seed=S}: pages drawn uniformly from {@code 0..N-1}.</li>
 *   <li>{@code seq:pages=N,refs=R}: pages {@code 0, 1, .., N-1, 0, 1, ..} (a loop).</li>
 * </ul>
 * Every reference is a load of address {@code page << 12}. The same text gives the same trace.
 */
public final class SyntheticTraceReader implements TraceReader {
    private final String spec;
    private final String kind;
    private final long pages;
    private final long refs;
    private final SplittableRandom random;
    private final ZipfSampler zipf;
    private long next;

    private SyntheticTraceReader(String spec) {
        this.spec = spec;
        int colon = spec.indexOf(':');
        this.kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String kv : spec.substring(colon + 1).split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("synthetic trace '" + spec + "': '" + kv + "' is not KEY=VALUE");
            }
            keys.put(kv.substring(0, eq).trim().toLowerCase(Locale.ROOT), kv.substring(eq + 1).trim());
        }
        java.util.Set<String> allowed = switch (kind) {
            case "zipf" -> java.util.Set.of("pages", "alpha", "refs", "seed");
            case "uniform" -> java.util.Set.of("pages", "refs", "seed");
            default -> java.util.Set.of("pages", "refs");
        };
        for (String k : keys.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("synthetic trace '" + spec + "': unknown key '" + k + "'; "
                        + kind + ": takes " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        this.pages = positive(keys, "pages", -1);
        this.refs = positive(keys, "refs", -1);
        long seed = Long.parseLong(keys.getOrDefault("seed", "42").replace("_", ""));
        this.random = new SplittableRandom(seed);
        double alpha = Double.parseDouble(keys.getOrDefault("alpha", "0.99"));
        this.zipf = kind.equals("zipf") ? new ZipfSampler(pages, alpha) : null;
    }

    private long positive(Map<String, String> keys, String key, long dflt) {
        String v = keys.get(key);
        if (v == null) {
            if (dflt < 0) {
                throw new IllegalArgumentException("synthetic trace '" + spec + "' needs " + key + "=N");
            }
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0) {
            throw new IllegalArgumentException("synthetic trace '" + spec + "': " + key + " must be a positive integer, got '" + v + "'");
        }
        return n;
    }

    /** True if {@code name} names a generated trace ({@code zipf:}, {@code uniform:} or {@code seq:}). */
    public static boolean isSpec(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.startsWith("zipf:") || n.startsWith("uniform:") || n.startsWith("seq:");
    }

    /** Opens a generated trace. */
    public static SyntheticTraceReader open(String spec) {
        return new SyntheticTraceReader(spec);
    }

    /** The references the trace holds ({@code refs=}). */
    public long refs() {
        return refs;
    }

    @Override
    public int read(long[] buf) {
        int n = (int) Math.min(buf.length, refs - next);
        switch (kind) {
            case "zipf" -> {
                for (int i = 0; i < n; i++) {
                    buf[i] = (zipf.sample(random) - 1) << 14; // TraceReader.encode(page << 12, LOAD)
                }
            }
            case "uniform" -> {
                for (int i = 0; i < n; i++) {
                    buf[i] = random.nextLong(pages) << 14;
                }
            }
            default -> {
                long p = next % pages;
                for (int i = 0; i < n; i++) {
                    buf[i] = p << 14;
                    if (++p == pages) {
                        p = 0;
                    }
                }
            }
        }
        next += n;
        return n;
    }

    @Override
    public String source() {
        return spec;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
