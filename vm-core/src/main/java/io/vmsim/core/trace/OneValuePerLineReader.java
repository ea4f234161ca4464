package io.vmsim.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A text trace with one reference per line, each parsed on its own: the shared read loop of the
 * page-number and address formats. A subclass parses a line into an encoded reference, or
 * {@link LackeyTraceReader#SKIP} or {@link LackeyTraceReader#BAD}.
 */
abstract class OneValuePerLineReader extends TextTraceReader {
    OneValuePerLineReader(Path path) throws IOException {
        super(path);
    }

    OneValuePerLineReader(InputStream in, String source) throws IOException {
        super(in, source);
    }

    /** Parses the line {@code b[s..e)}. */
    abstract long parseLine(byte[] b, int s, int e);

    /** What a line should look like, for the error message. */
    abstract String expected();

    @Override
    public final int read(long[] out) throws IOException {
        final byte[] b = buf;
        int n = 0;
        while (n < out.length) {
            int end = nextLine();
            if (end < 0) {
                break;
            }
            long ref = parseLine(b, lineStart, end);
            if (ref >= 0) {
                out[n++] = ref;
            } else if (ref == LackeyTraceReader.BAD) {
                throw malformed(expected(), lineStart, end);
            }
        }
        return n;
    }
}
