package io.vmsim.core.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads valgrind lackey's {@code --trace-mem=yes} output:
 * <pre>
 * I  0400d7d4,8
 *  L 04222cac,8
 *  S 04222cac,8
 *  M 0421c7f0,4
 * </pre>
 * {@code L} is a {@link TraceReader#LOAD}, {@code S} a {@link TraceReader#STORE} and {@code M}
 * a {@link TraceReader#MODIFY} (one reference, a write). {@code I} lines (instruction fetches)
 * are skipped unless instructions are asked for, then they are {@link TraceReader#INSTR}.
 * Valgrind's own log lines ({@code ==1234== ...}) and blank lines are skipped. The size after
 * the comma is checked but not kept: a reference counts for the page of its first byte.
 *
 * <p>Parsing works on bytes with a lookup table (no String, no regex per line) because real
 * traces have tens of millions of lines.
 */
public final class LackeyTraceReader extends TextTraceReader {
    /** Result of {@link #parse} for a line that carries no reference. */
    static final long SKIP = -1;
    /** Result of {@link #parse} for a malformed line. */
    static final long BAD = -2;
    /** Result of {@link #parse} for a well-formed {@code I} line when instructions are not replayed. */
    static final long INSTRUCTION = -3;

    static final String EXPECTED = "expected a valgrind lackey line like ' L 04222cac,8'";

    /** Hex digit values; -1 for other bytes. */
    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    private final boolean includeInstructions;
    private long references;
    private long instructions;

    /** Opens a lackey trace file (plain, gzip, xz or zstd). */
    public LackeyTraceReader(Path path, boolean includeInstructions) throws IOException {
        super(path);
        this.includeInstructions = includeInstructions;
    }

    /** Reads a lackey trace from a stream named {@code source} in messages. */
    public LackeyTraceReader(InputStream in, String source, boolean includeInstructions) throws IOException {
        super(in, source);
        this.includeInstructions = includeInstructions;
    }

    /**
     * The fast reader of a lackey file: decompression on a thread of its own (for xz, the
     * decoder {@link XzDecoder#choose()} picks: liblzma in this process, the system's {@code xz},
     * or xz-java), parsing on the caller's. Yields exactly what this class yields.
     */
    public static TraceReader pipelined(Path path, boolean includeInstructions) throws IOException {
        return pipelined(path, includeInstructions, (XzDecoder.Kind) null);
    }

    /** As {@link #pipelined(Path, boolean, XzDecoder.Kind)}: the system's {@code xz} or xz-java. */
    static TraceReader pipelined(Path path, boolean includeInstructions, boolean externalXz) throws IOException {
        return pipelined(path, includeInstructions, externalXz ? XzDecoder.Kind.XZ : XzDecoder.Kind.JAVA);
    }

    /** With {@code xz} decoding an xz file, or {@link XzDecoder#choose()}'s decoder if null. */
    static TraceReader pipelined(Path path, boolean includeInstructions, XzDecoder.Kind xz) throws IOException {
        Compression c;
        try (BufferedInputStream peek = new BufferedInputStream(openFile(path), 64)) {
            c = detect(peek);
        }
        if (c == Compression.XZ) {
            XzDecoder.Kind kind = xz != null ? xz : XzDecoder.choose();
            if (kind == XzDecoder.Kind.NATIVE) {
                // the decoder that detected the format, or the one vmsim mrc started early, if any
                return new PipelinedLackeyReader(TraceFormats.nativeDecoder(path), path.toString(),
                        includeInstructions, c);
            }
            if (kind == XzDecoder.Kind.XZ) {
                XzProcess process = XzProcess.start(path);
                return new PipelinedLackeyReader(process, path.toString(), includeInstructions, c, process);
            }
        }
        return PipelinedLackeyReader.of(openFile(path), path.toString(), includeInstructions);
    }

    @Override
    public int read(long[] out) throws IOException {
        final byte[] b = buf;
        final boolean instr = includeInstructions;
        int n = 0;
        while (n < out.length) {
            int end = nextLine();
            if (end < 0) {
                if (references + n == 0 && instructions > 0) {
                    // a trace that has only instruction fetches would replay as nothing, silently
                    throw new TraceFormatException(source(), 0, "only instruction fetches ('I' lines, " + instructions
                            + " of them) and no data references ('L', 'S' or 'M' lines), which are what a replay counts;"
                            + " set trace.instructions=true to replay the fetches as reads", null);
                }
                break;
            }
            long ref = parse(b, lineStart, end, instr);
            if (ref >= 0) {
                out[n++] = ref;
            } else if (ref == INSTRUCTION) {
                instructions++;
            } else if (ref == BAD) {
                throw malformed(EXPECTED, lineStart, end);
            }
        }
        references += n;
        return n;
    }

    /**
     * Parses one line {@code b[s, e)}: the encoded reference, {@link #SKIP}, {@link #INSTRUCTION}
     * or {@link #BAD}.
     * Shared with format detection.
     */
    static long parse(byte[] b, int s, int e, boolean includeInstructions) {
        if (e > s && b[e - 1] == '\r') {
            e--;
        }
        int p = s;
        while (p < e && b[p] == ' ') {
            p++;
        }
        if (p == e) {
            return SKIP; // blank
        }
        int kind;
        switch (b[p]) {
            case 'L' -> kind = LOAD;
            case 'S' -> kind = STORE;
            case 'M' -> kind = MODIFY;
            case 'I' -> kind = INSTR;
            case '=' -> {
                // valgrind's log lines: ==pid== text
                return p + 1 < e && b[p + 1] == '=' ? SKIP : BAD;
            }
            default -> {
                return isBlank(b, p, e) ? SKIP : BAD;
            }
        }
        p++;
        if (p == e || b[p] != ' ') {
            return BAD;
        }
        while (p < e && b[p] == ' ') {
            p++;
        }
        long addr = 0;
        int digits = 0;
        while (p < e) {
            int v = HEX[b[p] & 0xff];
            if (v < 0) {
                break;
            }
            addr = (addr << 4) | v;
            digits++;
            p++;
        }
        // Addresses must survive the 2-bit shift of TraceReader.encode.
        if (digits == 0 || digits > 16 || (addr >>> 62) != 0 || p == e || b[p] != ',') {
            return BAD;
        }
        p++;
        int sizeDigits = 0;
        while (p < e && b[p] >= '0' && b[p] <= '9') {
            p++;
            sizeDigits++;
        }
        if (sizeDigits == 0 || !isBlank(b, p, e)) {
            return BAD;
        }
        if (kind == INSTR && !includeInstructions) {
            return INSTRUCTION;
        }
        return (addr << 2) | kind;
    }

    private static boolean isBlank(byte[] b, int p, int e) {
        for (; p < e; p++) {
            byte c = b[p];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
