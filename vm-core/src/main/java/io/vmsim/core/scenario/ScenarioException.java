package io.vmsim.core.scenario;

/**
 * A scenario that cannot be used. The message is one line: {@code FILE:LINE: what is wrong},
 * suggesting the closest valid name where there is one.
 */
public final class ScenarioException extends Exception implements io.vmsim.core.error.UserError {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;

    /**
     * @param source  the file (or {@code scenarios/NAME.yaml} for a built-in), or null if none
     * @param line    1-based line, or 0 if unknown
     * @param message what is wrong
     */
    public ScenarioException(String source, int line, String message) {
        this(source, line, message, null);
    }

    /** As {@link #ScenarioException(String, int, String)} with a cause. */
    public ScenarioException(String source, int line, String message, Throwable cause) {
        super((source == null ? "" : source + (line > 0 ? ":" + line : "") + ": ") + message, cause);
        this.source = source;
        this.line = line;
    }

    /** The file, or null. */
    public String source() {
        return source;
    }

    /** The 1-based line, or 0 if unknown. */
    public int line() {
        return line;
    }
}
