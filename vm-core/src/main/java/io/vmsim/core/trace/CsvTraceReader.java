package io.vmsim.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a libCacheSim csv trace: one request per line, fields split by a delimiter, the object
 * id in one column (1-based, as libCacheSim's {@code obj-id-col}) and optionally the operation
 * in another ({@code op-col}). As libCacheSim's csv reader ({@code traceReader/generalReader/csv.c})
 * does when not told, the delimiter is detected from the first line (the most frequent of tab,
 * comma, {@code |} and {@code :}, weighted 4, 3, 2, 1) and so is a header (the first line is
 * data when it has more digits than letters). Each line is one reference to page
 * {@code obj_id} (address {@code obj_id << 12}): a {@link TraceReader#LOAD}, or a
 * {@link TraceReader#STORE} when the operation column says {@code set}, {@code add},
 * {@code replace}, {@code cas}, {@code append}, {@code prepend}, {@code incr}, {@code decr},
 * {@code write} or {@code update}; {@code get}, {@code gets} and {@code read} are loads, any
 * other operation is an error. Object ids are unsigned decimal or {@code 0x} hexadecimal
 * numbers (string ids, which libCacheSim hashes, are refused); fields are not quoted.
 * Time and size columns are not used.
 */
public final class CsvTraceReader extends TextTraceReader {
    /** Column numbers (1-based; {@code op} 0 for none). */
    public record Columns(int objId, int op) {
        /** libCacheSim's usual layout {@code time,obj_id,obj_size}: the id in column 2, no operation. */
        public static final Columns DEFAULT = new Columns(2, 0);

        public Columns {
            if (objId < 1 || op < 0 || op == objId) {
                throw new IllegalArgumentException("csv columns: obj-id column must be 1 or more and differ from the op column"
                        + " (got obj-id=" + objId + ", op=" + op + ")");
            }
        }

        /**
         * Parses {@code obj-id=N[,op=M]} (also libCacheSim's names {@code obj-id-col} and
         * {@code op-col}).
         */
        public static Columns parse(String spec) {
            int id = DEFAULT.objId;
            int op = 0;
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--csv-cols: expected KEY=COLUMN like 'obj-id=2,op=5', got '" + part.trim() + "'");
                }
                int col;
                try {
                    col = Integer.parseInt(kv[1].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--csv-cols: column of '" + kv[0].trim() + "' is not a number: '" + kv[1].trim() + "'");
                }
                switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                    case "obj-id", "obj-id-col" -> id = col;
                    case "op", "op-col" -> op = col;
                    default -> throw new IllegalArgumentException("--csv-cols: unknown column '" + kv[0].trim()
                            + "'; expected obj-id or op");
                }
            }
            return new Columns(id, op);
        }
    }

    static final String EXPECTED = "expected a csv request line with a numeric object id";

    private final Columns cols;
    private byte delimiter;
    private boolean started;

    /** Opens a csv file (plain, gzip, xz or zstd). */
    public CsvTraceReader(Path path, Columns cols) throws IOException {
        super(path);
        this.cols = cols;
    }

    /** Reads a csv trace from a stream named {@code source} in messages. */
    public CsvTraceReader(InputStream in, String source, Columns cols) throws IOException {
        super(in, source);
        this.cols = cols;
    }

    /** The delimiter detected (0 before the first read). */
    public byte delimiter() {
        return delimiter;
    }

    @Override
    public int read(long[] out) throws IOException {
        final byte[] b = buf;
        int n = 0;
        while (n < out.length) {
            int end = nextLine();
            if (end < 0) {
                break;
            }
            int s = lineStart;
            int e = end > s && b[end - 1] == '\r' ? end - 1 : end;
            if (!started) {
                started = true;
                delimiter = detectDelimiter(b, s, e);
                if (isHeader(b, s, e)) {
                    continue;
                }
            }
            if (s == e) {
                continue;
            }
            out[n++] = parse(b, s, e);
        }
        return n;
    }

    private long parse(byte[] b, int s, int e) throws TraceFormatException {
        long id = -1;
        int kind = LOAD;
        int col = 1;
        int f = s;
        for (int i = s; i <= e; i++) {
            if (i == e || b[i] == delimiter) {
                if (col == cols.objId()) {
                    id = number(b, f, i);
                    if (id < 0) {
                        throw field("object id", f, i, "an unsigned decimal or 0x-hexadecimal number of at most "
                                + PageNumberTraceReader.MAX_PAGE);
                    }
                } else if (col == cols.op()) {
                    kind = op(b, f, i);
                }
                col++;
                f = i + 1;
            }
        }
        if (col <= Math.max(cols.objId(), cols.op())) {
            throw new TraceFormatException(source(), lineNo, "only " + (col - 1) + " fields split by '" + (char) delimiter
                    + "', the object id is in column " + cols.objId() + (cols.op() > 0 ? " and the operation in column " + cols.op() : "")
                    + ": '" + quote(b, s, e) + "'", null);
        }
        return ((id << 12) << 2) | kind;
    }

    private TraceFormatException field(String what, int f, int t, String expected) {
        return new TraceFormatException(source(), lineNo, what + " '" + quote(buf, f, t) + "' is not " + expected, null);
    }

    private int op(byte[] b, int f, int t) throws TraceFormatException {
        String o = quote(b, f, t).trim().toLowerCase(Locale.ROOT);
        return switch (o) {
            case "get", "gets", "read" -> LOAD;
            case "set", "add", "replace", "cas", "append", "prepend", "incr", "decr", "write", "update" -> STORE;
            default -> throw field("operation", f, t, "one of get, gets, read (loads) or set, add, replace, cas, append,"
                    + " prepend, incr, decr, write, update (stores)");
        };
    }

    /** An unsigned decimal or 0x-hex number up to {@link PageNumberTraceReader#MAX_PAGE}, or -1. */
    private static long number(byte[] b, int f, int t) {
        while (f < t && (b[f] == ' ' || b[f] == '\t')) {
            f++;
        }
        while (t > f && (b[t - 1] == ' ' || b[t - 1] == '\t')) {
            t--;
        }
        if (f == t) {
            return -1;
        }
        long v = 0;
        if (t - f > 2 && b[f] == '0' && (b[f + 1] == 'x' || b[f + 1] == 'X')) {
            for (int i = f + 2; i < t; i++) {
                int d = Character.digit(b[i], 16);
                if (d < 0 || v > (PageNumberTraceReader.MAX_PAGE >>> 4)) {
                    return -1;
                }
                v = (v << 4) | d;
            }
        } else {
            for (int i = f; i < t; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9 || v > PageNumberTraceReader.MAX_PAGE / 10) {
                    return -1;
                }
                v = v * 10 + d;
            }
        }
        return v <= PageNumberTraceReader.MAX_PAGE ? v : -1;
    }

    /** libCacheSim's csv_detect_delimiter: the most frequent of tab, comma, '|', ':' weighted 4, 3, 2, 1. */
    static byte detectDelimiter(byte[] b, int s, int e) {
        byte[] cand = {'\t', ',', '|', ':'};
        int best = 0;
        byte d = ',';
        for (int k = 0; k < cand.length; k++) {
            int c = 0;
            for (int i = s; i < e; i++) {
                if (b[i] == cand[k]) {
                    c++;
                }
            }
            if (c * (4 - k) > best) {
                best = c * (4 - k);
                d = cand[k];
            }
        }
        return d;
    }

    /**
     * libCacheSim's csv_detect_header: the first line is data when it has more digits than
     * letters, otherwise a header.
     */
    static boolean isHeader(byte[] b, int s, int e) {
        int digits = 0;
        int letters = 0;
        for (int i = s; i < e; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                digits++;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letters++;
            }
        }
        return digits <= letters;
    }
}
