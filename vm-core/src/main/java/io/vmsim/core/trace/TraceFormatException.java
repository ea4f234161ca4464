package io.vmsim.core.trace;

import java.io.IOException;

/** A trace that cannot be read: names the file, the line (0 if unknown) and what was expected. */
public final class TraceFormatException extends IOException implements io.vmsim.core.error.UserError {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final long line;

    public TraceFormatException(String file, long line, String message, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message, cause);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public long line() {
        return line;
    }
}
