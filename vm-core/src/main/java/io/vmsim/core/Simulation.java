package io.vmsim.core;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.debug.InvariantChecker;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunAbortedException;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import io.vmsim.core.vmscan.Reclaim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The engine's entry points: run a scenario or replay a trace, and report. */
public final class Simulation {
    /**
     * Configuration defaults of a trace replay, applied below the user's file and
     * {@code --set}: a lackey trace carries no VMA layout, so its address-space-wide areas are
     * not eligible for THP unless asked ({@code pgfault} then counts 4 KiB faults,
     * the convention of the traces' ground truth).
     */
    public static final Map<String, String> TRACE_DEFAULTS = Map.of(CoreKeys.THP_ENABLED, "never");

    private static final int BATCH = 8192;

    private Simulation() {
    }

    /** Runs a scenario on a new machine built from {@code config}. */
    public static RunResult runScenario(CoreConfig config, PolicyCatalog catalog, Scenario scenario, Progress progress)
            throws IOException {
        return runScenario(config, catalog, scenario, progress, null);
    }

    /**
     * Runs a scenario, recording the time series of {@code run --report} into {@code series}
     * when it is not null (issue 14).
     */
    public static RunResult runScenario(CoreConfig config, PolicyCatalog catalog, Scenario scenario, Progress progress,
                                        io.vmsim.core.report.TimeSeries series) throws IOException {
        Machine m = Machine.create(config, catalog);
        if (series != null) {
            m.sampleInto(series);
        }
        ScenarioRunner runner = new ScenarioRunner(m, progress, config.getLong(CoreKeys.SEED));
        List<RunResult.PhaseResult> phases;
        try {
            phases = runner.run(scenario);
        } catch (PolicyException e) {
            throw aborted(m, "scenario:" + scenario.name(), m.refs(), e);
        }
        RunResult r = finish(m, "scenario:" + scenario.name(), m.refs(), phases, runner.nestedWalkRows(),
                runner.fileResults(), runner.interrupted());
        long left = runner.mempolicyLeftInPlace();
        if (left > 0) {
            r = r.withWarning(mempolicyWarning(left));
        }
        return runner.migration() == null ? r : r.withMigration(runner.migration());
    }

    /** The warning for {@code pages} 4 KiB pages that mbind, migrate_pages or move_pages left in place. */
    static String mempolicyWarning(long pages) {
        return "mbind/migrate_pages/move_pages left " + String.format(Locale.ROOT, "%,d", pages)
                + " pages (4 KiB) of huge pages or the page cache on their node where Linux would have"
                + " moved them: vmsim migrates order-0 anonymous pages only; for placement figures run with"
                + " mm.transparent_hugepage.enabled=never and anonymous memory";
    }

    /**
     * Replays a trace on CPU 0, one reference at a time. A lackey trace is one process whose
     * anonymous read-write memory spans the user address space ({@link TraceReplay}); a trace of
     * page numbers or addresses is {@code read()}s of one file through the page cache
     * ({@link FileTraceReplay}).
     */
    public static RunResult runTrace(CoreConfig config, PolicyCatalog catalog, Path trace, Progress progress)
            throws IOException {
        return runTrace(config, catalog, trace, progress, null);
    }

    /** Replays a trace, recording the time series of {@code run --report} into {@code series} when not null. */
    public static RunResult runTrace(CoreConfig config, PolicyCatalog catalog, Path trace, Progress progress,
                                     io.vmsim.core.report.TimeSeries series) throws IOException {
        String format = TraceFormats.formatOf(trace, config.getString(CoreKeys.TRACE_FORMAT));
        Machine m = Machine.create(config, catalog);
        if (series != null) {
            m.sampleInto(series);
        }
        return TraceFormats.isFileTrace(trace, format) ? replayFile(m, trace, format, progress)
                : replayAnon(m, trace, format, progress);
    }

    private static RunResult replayAnon(Machine m, Path trace, String format, Progress progress) throws IOException {
        TraceReplay replay = new TraceReplay(m);
        long t0 = m.nanoTime();
        boolean interrupted = replayLoop(m, trace, format, m.config().getBoolean(CoreKeys.TRACE_INSTRUCTIONS), progress,
                replay::replay, m::refs, -1);
        List<RunResult.PhaseResult> phases = List.of(new RunResult.PhaseResult(interrupted ? "replay [interrupted]" : "replay",
                m.nanoTime() - t0, m.refs()));
        return finish(m, "trace:" + trace, m.refs(), phases, List.of(), List.of(), interrupted);
    }

    private static RunResult replayFile(Machine m, Path trace, String format, Progress progress) throws IOException {
        long t0 = m.nanoTime();
        FileTraceReplay replay = FileTraceReplay.open(m, trace, format, progress);
        if (replay == null) {
            List<RunResult.PhaseResult> phases = List.of(new RunResult.PhaseResult("replay [interrupted]", 0, 0));
            return finish(m, "trace:" + trace, 0, phases, List.of(), List.of(), true);
        }
        boolean interrupted = replayLoop(m, trace, format, false, progress, replay::replay, replay::refs, replay.total());
        List<RunResult.PhaseResult> phases = List.of(new RunResult.PhaseResult(interrupted ? "replay [interrupted]" : "replay",
                m.nanoTime() - t0, replay.refs()));
        return finish(m, "trace:" + trace, replay.refs(), phases, List.of(), replay.fileResults(), interrupted);
    }

