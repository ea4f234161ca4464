package io.vmsim.cli;

import io.vmsim.core.trace.TraceFormats;
import picocli.CommandLine;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code vmsim} command. Exit status: 0 on success, 2 for bad input (configuration,
 * scenario, trace, options) reported in one line per problem on stderr, 3 when a policy failed
 * (threw or answered nonsense; the counters so far are still written), 130 when SIGINT stopped a
 * run (what it counted is still written, marked interrupted), 4 when some points of a sweep failed
 * (the others are written, the failures recorded), 1 for anything else.
 */
public final class Main {
    /** Success. */
    static final int OK = 0;
    /** A bug or an environment failure. */
    static final int SOFTWARE = 1;
    /** Bad input from the user. */
    static final int USAGE = 2;
    /** A policy threw or answered something the core cannot use. */
    static final int POLICY_FAILED = 3;
    /** {@code vmsim sweep}: the sweep finished but some of its points failed (recorded in its results). */
    static final int SWEEP_POINTS_FAILED = 4;
    /** Stopped by SIGINT (128 + 2, as shells report it); the partial figures were written. */
    static final int INTERRUPTED = 130;

    private Main() {
    }

    public static void main(String[] args) {
        prefetchTrace(args);
        System.exit(execute(System.out, System.err, args));
    }

    /**
     * {@code vmsim mrc --trace FILE}: starts decoding FILE before the command line is even
     * parsed ({@link TraceFormats#prefetch}), when {@code --format} is absent or {@code auto}.
     * Reads the arguments as picocli will ({@code --trace FILE} or {@code --trace=FILE}); a
     * command line it reads otherwise only loses the head start, never changes what runs.
     */
    static void prefetchTrace(String[] args) {
        String[] trace = prefetchable(args);
        try {
            if (trace != null) {
                TraceFormats.prefetch(Path.of(trace[0]), trace[1]);
            }
        } catch (RuntimeException e) {
            // an invalid path or format name: the command reports it
        }
    }

    /** {@code {file, format}} of an {@code mrc} command line naming one trace, else null. */
    static String[] prefetchable(String[] args) {
        if (args.length < 3 || !args[0].equals("mrc")) {
            return null;
        }
        String trace = null;
        String format = TraceFormats.AUTO;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            } else if (a.equals("--trace") && value != null) {
                trace = trace == null ? value : "";
                i++;
            } else if (a.startsWith("--trace=")) {
                trace = trace == null ? a.substring("--trace=".length()) : "";
            } else if (a.equals("--format") && value != null) {
                format = value;
                i++;
            } else if (a.startsWith("--format=")) {
                format = a.substring("--format=".length());
            }
        }
        return trace == null || trace.isEmpty() ? null : new String[] {trace, format};
    }

    /** Runs the command line with the given streams; returns the exit status. Tests call this. */
    static int execute(PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = VmsimCommand.commandLine(args.length > 0 ? args[0] : null);
        cl.setOut(o);
        cl.setErr(e);
        cl.setExecutionExceptionHandler(new ErrorReporter(debug));
        cl.setParameterExceptionHandler((ex, a) -> {
            e.println("vmsim: " + ErrorReporter.oneLine(ex.getMessage()) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            if (debug) {
                ex.printStackTrace(e);
            }
            return USAGE;
        });
        int code = cl.execute(args);
        // PrintStream and PrintWriter swallow write errors; a summary lost to a full disk is a failure
        if (o.checkError() || out.checkError()) {
            e.println("vmsim: cannot write to standard output (a full device or a closed pipe?)");
            code = code == OK ? SOFTWARE : code;
        }
        e.flush();
        return code;
    }
}
