package io.vmsim.cli;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.core.error.UserError;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.report.RunAbortedException;
import io.vmsim.core.scenario.ScenarioException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Turns exceptions into what a user should see: bad input (a {@link UserError}, a scenario or
 * trace that cannot be read, an I/O or argument error, a policy configuration error) gives one
 * line per problem prefixed {@code vmsim: } and status 2; a policy that failed (during a run, or
 * when it was loaded or created) gives one line naming it, its origin and the call, and status 3;
 * anything else is an internal error with status 1. The stack trace is printed only with {@code --debug}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    private final boolean debug;

    ErrorReporter(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (debug) {
            ex.printStackTrace(err);
        }
        if (ex instanceof OutputFailure) {
            err.println("vmsim: " + oneLine(message(ex)));
            return Main.SOFTWARE;
        }
        if (ex instanceof ConfigException ce) {
            for (String p : ce.problems()) {
                err.println("vmsim: " + p);
            }
            return Main.USAGE;
        }
        if (isUserError(ex)) {
            err.println("vmsim: " + oneLine(message(ex)));
            return Main.USAGE;
        }
        if (ex instanceof RunAbortedException ra) {
            err.println("vmsim: run stopped: " + oneLine(message(ra.policyFailure())));
            // a policy that cannot work in this run (opt outside a study) is bad input, not a failure
            return ra.policyFailure().kind() == PolicyException.Kind.CONFIGURATION ? Main.USAGE : Main.POLICY_FAILED;
        }
        if (ex instanceof PolicyException pe) {
            err.println("vmsim: " + oneLine(message(pe)));
            return pe.kind() == PolicyException.Kind.CONFIGURATION ? Main.USAGE : Main.POLICY_FAILED;
        }
        err.println("vmsim: internal error: " + oneLine(message(ex))
                + (debug ? "" : " (run with --debug for the stack trace)"));
        return Main.SOFTWARE;
    }

    static boolean isUserError(Throwable ex) {
        // ScenarioException is named as well as UserError so that the merge works either way.
        return ex instanceof UserError || ex instanceof ScenarioException || ex instanceof IOException
                || ex instanceof UncheckedIOException || ex instanceof IllegalArgumentException;
    }

    private static String message(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            return message(u.getCause()); // its own message would be the cause's class name and message
        }
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + m;
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + m;
        }
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    /** The first non-blank line of a message. */
    static String oneLine(String m) {
        if (m == null) {
            return "";
        }
        return m.lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("");
    }
}
