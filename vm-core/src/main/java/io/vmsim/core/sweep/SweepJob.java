package io.vmsim.core.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sweep was asked for, as {@code vmsim sweep} reads it: the workloads, the varied keys
 * with their values (in the order of the {@code --vary} options), the fixed assignments, and for
 * an {@code --mrc} sweep the policies and frame counts of each point's study. Serializable, so
 * that a cluster engine ships it with the job to the workers; every path in it is as the user
 * wrote it on the machine that planned the sweep (a worker maps it to its own copy).
 *
 * @param workloads  the workloads, in order
 * @param vary       each varied key with its values as written, in {@code --vary} order
 * @param zip        pair the value lists element by element instead of taking their product
 * @param repeat     runs of each combination, with seeds derived from the repeat index
 * @param sets       fixed {@code --set key=value} assignments, applied below the varied values
 * @param configFile a configuration file, or null
 * @param pluginsDir the plugin folder, or null for the default
 * @param mrc        the study of an {@code --mrc} sweep, or null for a sweep of runs
 */
public record SweepJob(List<Workload> workloads, Map<String, List<String>> vary, boolean zip, int repeat,
                       List<String> sets, String configFile, String pluginsDir, Mrc mrc) implements Serializable {
    private static final long serialVersionUID = 1L;

    public SweepJob {
        workloads = List.copyOf(workloads);
        LinkedHashMap<String, List<String>> v = new LinkedHashMap<>();
        vary.forEach((k, l) -> v.put(k, List.copyOf(l)));
        vary = v;
        sets = List.copyOf(sets);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one --scenario or --trace");
        }
    }

    /**
     * One workload.
     *
     * @param trace true for a trace replay, false for a scenario (built-in name or file)
     * @param ref   the scenario's name or file, or the trace file, as given
     */
    public record Workload(boolean trace, String ref) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** {@code scenario:NAME} or {@code trace:PATH}, as a run's JSON names its workload. */
        public String label() {
            return (trace ? "trace:" : "scenario:") + ref;
        }
    }

    /**
     * The study of each point of an {@code --mrc} sweep: every policy at every frame count.
     *
     * @param policies reclaim policies, possibly variants ({@code clock[insert_referenced=false]})
     * @param frames   frame counts
     */
    public record Mrc(List<String> policies, List<Integer> frames) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Mrc {
            policies = List.copyOf(policies);
            frames = List.copyOf(frames);
        }
    }

    /**
     * Parses {@code --vary KEY=V1,V2,...} options into the ordered map a job holds. Values are
     * split at commas outside square brackets (a policy variant keeps its own list).
     *
     * @throws IllegalArgumentException for a malformed option, an empty value or a key given twice
     */
    public static Map<String, List<String>> parseVary(List<String> options) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0 || o.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("--vary '" + o + "': expected KEY=V1,V2,..., e.g. --vary machine.memory=64M,128M");
            }
            String key = o.substring(0, eq).trim();
            List<String> values = new ArrayList<>();
            for (String v : o.substring(eq + 1).split(",(?![^\\[]*\\])", -1)) {
                if (v.isBlank()) {
                    throw new IllegalArgumentException("--vary '" + o + "': an empty value in the list");
                }
                values.add(v.trim());
            }
            if (out.put(key, values) != null) {
                throw new IllegalArgumentException("--vary: key '" + key + "' is given twice; list all its values in one --vary");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one --vary KEY=V1,V2,...");
        }
        return out;
    }
}
