package io.vmsim.cli;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.sweep.LocalEngine;
import io.vmsim.core.sweep.PointResult;
import io.vmsim.core.sweep.Sweep;
import io.vmsim.core.sweep.SweepEngine;
import io.vmsim.core.sweep.SweepJob;
import io.vmsim.core.sweep.SweepOutput;
import io.vmsim.core.sweep.SweepPlan;
import io.vmsim.core.sweep.SweepPoint;
import io.vmsim.core.mrc.MrcStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code vmsim sweep}: runs (or {@code --mrc} studies) over the product of configuration values,
 * into a folder of per-point files and {@code results.csv}/{@code results.jsonl}; resumable.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Runs every combination of --vary values over the workloads, resumably, into --out DIR:",
                "DIR/points/HASH.json per point, DIR/results.csv and DIR/results.jsonl (see docs/sweeps.md).",
                "Exit status: 0, 4 when some points failed (the others are written), 2 for bad input, 1 otherwise."})
final class SweepCommand implements Callable<Integer> {
    /** Failures listed on stderr at the end; the rest are in results.csv. */
    private static final int LISTED_FAILURES = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "NAME", description = "A built-in scenario or a scenario file; repeatable.")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--trace", paramLabel = "FILE", description = "A trace to replay; repeatable (after the scenarios in the sweep's order).")
    List<String> traces = new ArrayList<>();

    @Option(names = "--vary", required = true, paramLabel = "KEY=V1,V2,...",
            description = "A configuration key and its values; repeatable. The sweep runs their product.")
    List<String> vary = new ArrayList<>();

    @Option(names = "--zip", description = "Pair the --vary lists element by element (lists of one length) instead of their product.")
    boolean zip;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "Runs of each combination, each with its own derived seed (default: 1).")
    int repeat;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "sweep-out", description = "Output folder (default: sweep-out); a sweep into a folder that holds finished points skips them.")
    Path out;

    @Option(names = "--engine", paramLabel = "local|spark", defaultValue = "local",
            description = "Run the points in this JVM (default) or as an Apache Spark job (needs Spark: see docs/sweeps.md).")
    String engine;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master URL for --engine spark (local[2], spark://host:7077); default: spark-submit's.")
    String master;

    @Option(names = "--jobs", paramLabel = "N", description = "Points at once with the local engine (default: the cores; fewer when the heap is short).")
    Integer jobs;

    @Option(names = "--mrc", description = "Each point is an mrc study of its trace (--policy, --frames) instead of a run.")
    boolean mrc;

    @Option(names = "--policy", split = ",(?![^\\[]*\\])", paramLabel = "P[,P...]", description = "With --mrc: the reclaim policies of each study.")
    List<String> policies;

    @Option(names = "--frames", split = ",", paramLabel = "N[,N...]", description = "With --mrc: the frame counts of each study.")
    List<String> frames;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Fixes one configuration key for every point; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (.yaml, .yml or .properties) for every point.")
    Path config;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars (default: ./plugins if present).")
    Path plugins;

    @Option(names = "--report", description = "Also write DIR/report.html: a self-contained page with a chart per varied key and a table of every point (docs/reports.md).")
    boolean report;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SweepJob job = job();
        SweepEngine eng = engine(engine);
        if (jobs != null && jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
        }
        if (master != null && !"spark".equals(engine)) {
            throw new IllegalArgumentException("--master is for --engine spark");
        }
        try (PolicyRegistry catalog = Inputs.catalog(plugins, sets, err, true)) {
            if (job.mrc() != null) {
                for (String p : job.mrc().policies()) {
                    catalog.provider(PolicyKind.RECLAIM, MrcStudy.PolicySpec.parse(p).name());
                }
            }
            List<SweepPoint> points;
            try {
                points = SweepPlan.expand(job, catalog);
            } catch (io.vmsim.core.config.ConfigException e) {
                // varied values are loaded as --set assignments: say where they may come from
                throw new io.vmsim.core.config.ConfigException(e.problems().stream()
                        .map(m -> m.replace("(in --set)", "(in --set or --vary)")).toList());
            }
            SweepOutput output = new SweepOutput(out);
            Progress bar = ProgressBar.forTerminal(err);
            Sweep.Summary s;
            try {
                s = Sweep.run(job, points, catalog, output, eng, new SweepEngine.Options(jobs == null ? 0 : jobs, master),
                        bar, (finished, failed, total) -> {
                            if (finished > 0) {
                                err.println("vmsim sweep: " + finished + " of " + total + " points already finished in " + out
                                        + (failed > 0 ? " (" + failed + " of them failed; delete their .error.json files to run them again)" : "")
                                        + "; skipping them");
                                err.flush();
                            }
                        });
            } finally {
                if (bar instanceof ProgressBar b) {
                    b.clear();
                }
            }
            listFailures(points, output, job, err);
            stdout.println("sweep: " + s.points() + " points, " + s.ran() + " run now, " + s.skipped() + " already finished, "
                    + s.failed() + " failed; results in " + out.resolve("results.csv") + " and " + out.resolve("results.jsonl"));
            if (report) {
                Path html = out.resolve("report.html");
                io.vmsim.cli.report.SweepReport.write(out, html);
                stdout.println("sweep: report in " + html);
            }
            stdout.flush();
            return s.failed() > 0 ? Main.SWEEP_POINTS_FAILED : Main.OK;
        }
    }

    private void listFailures(List<SweepPoint> points, SweepOutput output, SweepJob job, PrintWriter err) throws Exception {
        int listed = 0;
        int failed = 0;
        for (SweepPoint p : points) {
            PointResult r = output.finished(p, job.mrc() != null);
            if (r != null && !r.ok()) {
                failed++;
                if (listed++ < LISTED_FAILURES) {
                    err.println("vmsim sweep: point " + p.index() + " (" + p.workload().label() + " " + p.vary() + " repeat "
                            + p.repeat() + ") failed: " + r.error());
                }
            }
        }
        if (failed > LISTED_FAILURES) {
            err.println("vmsim sweep: ... and " + (failed - LISTED_FAILURES) + " more failed points (see results.csv)");
        }
        err.flush();
    }

    /** The job the options describe; every option error is found here, before any point runs. */
    SweepJob job() {
        List<SweepJob.Workload> workloads = new ArrayList<>();
        scenarios.forEach(s -> workloads.add(new SweepJob.Workload(false, s)));
        traces.forEach(t -> workloads.add(new SweepJob.Workload(true, t)));
        for (String t : traces) {
            if (!Files.isRegularFile(Path.of(t))) {
                throw new IllegalArgumentException("trace file '" + t + "' does not exist");
            }
        }
        if (config != null && !Files.isRegularFile(config)) {
            throw new IllegalArgumentException("config file '" + config + "' does not exist");
        }
        SweepJob.Mrc study = null;
        if (mrc) {
            if (!scenarios.isEmpty() || traces.isEmpty()) {
                throw new IllegalArgumentException("--mrc studies traces: give --trace, not --scenario");
            }
            if (policies == null || frames == null) {
                throw new IllegalArgumentException("--mrc needs --policy and --frames");
            }
            List<Integer> f = new ArrayList<>();
            for (int n : MrcCommand.parseFrames(frames)) {
                f.add(n);
            }
            study = new SweepJob.Mrc(policies, f);
        } else if (policies != null || frames != null) {
            throw new IllegalArgumentException("--policy and --frames are for --mrc; vary policy.reclaim to compare policies in runs");
        }
        return new SweepJob(workloads, SweepJob.parseVary(vary), zip, repeat, sets,
                config == null ? null : config.toString(), plugins == null ? null : plugins.toString(), study);
    }

    /**
     * The engine {@code --engine} names: the local one, or one found by {@link ServiceLoader}
     * (vm-spark provides {@code spark}), which needs its module and Spark on the class path.
     */
    static SweepEngine engine(String name) {
        if ("local".equals(name)) {
            return new LocalEngine();
        }
        if (!"spark".equals(name)) {
            throw new IllegalArgumentException("--engine: unknown engine '" + name + "'; use local or spark");
        }
        String how = "--engine spark needs the vm-spark module and Apache Spark on the class path: submit the sweep with"
                + " spark-submit --class io.vmsim.spark.SweepJob (see docs/sweeps.md)";
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            for (SweepEngine e : ServiceLoader.load(SweepEngine.class, cl == null ? SweepCommand.class.getClassLoader() : cl)) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new IllegalArgumentException(how + " (" + ErrorReporter.oneLine(String.valueOf(e.getMessage())) + ")", e);
        }
        throw new IllegalArgumentException(how);
    }
}
