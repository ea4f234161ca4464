package io.vmsim.core.trace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A whole trace held in memory as encoded references ({@link TraceReader#encode}), for
 * replaying it many times (benchmarks, offline policies such as OPT that need the future).
 * Costs 8 bytes per reference; at most {@value #MAX_REFS} references.
 */
public final class PreparsedTrace {
    /** Largest array the JVM reliably allocates. */
    public static final int MAX_REFS = Integer.MAX_VALUE - 8;

    private final long[] refs;
    private final int size;
    private final String source;

    private PreparsedTrace(long[] refs, int size, String source) {
        this.refs = refs;
        this.size = size;
        this.source = source;
    }

    /** Reads {@code reader} to its end (it is not closed). */
    public static PreparsedTrace load(TraceReader reader) throws IOException {
        long[] all = new long[1 << 16];
        long[] chunk = new long[1 << 14];
        int size = 0;
        int n;
        while ((n = reader.read(chunk)) > 0) {
            if (size + (long) n > all.length) {
                long want = Math.max((long) all.length * 2, (long) size + n);
                if ((long) size + n > MAX_REFS) {
                    throw new TraceFormatException(reader.source(), 0,
                            "more than " + MAX_REFS + " references: too many to hold in memory", null);
                }
                all = Arrays.copyOf(all, (int) Math.min(want, MAX_REFS));
            }
            System.arraycopy(chunk, 0, all, size, n);
            size += n;
        }
        return new PreparsedTrace(all, size, reader.source());
    }

    /** Opens {@code path} as {@code format} (see {@link TraceFormats}) and reads it whole. */
    public static PreparsedTrace load(Path path, String format, boolean includeInstructions) throws IOException {
        try (TraceReader r = TraceFormats.open(path, format, includeInstructions)) {
            return load(r);
        }
    }

    /** Wraps references already in memory (copied). */
    public static PreparsedTrace of(String source, long... refs) {
        return new PreparsedTrace(refs.clone(), refs.length, source);
    }

    /** Number of references. */
    public int refs() {
        return size;
    }

    /** The {@code i}th encoded reference. */
    public long get(int i) {
        if (i >= size) { // the array may be longer than the trace
            throw new IndexOutOfBoundsException("reference " + i + " of " + size);
        }
        return refs[i];
    }

    /** Where the trace was read from. */
    public String source() {
        return source;
    }

    /** A copy of the references. */
    public long[] toArray() {
        return Arrays.copyOf(refs, size);
    }

    /** A fresh reader over the references from the first; readers are independent. */
    public TraceReader reader() {
        return new TraceReader() {
            private int next;

            @Override
            public int read(long[] buf) {
                int n = Math.min(buf.length, size - next);
                System.arraycopy(refs, next, buf, 0, n);
                next += n;
                return n;
            }

            @Override
            public String source() {
                return source;
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }
}
