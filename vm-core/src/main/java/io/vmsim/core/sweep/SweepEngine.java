package io.vmsim.core.sweep;

import io.vmsim.core.plugin.PolicyCatalog;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the unfinished points of a sweep. {@link LocalEngine} runs them in this JVM; a cluster
 * engine (vm-spark's, found by {@link java.util.ServiceLoader}) runs each as a task. Either way
 * a point runs through {@link PointRunner} and its result comes back to {@code done}, on the
 * machine that planned the sweep, which writes the files: the output is the same bytes whatever
 * the engine.
 */
public interface SweepEngine {
    /** The name {@code --engine} selects it by. */
    String name();

    /**
     * Runs {@code points} (in any order, any number at once) and hands each result to
     * {@code done}, one call at a time, as it comes.
     *
     * @param catalog the policies, for engines that run points in this JVM
     */
    void run(SweepJob job, List<SweepPoint> points, PolicyCatalog catalog, Options options, Consumer<PointResult> done)
            throws Exception;

    /**
     * How to run.
     *
     * @param jobs   points at once, or 0 for the engine's choice (the local engine: the cores)
     * @param master a cluster engine's master URL, or null for its default
     */
    record Options(int jobs, String master) {
    }
}
