package io.vmsim.core.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One point of a sweep: a workload, one value of each varied key, a repeat index and the seed
 * they give.
 *
 * @param index    the point's place in the sweep's order (workloads outer, then the varied keys in
 *                 {@code --vary} order, the first outermost, then the repeats), from 0
 * @param workload the workload
 * @param repeat   the repeat index, from 0
 * @param seed     the run's {@code seed}: derived (see {@link SweepPlan#derivedSeed}) unless fixed by the user
 * @param vary     the varied keys' values, in {@code --vary} order
 * @param hash     the hash of the point's full effective configuration (see {@link SweepPlan}), its file name
 */
public record SweepPoint(int index, SweepJob.Workload workload, int repeat, long seed, Map<String, String> vary,
                         String hash) implements Serializable {
    private static final long serialVersionUID = 1L;

    public SweepPoint {
        vary = new LinkedHashMap<>(vary);
    }

    /** The {@code key=value} assignments this point adds over the job's: the varied values, then the seed. */
    public List<String> assignments() {
        List<String> out = new java.util.ArrayList<>();
        vary.forEach((k, v) -> out.add(k + "=" + v));
        out.add(io.vmsim.core.config.CoreKeys.SEED + "=" + seed);
        return out;
    }

    /** The point as results.jsonl and the per-point files describe it. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("point", hash);
        m.put("index", (long) index);
        m.put("workload", workload.label());
        m.put("repeat", (long) repeat);
        m.put("seed", seed);
        m.put("vary", new LinkedHashMap<>(vary));
        return m;
    }
}
