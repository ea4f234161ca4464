package io.vmsim.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Catches SIGINT (Ctrl-C) while a run is under way so that it stops at its next safe point and
 * still reports what it counted, instead of the JVM dying mid-run. A second SIGINT ends the
 * process at once with status 130, for a run that does not reach a safe point soon. The
 * previous handler is restored on {@link #close()}. {@code sun.misc.Signal} is the JDK's only
 * way to handle a signal without a shutdown hook (which could not keep the process alive).
 */
final class Sigint implements AutoCloseable {
    private static final Signal INT = new Signal("INT");

    private final SignalHandler previous;
    private volatile boolean requested;

    private Sigint() {
        this.previous = Signal.handle(INT, s -> {
            if (requested) {
                Runtime.getRuntime().halt(Main.INTERRUPTED);
            }
            requested = true;
        });
    }

    /** Starts catching SIGINT. */
    static Sigint catching() {
        return new Sigint();
    }

    /** Whether SIGINT arrived since {@link #catching()}. */
    boolean requested() {
        return requested;
    }

    @Override
    public void close() {
        Signal.handle(INT, previous);
    }

    /** {@code bar}'s progress, asking to stop once SIGINT arrived. */
    io.vmsim.core.report.Progress progress(io.vmsim.core.report.Progress bar) {
        return new io.vmsim.core.report.Progress() {
            @Override
            public void update(String phase, long done, long total) {
                bar.update(phase, done, total);
            }

            @Override
            public boolean stopRequested() {
                return requested;
            }
        };
    }
}
