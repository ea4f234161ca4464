package io.vmsim.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The command line in-process, with its streams captured, for the tests. */
final class Cli {
    private Cli() {
    }

    /** What one command did: its exit status and what it printed. */
    record Outcome(int code, String out, String err) {
        String[] errLines() {
            return err.lines().toArray(String[]::new);
        }
    }

    /** Runs {@code vmsim args...} through {@link Main#execute}. */
    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
