package io.vmsim.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads one byte address per line: hexadecimal with a {@code 0x} prefix, or decimal. An
 * optional marker after the address says whether the reference writes: {@code ,R}/{@code ,W}
 * or whitespace then {@code r}/{@code w} (either case). Without a marker, or with R, the
 * reference is a {@link TraceReader#LOAD}; with W it is a {@link TraceReader#STORE}.
 * <pre>
 * 0x7ffd3a40
 * 0x601040,W
 * 4198400 w
 * </pre>
 * Blank lines and lines starting with {@code #} are skipped.
 */
public final class AddressTraceReader extends OneValuePerLineReader {
    static final String EXPECTED = "expected one address per line, like '0x601040', '4198400' or '0x601040,W'";

    /** Opens an address trace file (plain, gzip, xz or zstd). */
    public AddressTraceReader(Path path) throws IOException {
        super(path);
    }

    /** Reads an address trace from a stream named {@code source} in messages. */
    public AddressTraceReader(InputStream in, String source) throws IOException {
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
        while (e > s && PageNumberTraceReader.isSpace(b[e - 1])) {
            e--;
        }
        while (s < e && PageNumberTraceReader.isSpace(b[s])) {
            s++;
        }
        if (s == e || b[s] == '#') {
            return LackeyTraceReader.SKIP;
        }
        long addr = 0;
        int p = s;
        int digits = 0;
        if (e - s > 2 && b[s] == '0' && (b[s + 1] == 'x' || b[s + 1] == 'X')) {
            p += 2;
            for (; p < e; p++) {
                int v = hex(b[p]);
                if (v < 0) {
                    break;
                }
                if (++digits > 16) {
                    return LackeyTraceReader.BAD;
                }
                addr = (addr << 4) | v;
            }
        } else {
            for (; p < e; p++) {
                int d = b[p] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (++digits > 18) { // 18 decimal digits cannot overflow a long
                    return LackeyTraceReader.BAD;
                }
                addr = addr * 10 + d;
            }
        }
        // Addresses must survive the 2-bit shift of TraceReader.encode.
        if (digits == 0 || addr < 0 || (addr >>> 62) != 0) {
            return LackeyTraceReader.BAD;
        }
        int kind = LOAD;
        if (p < e) {
            byte sep = b[p];
            if (sep != ',' && sep != ' ' && sep != '\t') {
                return LackeyTraceReader.BAD;
            }
            p++;
            while (sep != ',' && p < e && PageNumberTraceReader.isSpace(b[p])) {
                p++;
            }
            if (p != e - 1) {
                return LackeyTraceReader.BAD;
            }
            switch (b[p]) {
                case 'r', 'R' -> kind = LOAD;
                case 'w', 'W' -> kind = STORE;
                default -> {
                    return LackeyTraceReader.BAD;
                }
            }
        }
        return (addr << 2) | kind;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
