package io.vmsim.cli;

/**
 * Output that could not be written (a full device, a closed pipe): not the user's input, so
 * it exits with status 1, but still one line on stderr.
 */
final class OutputFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
