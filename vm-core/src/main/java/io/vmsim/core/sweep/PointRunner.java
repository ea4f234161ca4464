package io.vmsim.core.sweep;

import io.vmsim.core.Simulation;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunAbortedException;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.trace.PreparsedTrace;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs one point of a sweep, as {@code vmsim run} (or {@code vmsim mrc}) would with the point's
 * configuration, and never throws for the point's own failure: bad input, a policy that throws,
 * even a run out of heap, come back as a failed {@link PointResult} naming the error, so that the
 * sweep goes on. Both engines run points through here, the local one in its threads, a cluster
 * one in its workers.
 */
public final class PointRunner {
    private PointRunner() {
    }

    /**
     * Runs {@code p}.
     *
     * @param localize maps a path of the job (trace, scenario file, config file) to this worker's copy
     */
    public static PointResult run(SweepJob job, SweepPoint p, PolicyCatalog catalog, UnaryOperator<String> localize) {
        long start = System.nanoTime();
        Map<String, Object> tree;
        boolean mrc = job.mrc() != null;
        try {
            tree = mrc ? mrc(job, p, catalog, localize) : simulate(job, p, catalog, localize);
        } catch (RunAbortedException e) {
            return failed(p, "policy failed: " + oneLine(e.getMessage()), start);
        } catch (ConfigException e) {
            return failed(p, String.join("; ", e.problems()), start);
        } catch (StackOverflowError | OutOfMemoryError e) {
            return failed(p, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())), start);
        } catch (Exception e) {
            String m = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + oneLine(e.getMessage());
            return failed(p, e.getClass().getSimpleName() + m, start);
        }
        Map<String, Object> metrics = mrc ? Metrics.ofMrc(tree) : Metrics.ofRun(tree);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("point", p.describe());
        file.put("wall_ms", (System.nanoTime() - start) / 1_000_000);
        file.putAll(tree);
        return new PointResult(p.index(), p.hash(), true, null, metrics, JsonWriter.render(file));
    }

    private static Map<String, Object> simulate(SweepJob job, SweepPoint p, PolicyCatalog catalog, UnaryOperator<String> localize)
            throws Exception {
        SweepJob.Workload w = p.workload();
        Scenario sc = w.trace() ? null : ScenarioCatalog.resolve(localizeScenario(w.ref(), localize));
        EffectiveConfig cfg = SweepPlan.config(job, w, sc, p.assignments(), catalog, localize);
        RunResult r = sc != null ? Simulation.runScenario(cfg, catalog, sc, Progress.NONE)
                : Simulation.runTrace(cfg, catalog, Path.of(localize.apply(w.ref())), Progress.NONE);
        return JsonWriter.toTree(r);
    }

    private static Map<String, Object> mrc(SweepJob job, SweepPoint p, PolicyCatalog catalog, UnaryOperator<String> localize)
            throws Exception {
        SweepJob.Workload w = p.workload();
        EffectiveConfig cfg = SweepPlan.config(job, w, null, p.assignments(), catalog, localize);
        MrcTrace t = MrcTrace.of(PreparsedTrace.load(Path.of(localize.apply(w.ref())),
                cfg.getString(CoreKeys.TRACE_FORMAT), false));
        List<MrcStudy.PolicySpec> specs = job.mrc().policies().stream().map(MrcStudy.PolicySpec::parse).toList();
        int[] frames = job.mrc().frames().stream().mapToInt(Integer::intValue).toArray();
        MrcStudy.Outcome o = MrcStudy.run(t, specs, frames, catalog, cfg, 1, Progress.NONE, MrcStudy.Engine.DIRECT);
        return o.toTree();
    }

    /** A built-in scenario's name stays as it is; a scenario file is found through {@code localize}. */
    private static String localizeScenario(String ref, UnaryOperator<String> localize) {
        return java.nio.file.Files.isRegularFile(Path.of(ref)) || ref.contains("/") || ref.endsWith(".yaml")
                || ref.endsWith(".yml") ? localize.apply(ref) : ref;
    }

    private static PointResult failed(SweepPoint p, String error, long start) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("point", p.describe());
        file.put("wall_ms", (System.nanoTime() - start) / 1_000_000);
        file.put("error", error);
        return new PointResult(p.index(), p.hash(), false, error, Map.of(), JsonWriter.render(file));
    }

    static String oneLine(String m) {
        if (m == null) {
            return "";
        }
        return m.lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("");
    }
}
