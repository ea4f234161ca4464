package io.vmsim.cli;

import io.vmsim.core.trace.CsvTraceReader;
import io.vmsim.core.trace.TraceConvert;
import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.VmtHeader;
import io.vmsim.core.trace.VmtReader;
import io.vmsim.core.trace.TraceReader;
import io.vmsim.core.trace.TraceStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmsim trace}: tools for trace files. */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Inspects and converts trace files.",
        subcommands = {TraceCommand.Stats.class, TraceCommand.Convert.class})
final class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /**
     * {@code vmsim trace stats F [--meta M]}: counts a trace's references and pages the way the
     * traces' ground truth does, and the page faults a replay with ample memory must count; with
     * {@code --meta}, checks them against the trace's {@code meta.json} (exit 1 on a mismatch).
     */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Counts references, distinct pages and the page faults a replay must count; checks them against a meta.json.")
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = {"The trace: lackey, page numbers, addresses, vmt, libCacheSim",
                "oracleGeneral or csv; text and oracleGeneral plain, gzip, xz or zstd."})
        Path trace;

        @Option(names = "--format", paramLabel = "NAME", description = "auto (default), lackey, pages, addresses, vmt, oraclegeneral or csv.")
        String format = TraceFormats.AUTO;

        @Option(names = "--csv-cols", paramLabel = "obj-id=N[,op=M]",
                description = "Columns of a csv trace, 1-based (default obj-id=2, no op column).")
        String csvCols;

        @Option(names = "--meta", paramLabel = "META.json", description = "Check the counts against this meta.json.")
        Path meta;

        @Option(names = "--debug", description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public Integer call() throws Exception {
            TraceStats s;
            String name = TraceFormats.formatOf(trace, format);
            CsvTraceReader.Columns cols = csvCols == null ? CsvTraceReader.Columns.DEFAULT : CsvTraceReader.Columns.parse(csvCols);
            try (TraceReader r = TraceConvert.open(trace, name, cols)) {
                s = TraceStats.of(r);
            }
            PrintWriter out = spec.commandLine().getOut();
            Table table = new Table().row("format", name);
            if (name.equals("vmt")) {
                try (VmtReader v = new VmtReader(trace)) {
                    VmtHeader h = v.header();
                    table.row("  unit / page size", h.unitName() + " / " + h.pageSize())
                            .row("  converted from", h.sourcePath() + " (" + h.sourceFormat() + ")");
                }
            }
            table.row("references", String.format("%,d", s.references()))
                    .row("  loads / stores / modifies", String.format("%,d / %,d / %,d", s.loads(), s.stores(), s.modifies()))
                    .row("distinct 4 KiB pages", String.format("%,d", s.distinctPages()))
                    .row("pages read, then written", String.format("%,d", s.readThenWrittenPages()));
            if (TraceFormats.isFileTrace(trace, name)) {
                // vmsim run reads such a trace through the page cache: no page faults, one miss per page
                table.row("expected page-cache misses (ample memory, block.read_ahead_kb=0)", String.format("%,d", s.distinctPages()));
            } else {
                table.row("expected pgfault (ample memory)", String.format("%,d", s.expectedPageFaults()));
            }
            table.print(out, "");
            if (meta == null) {
                out.flush();
                return Main.OK;
            }
            List<String> problems = TraceStats.compareWithMeta(s, meta);
            if (problems.isEmpty()) {
                out.println("agrees with " + meta);
                out.flush();
                return Main.OK;
            }
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            for (String p : problems) {
                err.println("vmsim: " + meta + ": " + p);
            }
            err.flush();
            return 1;
        }
    }

    /**
     * {@code vmsim trace convert IN OUT}: rewrites a trace as vmt, libCacheSim oracleGeneral or
     * page-number text (see docs/traces.md).
     */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Converts a trace: from lackey, page numbers, addresses, vmt, libCacheSim oracleGeneral or csv",
                    "to vmt, oracleGeneral or page-number text (data references only)."})
    static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IN", description = {"The trace to read: a file, or a generated trace",
                "(zipf:..., uniform:..., seq:..., as mrc --trace takes it)."})
        Path in;

        @Parameters(index = "1", paramLabel = "OUT", description = {"The file to write; its format follows its name (.vmt,",
                "a name containing oracleGeneral, .pages or .txt) unless --to names it."})
        Path out;

        @Option(names = "--to", paramLabel = "FORMAT", description = "Output format: vmt, oraclegeneral or pages.")
        String to;

        @Option(names = "--format", paramLabel = "IN_FORMAT", description = "Input format (default auto: detected).")
        String format = TraceFormats.AUTO;

        @Option(names = "--page-size", paramLabel = "N", description = {"Page size in bytes of the page ids written (a power of",
                "two; default 4096)."})
        int pageSize = 4096;

        @Option(names = "--unit", paramLabel = "pages|addresses", description = {"What a vmt file holds (default: addresses when",
                "the input has byte addresses, lackey or addresses; pages otherwise)."})
        String unit;

        @Option(names = "--csv-cols", paramLabel = "obj-id=N[,op=M]",
                description = "Columns of a csv input, 1-based (default obj-id=2, no op column).")
        String csvCols;

        @Option(names = "--debug", description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public Integer call() throws Exception {
            CsvTraceReader.Columns cols = csvCols == null ? CsvTraceReader.Columns.DEFAULT : CsvTraceReader.Columns.parse(csvCols);
            PrintWriter err = spec.commandLine().getErr();
            io.vmsim.core.report.Progress bar = ProgressBar.forTerminal(err);
            long t0 = System.nanoTime();
            TraceConvert.Result r;
            try {
                r = TraceConvert.convert(in, out, new TraceConvert.Options(to, format, pageSize, unit, cols), bar);
            } finally {
                if (bar instanceof ProgressBar b) {
                    b.clear();
                }
            }
            PrintWriter o = spec.commandLine().getOut();
            o.printf(java.util.Locale.ROOT, "%s (%s) -> %s (%s): %,d references, %,d bytes, %.1f s%n", in, r.inFormat(), out,
                    r.outFormat(), r.references(), r.bytesWritten(), (System.nanoTime() - t0) / 1e9);
            o.flush();
            return Main.OK;
        }
    }
}
