package io.vmsim.cli;

import io.vmsim.core.trace.TraceFormats;
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
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Inspects trace files.",
        subcommands = TraceCommand.Stats.class)
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

        @Parameters(index = "0", paramLabel = "FILE", description = "The trace (lackey, page numbers or addresses; plain, gzip, xz or zstd).")
        Path trace;

        @Option(names = "--format", paramLabel = "NAME", description = "auto (default), lackey, pages or addresses.")
        String format = TraceFormats.AUTO;

        @Option(names = "--meta", paramLabel = "META.json", description = "Check the counts against this meta.json.")
        Path meta;

        @Option(names = "--debug", description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public Integer call() throws Exception {
            TraceStats s;
            String name = TraceFormats.formatOf(trace, format);
            try (TraceReader r = TraceFormats.open(trace, name, false)) {
                s = TraceStats.of(r);
            }
            PrintWriter out = spec.commandLine().getOut();
            Table table = new Table()
                    .row("references", String.format("%,d", s.references()))
                    .row("  loads / stores / modifies", String.format("%,d / %,d / %,d", s.loads(), s.stores(), s.modifies()))
                    .row("distinct 4 KiB pages", String.format("%,d", s.distinctPages()))
                    .row("pages read, then written", String.format("%,d", s.readThenWrittenPages()));
            if (TraceFormats.isFileTrace(name)) {
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
}
