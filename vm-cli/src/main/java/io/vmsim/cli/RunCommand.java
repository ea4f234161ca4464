package io.vmsim.cli;

import io.vmsim.cli.report.RunReport;
import io.vmsim.core.Simulation;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunAbortedException;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TextReport;
import io.vmsim.core.report.TimeSeries;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmsim run}: one simulation of a scenario or a trace. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs one simulation of a scenario (default: " + ScenarioCatalog.DEFAULT + ") or a trace.",
                "The summary goes to stdout; with --json - the JSON goes to stdout and the summary to stderr."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (.yaml, .yml or .properties).")
    Path config;

    @Option(names = "--scenario", paramLabel = "NAME", description = "A built-in scenario (see 'vmsim scenarios') or a scenario file.")
    String scenario;

    @Option(names = "--trace", paramLabel = "FILE", description = "A memory trace to replay instead of a scenario.")
    Path trace;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides one configuration key; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every counter as JSON to FILE, or to stdout with '-'.")
    String json;

    @Option(names = "--report", paramLabel = "FILE.html", description = {"Also write a self-contained HTML report with"
            + " charts over simulated time (free memory, RSS, LRU lists, refaults, THP, NUMA, KSM),",
            "sampled every report.interval_ms (see docs/reports.md)."})
    Path report;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars (default: ./plugins if present).")
    Path plugins;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        if (scenario != null && trace != null) {
            throw new IllegalArgumentException("--scenario and --trace cannot be combined: a run replays one workload");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PolicyRegistry catalog = Inputs.catalog(plugins, sets, err, true)) {
            Scenario sc = trace == null ? Inputs.scenario(scenario == null ? ScenarioCatalog.DEFAULT : scenario) : null;
            EffectiveConfig cfg = Inputs.config(catalog, sc, trace != null, config, sets, plugins);
            if (trace != null && !Files.isRegularFile(trace)) {
                throw new IllegalArgumentException("trace file '" + trace + "' does not exist");
            }
            Inputs.checkWritable(json);
            if (report != null) {
                Inputs.checkWritable("--report", report.toString());
            }
            // the time series of --report (issue 14): sampled only when a report is asked for
            TimeSeries series = report == null ? null
                    : new TimeSeries(Math.max(1, Math.round(cfg.getDouble(CoreKeys.REPORT_INTERVAL_MS) * 1e6)));
            Progress bar = ProgressBar.forTerminal(err);
            RunResult result;
            try (Sigint sigint = Sigint.catching()) {
                Progress progress = sigint.progress(bar);
                result = sc != null
                        ? Simulation.runScenario(cfg, catalog, sc, progress, series)
                        : Simulation.runTrace(cfg, catalog, trace, progress, series);
            } catch (RunAbortedException e) {
                // A policy failed: what was counted so far is still worth having; the error line follows.
                report(e.partial(), series, out, err);
                throw e;
            } finally {
                if (bar instanceof ProgressBar b) {
                    b.clear();
                }
            }
            report(result, series, out, err);
            return result.interrupted() ? Main.INTERRUPTED : Main.OK;
        }
    }

    /** Prints the summary and writes the JSON as {@code --json} asks. */
    private void report(RunResult result, TimeSeries series, PrintWriter out, PrintWriter err) throws java.io.IOException {
        String summary = TextReport.render(result);
        if (report != null) {
            try {
                RunReport.write(result, series, report);
            } catch (java.io.IOException e) {
                throw new OutputFailure("cannot write --report '" + report + "': " + e.getMessage(), e);
            }
        }
        if ("-".equals(json)) {
            out.print(JsonWriter.toJson(result));
            out.flush();
            err.print(summary);
        } else {
            if (json != null) {
                try {
                    Files.writeString(Path.of(json), JsonWriter.toJson(result));
                } catch (java.io.IOException e) {
                    throw new OutputFailure("cannot write --json '" + json + "': " + e.getMessage(), e);
                }
            }
            out.print(summary);
        }
        out.flush();
        err.flush();
    }
}