    /** Replays one batch of encoded references read from {@code source}. */
    @FunctionalInterface
    private interface Batch {
        void replay(long[] refs, int n, String source);
    }

    /**
     * The read loop both kinds of trace replay share: batches from the trace, a stop at a batch
     * boundary when asked, the invariant checks and progress. Returns true if it was stopped.
     */
    private static boolean replayLoop(Machine m, Path trace, String format, boolean instructions, Progress progress,
                                      Batch batch, java.util.function.LongSupplier refs, long total) throws IOException {
        InvariantChecker checks = m.debugChecks();
        long[] buf = new long[BATCH];
        long next = 1 << 20;
        try (TraceReader r = TraceFormats.open(trace, format, instructions)) {
            for (int n; (n = r.read(buf)) > 0; ) {
                if (progress.stopRequested()) {
                    return true;
                }
                batch.replay(buf, n, r.source());
                if (checks != null) {
                    checks.maybeCheck(refs.getAsLong(), "replay");
                }
                if (refs.getAsLong() >= next) {
                    next = refs.getAsLong() + (1 << 20);
                    progress.update("replay", refs.getAsLong(), total);
                }
            }
        } catch (PolicyException e) {
            throw aborted(m, "trace:" + trace, refs.getAsLong(), e);
        }
        return false;
    }

    /**
     * A policy failed mid-run: the counters so far, without the end-of-run invariant checks
     * (the failure is the news), travel with the error so they can still be written.
     */
    private static RunAbortedException aborted(Machine m, String workload, long refs, PolicyException e) {
        try {
            m.finishSamples();
        } catch (PolicyException again) {
            // the sample asks the failed policy for its active pages: the report keeps the samples so far
        }
        RunResult partial = new RunResult(workload, m.vmstat(), m.meminfo(), m.tlb(), m.nanoTime(), refs, List.of(),
                List.of(), m.buddyinfo(), new LinkedHashMap<>(m.config().asMap()));
        return new RunAbortedException(partial, e);
    }

    private static RunResult finish(Machine m, String workload, long refs, List<RunResult.PhaseResult> phases,
                                    List<RunResult.NestedWalkRow> nested, List<RunResult.FileResult> files,
                                    boolean interrupted) {
        Kernel k = m.kernel();
        Reclaim reclaim = Reclaim.of(k);
        m.finishSamples();
        InvariantChecker checks = m.debugChecks();
        if (checks != null) {
            checks.check("end of the run");
        }
        Map<String, String> cfg = new LinkedHashMap<>(m.config().asMap());
        List<String> kills = reclaim.oomKiller().kills().stream().map(Object::toString).toList();
        return new RunResult(workload, m.vmstat(), m.meminfo(), m.tlb(), m.nanoTime(), refs, phases, nested,
                m.buddyinfo(), cfg, files, kills, reclaim.cgroupReport(), interrupted, warnings(m), Reports.numa(m), ksm(m));
    }

    /** ksmd's counters, by their sysfs names, if it ran (KSM, issue 11). */
    private static RunResult.KsmResult ksm(Machine m) {
        io.vmsim.core.ksm.Ksm ksm = m.ksm();
        if (!ksm.running()) {
            return null;
        }
        if (m.debugChecks() != null) {
            ksm.verify();
        }
        io.vmsim.core.ksm.Ksm.Stats st = ksm.stats();
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("pages_shared", st.pagesShared());
        c.put("pages_sharing", st.pagesSharing());
        c.put("pages_unshared", st.pagesUnshared());
        c.put("pages_volatile", st.pagesVolatile());
        c.put("full_scans", st.fullScans());
        c.put("stable_node_chains", st.stableNodeChains());
        c.put("stable_node_dups", st.stableNodeDups());
        c.put("ksm_zero_pages", st.ksmZeroPages());
        c.put("general_profit", st.generalProfit());
        c.put("pages_scanned", st.pagesScanned());
        c.put("pages_skipped", st.pagesSkipped());
        return new RunResult.KsmResult(c, st.fullScanEndNs());
    }

    /** What the figures do not say by themselves. */
    static List<String> warnings(Machine m) {
        List<String> out = new ArrayList<>();
        long unused = m.kernel().reclaim.unreferencedCountedAsUsed();
        if (unused > 0) {
            out.add("policy " + m.config().getString(CoreKeys.POLICY_RECLAIM) + " counted " + String.format(Locale.ROOT, "%,d", unused)
                    + " pages that arrived unused (readahead, split, collapse) as used: it does not override"
                    + " ReclaimPolicy.pageAddedUnreferenced");
        }
        io.vmsim.core.numa.NumaBalancing numa = m.numaBalancing();
        long huge = numa == null ? 0 : numa.hugeLeftInPlace();
        if (huge > 0) {
            out.add("automatic NUMA balancing left " + String.format(Locale.ROOT, "%,d", huge)
                    + " huge pages on their node that Linux would have migrated (or promoted): vmsim migrates"
                    + " 4 KiB pages only, and counts 512 in pgmigrate_fail for each; for placement figures run with"
                    + " mm.transparent_hugepage.enabled=never");
        }
        return out;
    }
}
