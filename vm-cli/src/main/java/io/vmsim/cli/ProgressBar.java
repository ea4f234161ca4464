package io.vmsim.cli;

import io.vmsim.core.report.Progress;

import java.io.PrintWriter;

/**
 * A one-line progress bar on a terminal, redrawn in place with {@code \r}. It stays silent for
 * the first two seconds, so short runs print nothing, and redraws at most ten times a second.
 */
final class ProgressBar implements Progress {
    private static final long QUIET_NS = 2_000_000_000L;
    private static final long REDRAW_NS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final long quietNs;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;

    ProgressBar(PrintWriter err) {
        this(err, QUIET_NS);
    }

    /** A bar that starts drawing after {@code quietNs}; tests pass 0. */
    ProgressBar(PrintWriter err, long quietNs) {
        this.err = err;
        this.quietNs = quietNs;
        this.lastDraw = start - REDRAW_NS;
    }

    /** A bar when stderr is an interactive terminal, otherwise no progress at all. */
    static Progress forTerminal(PrintWriter err) {
        return stderrIsTerminal() ? new ProgressBar(err) : Progress.NONE;
    }

    /**
     * Java cannot ask whether stderr alone is a terminal: the launcher does ({@code [ -t 2 ]})
     * and passes {@code -Dvmsim.stderr.tty}; without it, a console (stdin and stdout on a
     * terminal) is taken as the sign.
     */
    static boolean stderrIsTerminal() {
        String tty = System.getProperty("vmsim.stderr.tty");
        return tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
    }

    @Override
    public void update(String phase, long done, long total) {
        long now = System.nanoTime();
        if (now - start < quietNs || now - lastDraw < REDRAW_NS) {
            return;
        }
        lastDraw = now;
        String line;
        if (total > 0) {
            double f = Math.min(1.0, Math.max(0.0, (double) done / total));
            int filled = (int) Math.round(f * WIDTH);
            line = String.format(java.util.Locale.ROOT, "[%s%s] %3d%%  %s", "#".repeat(filled),
                    " ".repeat(WIDTH - filled), Math.round(f * 100), phase);
        } else {
            line = String.format(java.util.Locale.ROOT, "%s  %,d", phase, done);
        }
        err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        err.flush();
        lastLength = line.length();
    }

    /** Erases the bar, if one was drawn. */
    void clear() {
        if (lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }
}
