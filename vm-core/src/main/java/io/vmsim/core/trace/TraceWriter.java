package io.vmsim.core.trace;

import java.io.IOException;

/** A sink of encoded references ({@link TraceReader#encode}) that writes a trace file. */
public interface TraceWriter extends AutoCloseable {
    /** Appends {@code refs[0, n)}. */
    void write(long[] refs, int n) throws IOException;

    /** References written so far. */
    long references();

    /** Finishes the file (counts, index); a file not closed is incomplete. */
    @Override
    void close() throws IOException;
}
