package io.vmsim.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads one decimal page number per line (the CloudPhysics block-I/O sample): each line is a
 * {@link TraceReader#LOAD} of address {@code page << 12}, since the sample records no
 * operation. Blank lines and lines starting with {@code #} are skipped; spaces around the
 * number are allowed.
 */
public final class PageNumberTraceReader extends OneValuePerLineReader {
    static final String EXPECTED = "expected one decimal page number per line, like '123456'";

    /** Largest page number whose address survives the shifts of {@code page << 12} and encode. */
    static final long MAX_PAGE = (1L << 50) - 1;

    /** Opens a page-number trace file (plain, gzip, xz or zstd). */
    public PageNumberTraceReader(Path path) throws IOException {
        super(path);
    }

    /** Reads a page-number trace from a stream named {@code source} in messages. */
    public PageNumberTraceReader(InputStream in, String source) throws IOException {
        super(in, source);
    }

    @Override
    long parseLine(byte[] b, int s, int e) {
        return parse(b, s, e);
    }

    @Override
    String expected() {
        return EXPECTED;
    }

    /** Parses one line: the encoded reference, {@code SKIP} or {@code BAD} (see {@link LackeyTraceReader}). */
    static long parse(byte[] b, int s, int e) {
        while (e > s && isSpace(b[e - 1])) {
            e--;
        }
        while (s < e && isSpace(b[s])) {
            s++;
        }
        if (s == e || b[s] == '#') {
            return LackeyTraceReader.SKIP;
        }
        long page = 0;
        for (int p = s; p < e; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9 || page > MAX_PAGE / 10) {
                return LackeyTraceReader.BAD;
            }
            page = page * 10 + d;
        }
        if (page > MAX_PAGE) {
            return LackeyTraceReader.BAD;
        }
        return ((page << 12) << 2) | LOAD;
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }
}
