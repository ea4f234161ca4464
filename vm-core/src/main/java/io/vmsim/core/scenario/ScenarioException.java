package io.vmsim.core.scenario;

/**
 * STUB for the cli worktree only: the scenario engineer's real class replaces this at merge.
 * Same constructors and accessors as theirs.
 */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;

    public ScenarioException(String source, int line, String message) {
        this(source, line, message, null);
    }

    public ScenarioException(String source, int line, String message, Throwable cause) {
        super((source == null ? "" : source + (line > 0 ? ":" + line : "") + ": ") + message, cause);
        this.source = source;
        this.line = line;
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }
}
