package io.vmsim.cli;

import io.vmsim.cli.report.MrcPng;
import io.vmsim.cli.report.MrcReport;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcPlot;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceFormats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vmsim mrc}: a pure page-replacement study. Each policy x frame count replays the trace
 * against exactly that many frames (no watermarks, no page tables, cold misses counted), in
 * parallel; prints a table, and on request JSON and a miss-ratio plot.
 */
@Command(name = "mrc", mixinStandardHelpOptions = true,
        description = {"Miss-ratio curves: replays a trace against N frames per reclaim policy.",
                "The table goes to stdout; with --json - the JSON goes to stdout and the table to stderr."})
final class MrcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--trace", required = true, paramLabel = "FILE", description = {"The trace (lackey, pages, addresses, vmt, oracleGeneral or csv; plain, gz, xz or zst), or a generated one:",
                    "zipf:pages=N,alpha=A,refs=R,seed=S, uniform:pages=N,refs=R,seed=S or seq:pages=N,refs=R."})
    Path trace;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = TraceFormats.AUTO,
            description = "Trace format (default: detected).")
    String format;

    @Option(names = "--policy", required = true, split = ",(?![^\\[]*\\])", paramLabel = "P[,P...]",
            description = {"Reclaim policies (see 'vmsim policies'); a variant sets keys of its own:",
                    "clock,clock[insert_referenced=false] runs both."})
    List<String> policies;

    @Option(names = "--frames", required = true, split = ",", paramLabel = "N[,N...]",
            description = {"Frame counts, positive integers; counts above the trace's distinct pages are capped to it.",
                    "'all' (with --policy lru): every size from 1 to the distinct pages, in one pass."})
    List<String> frames;

    @Option(names = "--sample", paramLabel = "R", description = {"LRU only: estimate the curve from a SHARDS sample of the pages",
            "at rate R in (0, 1] (hash(page) mod 2^24 < R * 2^24), in one pass."})
    Double sample;

    @Option(names = "--exact", description = {"With --sample: also compute the exact LRU curve in the same pass",
            "and print the sample's mean absolute error against it."})
    boolean exact;

    @Option(names = "--machine", description = {"Replay through the full simulated machine: reads through the page cache",
            "in a memory cgroup of exactly N pages (see docs/mrc.md)."})
    boolean machine;

    @Option(names = "--limit", paramLabel = "N", description = "Replay only the first N data references.")
    Long limit;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Sets a policy key, e.g. policy.reclaim.clock.insert_referenced=false; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON to FILE, or to stdout with '-'.")
    String json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the miss-ratio curves to FILE.svg, FILE.html or FILE.png.")
    Path plot;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write a self-contained HTML report with"
            + " interactive charts of the curves and the results (see docs/reports.md).")
    Path report;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: the number of cores).")
    Integer threads;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars (default: ./plugins if present).")
    Path plugins;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        boolean all = frames.size() == 1 && frames.get(0).trim().equalsIgnoreCase("all");
        int[] sizes = all ? null : parseFrames(frames);
        boolean onePass = all || sample != null;
        if (onePass && !(policies.size() == 1 && policies.get(0).trim().equals("lru"))) {
            throw new IllegalArgumentException((all ? "--frames all" : "--sample")
                    + " computes LRU's curve in one pass by stack distances; use it with --policy lru alone, got --policy "
                    + String.join(",", policies));
        }
        if (onePass && machine) {
            throw new IllegalArgumentException((all ? "--frames all" : "--sample") + " and --machine do not go together");
        }
        if (exact && sample == null) {
            throw new IllegalArgumentException("--exact compares a --sample curve with the exact one; give --sample R too");
        }
        String plotKind = plot == null ? null : plotKind(plot);
        if (report != null) {
            Inputs.checkWritable("--report", report.toString());
        }
        boolean generated = io.vmsim.core.trace.SyntheticTraceReader.isSpec(trace.toString());
        if (generated) {
            io.vmsim.core.trace.SyntheticTraceReader.open(trace.toString()).close(); // a malformed spec fails here
        } else if (!Files.exists(trace)) {
            throw new IllegalArgumentException("trace file '" + trace + "' does not exist");
        }
        if (!generated && !Files.isRegularFile(trace)) {
            // A pipe could be read once, but format detection reads the head twice; keep it simple.
            throw new IllegalArgumentException("trace '" + trace + "' is not a regular file; vmsim mrc may read a trace"
                    + " twice (format detection; opt's next-use pre-pass)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PolicyRegistry catalog = Inputs.catalog(plugins, sets, err, true)) {
            EffectiveConfig cfg = new ConfigLoader(catalog).assignments(sets).load();
            List<MrcStudy.PolicySpec> specs = policies.stream().map(MrcStudy.PolicySpec::parse).toList();
            for (MrcStudy.PolicySpec p : specs) {
                catalog.provider(io.vmsim.api.policy.PolicyKind.RECLAIM, p.name()); // unknown names fail before reading
            }
            Progress bar = ProgressBar.forTerminal(err);
            MrcStudy.Outcome o;
            MrcStudy.Curve curve = null;
            try (Sigint sigint = Sigint.catching()) {
                Progress progress = sigint.progress(bar);
                progress.update("reading " + trace.getFileName(), 0, -1);
                if (limit != null && limit <= 0) {
                    throw new IllegalArgumentException("--limit must be a positive number of references, got " + limit);
                }
                int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
                if (n < 1) {
                    throw new IllegalArgumentException("--threads must be at least 1, got " + n);
                }
                long max = limit == null ? Long.MAX_VALUE : limit;
                if (onePass) {
                    long total = generated ? io.vmsim.core.trace.SyntheticTraceReader.open(trace.toString()).refs() : -1;
                    if (limit != null) {
                        total = total < 0 ? limit : Math.min(total, limit);
                    }
                    curve = MrcStudy.curve(() -> TraceFormats.open(trace, format, false), trace.toString(), max,
                            sample == null || exact, sample == null ? 0 : sample, sizes, progress, total, n);
                    o = curve.outcome();
                    for (MrcStudy.FramesCap c : o.capped()) {
                        err.println(capNote(c.asked(), o.distinctPages(), c.frames()));
                    }
                } else if (machine) {
                    // The --machine engine replays a trace held in memory.
                    MrcTrace t = MrcTrace.of(PreparsedTrace.load(trace, format, false), max);
                    sizes = capFrames(sizes, t.distinctPages(), err);
                    o = MrcStudy.run(t, specs, sizes, catalog, cfg, n, progress, MrcStudy.Engine.MACHINE);
                } else {
                    long total = generated ? io.vmsim.core.trace.SyntheticTraceReader.open(trace.toString()).refs() : -1;
                    if (limit != null) {
                        total = total < 0 ? limit : Math.min(total, limit);
                    }
                    o = MrcStudy.stream(() -> TraceFormats.open(trace, format, false), trace.toString(), max, specs,
                            sizes, catalog, cfg, n, progress, total);
                    for (MrcStudy.FramesCap c : o.capped()) {
                        err.println(capNote(c.asked(), o.distinctPages(), c.frames()));
                    }
                }
            } finally {
                if (bar instanceof ProgressBar b) {
                    b.clear();
                }
            }
            // streamed, row by row: a curve of a million sizes holds no JSON text or tree
            if ("-".equals(json)) {
                java.io.BufferedWriter bw = new java.io.BufferedWriter(out, 1 << 16);
                JsonWriter.write(curve != null ? curve.toTree() : o.toTree(), bw);
                bw.flush();
                printTable(err, o, curve);
            } else {
                if (json != null) {
                    try (java.io.Writer w = Files.newBufferedWriter(Path.of(json))) {
                        JsonWriter.write(curve != null ? curve.toTree() : o.toTree(), w);
                    }
                }
                printTable(out, o, curve);
            }
            if (plot != null) {
                if (plotKind.equals("png")) {
                    MrcPng.write(o, plot);
                } else {
                    Files.writeString(plot, plotKind.equals("svg") ? MrcPlot.svg(o) : MrcPlot.html(o));
                }
            }
            if (report != null) {
                MrcReport.write(o, report);
            }
            if (o.interrupted() && onePass) {
                err.println("vmsim mrc: interrupted after " + o.refs() + " references: the curve is that of those");
            } else if (o.interrupted() && !machine) {
                err.println("vmsim mrc: interrupted after " + o.refs() + " references: the table and JSON hold every"
                        + " policy x size pair over those references");
            } else if (o.interrupted()) {
                err.println("vmsim mrc: interrupted: " + o.results().size() + " of " + specs.size() * sizes.length
                        + " policy x size pairs finished; the table and JSON hold those");
            }
            out.flush();
            err.flush();
            return o.interrupted() ? Main.INTERRUPTED : Main.OK;
        }
    }

    static int[] parseFrames(List<String> values) {
        int[] sizes = new int[values.size()];
        for (int i = 0; i < sizes.length; i++) {
            String v = values.get(i).trim().replace("_", "");
            long n;
            try {
                n = new java.math.BigInteger(v).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                n = -1;
            }
            if (n <= 0) {
                throw new IllegalArgumentException("--frames: '" + v + "' is not a positive integer");
            }
            sizes[i] = (int) Math.min(n, Integer.MAX_VALUE); // capped to the trace's distinct pages later
        }
        return sizes;
    }

    /**
     * More frames than distinct pages never evict: such counts are capped to the distinct pages
     * (once each, in order), and the cap is said on stderr.
     */
    static int[] capFrames(int[] sizes, int distinct, PrintWriter err) {
        java.util.LinkedHashSet<Integer> out = new java.util.LinkedHashSet<>();
        for (int n : sizes) {
            int c = Math.max(1, Math.min(n, distinct));
            if (c != n) {
                err.println(capNote(n, distinct, c));
            }
            out.add(c);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String capNote(long asked, int distinct, int frames) {
        return "vmsim mrc: --frames " + asked + " is more than the trace's " + distinct
                + " distinct pages; running " + frames + " frames instead";
    }

    private static String plotKind(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            return "svg";
        }
        if (name.endsWith(".html") || name.endsWith(".htm")) {
            return "html";
        }
        if (name.endsWith(".png")) {
            return "png";
        }
        throw new IllegalArgumentException("--plot: '" + p + "' must end in .svg, .html or .png");
    }

    /**
     * Prints the results table (and the sample's lines of a SHARDS curve) row by row, as
     * {@link Table} lays it out: the column widths come from a first pass over the results, so a
     * curve of a million sizes ({@code --frames all}) costs no text on the heap.
     */
    static void printTable(PrintWriter dst, MrcStudy.Outcome o, MrcStudy.Curve curve) {
        String[] head = {"POLICY", "FRAMES", "MISSES", "MISS RATIO"};
        int[] width = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            width[i] = head[i].length();
        }
        for (MrcStudy.Result r : o.results()) {
            width[0] = Math.max(width[0], r.policy().length());
            width[1] = Math.max(width[1], digits(r.frames()));
            width[2] = Math.max(width[2], digits(r.misses()));
        }
        java.io.BufferedWriter buf = new java.io.BufferedWriter(dst, 1 << 16);
        PrintWriter pw = new PrintWriter(buf);
        pw.println(o.trace() + ": " + o.refs() + " references, " + o.distinctPages() + " distinct pages");
        StringBuilder sb = new StringBuilder();
        row(pw, sb, width, head[0], head[1], head[2], head[3]);
        for (MrcStudy.Result r : o.results()) {
            row(pw, sb, width, r.policy(), Integer.toString(r.frames()), Long.toString(r.misses()),
                    String.format(Locale.ROOT, "%.6f", r.missRatio()));
        }
        if (curve != null && !Double.isNaN(curve.rate())) {
            pw.print(String.format(Locale.ROOT, "sampled at rate %.6g: %d of %d references%n", curve.rate(),
                    curve.sampledRefs(), o.refs()));
            if (!Double.isNaN(curve.meanAbsoluteError())) {
                pw.print(String.format(Locale.ROOT, "mean absolute error of the sampled miss ratio against the exact"
                        + " curve over sizes 1..%d: %.6f%n", Math.max(1, o.distinctPages()), curve.meanAbsoluteError()));
            }
        }
        pw.flush();
    }

    /** One row: cells left-aligned, two spaces apart, the last not padded (as {@link Table}). */
    private static void row(PrintWriter pw, StringBuilder sb, int[] width, String... cells) {
        sb.setLength(0);
        for (int i = 0; i < cells.length; i++) {
            sb.append(cells[i]);
            if (i < cells.length - 1) {
                sb.append(" ".repeat(width[i] - cells[i].length() + 2));
            }
        }
        pw.println(sb.toString().stripTrailing());
    }

    /** Characters of {@code v} in decimal. */
    private static int digits(long v) {
        return Long.toString(v).length();
    }
}
