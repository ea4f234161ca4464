package io.vmsim.core.error;

/**
 * Marks an exception caused by the user's input (a config file, a scenario, a trace, a
 * command-line value) rather than by a bug. The command line reports such an error in one line
 * and exits with status 2, without a stack trace.
 */
public interface UserError {
}
