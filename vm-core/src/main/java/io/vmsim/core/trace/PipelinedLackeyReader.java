package io.vmsim.core.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A lackey reader that decompresses on one thread ({@link DecodeThread}, over xz-java or an
 * external {@code xz} process, see {@link XzProcess}; or liblzma, see {@link NativeXz}) and parses on the caller's, straight from the
 * handed-over byte buffers: no String, no copy per line. It yields exactly what
 * {@link LackeyTraceReader} yields, and fails on the same lines with the same messages: a
 * line the fast path below does not take whole is parsed by {@link LackeyTraceReader#parse}.
 */
final class PipelinedLackeyReader implements TraceReader {
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

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;
    /** The first three bytes of a line, little-endian: "I  ", " L ", " S ", " M ". */
    private static final int I_HEAD = 'I' | ' ' << 8 | ' ' << 16;
    private static final int L_HEAD = ' ' | 'L' << 8 | ' ' << 16;
    private static final int S_HEAD = ' ' | 'S' << 8 | ' ' << 16;
    private static final int M_HEAD = ' ' | 'M' << 8 | ' ' << 16;

    /**
     * 0x80 in each byte of {@code w} that is an ASCII hex digit ({@code 0-9}, {@code a-f},
     * {@code A-F}), 0 in the others; without a branch. Each test adds a per-byte constant to the
     * low 7 bits, so no carry crosses a byte: {@code x + (0x80 - lo)} has its high bit set iff
     * {@code x >= lo}, {@code x + (0x7f - hi)} iff {@code x > hi}.
     */
    static long hexMask(long w) {
        long ascii = ~w & HIGH;
        long x = w & ~HIGH;
        long digit = (x + 0x50 * ONES) & ~(x + 0x46 * ONES);   // '0' (0x30) .. '9' (0x39)
        long lower = x | 0x20 * ONES;                            // 'A'..'F' -> 'a'..'f'
        long alpha = (lower + 0x1f * ONES) & ~(lower + 0x19 * ONES); // 'a' (0x61) .. 'f' (0x66)
        return (digit | alpha) & ascii;
    }

    /**
     * The value of the first {@code n} (1 to 8) bytes of {@code w}, hex digits in reading order
     * (the first the most significant). Each byte's value is its low nibble, plus 9 for a letter
     * (bit 6 set); the digits are moved to the top bytes, so that the bytes below are leading
     * zeros, and the nibbles are gathered pairwise after a byte swap.
     */
    static long hexValue(long w, int n) {
        long v = (w & 0x0f0f0f0f0f0f0f0fL) + ((w >>> 6) & ONES) * 9;
        v = Long.reverseBytes(v << ((8 - n) << 3));
        v = (v | (v >>> 4)) & 0x00ff00ff00ff00ffL;
        v = (v | (v >>> 8)) & 0x0000ffff0000ffffL;
        return (v | (v >>> 16)) & 0xffffffffL;
    }

    private final String source;
    private final boolean includeInstructions;
    private final ChunkSource decoder;
    private final TextTraceReader.Compression compression;
    private final AutoCloseable extra;
    private byte[] buf;
    private int pos;
    private int lim;
    private IOException pending;
    private boolean done;
    private long lineNo;
    private long references;
    private long instructions;

    /**
     * Reads {@code decompressed} (already decompressed data of a {@code compression} file) on a
     * decode thread; {@code extra} is closed with the reader (an external process).
     */
    PipelinedLackeyReader(InputStream decompressed, String source, boolean includeInstructions,
                          TextTraceReader.Compression compression, AutoCloseable extra) {
        this.source = source;
        this.includeInstructions = includeInstructions;
        this.compression = compression;
        this.extra = extra;
        this.decoder = new DecodeThread(decompressed, source);
    }

    /** Parses the buffers of {@code decoder} (decompressed data of a {@code compression} file). */
    PipelinedLackeyReader(ChunkSource decoder, String source, boolean includeInstructions,
                          TextTraceReader.Compression compression) {
        this.source = source;
        this.includeInstructions = includeInstructions;
        this.compression = compression;
        this.extra = null;
        this.decoder = decoder;
    }

    /** Over a raw (possibly compressed) stream; its compression is decoded in Java on the decode thread. */
    static PipelinedLackeyReader of(InputStream raw, String source, boolean includeInstructions) throws IOException {
        BufferedInputStream peek = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
        TextTraceReader.Compression c = null;
        InputStream in;
        try {
            c = TextTraceReader.detect(peek);
            in = TextTraceReader.decompressing(peek, c);
        } catch (IOException e) {
            peek.close();
            if (c == null) {
                throw new IOException("cannot read trace file " + source + ": " + e.getMessage(), e);
            }
            throw new TraceFormatException(source, 0, TextTraceReader.describe(e, c), e);
        }
        return new PipelinedLackeyReader(in, source, includeInstructions, c, null);
    }

    /** The compression detected. */
    TextTraceReader.Compression compression() {
        return compression;
    }

    @Override
    public int read(long[] out) throws IOException {
        final boolean instr = includeInstructions;
        final byte[] hex = HEX;
        int n = 0;
        while (n < out.length) {
            if (pos >= lim && !nextChunk()) {
                break;
            }
            final byte[] b = buf;
            final int l = lim;
            int p = pos;
            long line = lineNo;
            int instrs = 0;
            while (p < l && n < out.length) {
                line++;
                // Fastest path, 8 bytes at a time: "I  hex,digits\n" or " K hex,digits\n", at
                // least 32 bytes before the end of the buffer (so that every 8-byte load is inside).
                if (l - p >= 32) {
                    int head = (int) INT.get(b, p) & 0xffffff;
                    int kind = head == I_HEAD ? INSTR : head == L_HEAD ? LOAD : head == S_HEAD ? STORE
                            : head == M_HEAD ? MODIFY : -1;
                    if (kind >= 0) {
                        long w = (long) LONG.get(b, p + 3);
                        int digits = Long.numberOfTrailingZeros(~hexMask(w) & HIGH) >>> 3;
                        // an instruction fetch not replayed is checked, not valued
                        boolean value = kind != INSTR || instr;
                        long addr = 0;
                        if (digits == 8) {
                            long w2 = (long) LONG.get(b, p + 11);
                            int more = Long.numberOfTrailingZeros(~hexMask(w2) & HIGH) >>> 3;
                            // 16 digits or more: the reference parser decides
                            addr = more == 8 ? -1 : !value ? 0 : more == 0 ? hexValue(w, 8)
                                    : hexValue(w, 8) << (more << 2) | hexValue(w2, more);
                            digits += more;
                        } else if (digits > 0) {
                            addr = value ? hexValue(w, digits) : 0;
                        } else {
                            addr = -1;
                        }
                        int q = p + 3 + digits;
                        if (addr >= 0 && b[q] == ',' && b[q + 1] >= '0' && b[q + 1] <= '9') {
                            q += 2;
                            while (q < l && b[q] >= '0' && b[q] <= '9') {
                                q++;
                            }
                            if (q < l && b[q] == '\n') {
                                if (value) {
                                    out[n++] = (addr << 2) | kind;
                                } else {
                                    instrs++;
                                }
                                p = q + 1;
                                continue;
                            }
                        }
                    }
                }
                // Near the end of the buffer, or a line the path above does not take: the same
                // lines one byte at a time, "I  hex,digits\n" or " K hex,digits\n" with K in L, S, M.
                int kind;
                int q;
                byte c0 = b[p];
                if (c0 == 'I' && p + 2 < l && b[p + 1] == ' ' && b[p + 2] == ' ') {
                    kind = INSTR;
                    q = p + 3;
                } else if (c0 == ' ' && p + 2 < l && b[p + 2] == ' ') {
                    byte k = b[p + 1];
                    kind = k == 'L' ? LOAD : k == 'S' ? STORE : k == 'M' ? MODIFY : -1;
                    q = p + 3;
                } else {
                    kind = -1;
                    q = p;
                }
                long addr = 0;
                int digits = 0;
                if (kind >= 0) {
                    int v;
                    while (q < l && (v = hex[b[q] & 0xff]) >= 0) {
                        addr = (addr << 4) | v;
                        q++;
                        digits++;
                    }
                    if (digits == 0 || digits > 15 || q >= l || b[q] != ',') {
                        kind = -1;
                    } else {
                        q++;
                        int sizeDigits = 0;
                        while (q < l && b[q] >= '0' && b[q] <= '9') {
                            q++;
                            sizeDigits++;
                        }
                        if (sizeDigits == 0 || (q < l && b[q] != '\n')) {
                            kind = -1;
                        }
                    }
                }
                if (kind >= 0) {
                    // a well-formed line, q at its '\n' (or the end of the data)
                    if (kind != INSTR || instr) {
                        out[n++] = (addr << 2) | kind;
                    } else {
                        instrs++;
                    }
                    p = q + 1;
                    continue;
                }
                // Anything else: the reference parser decides, line by line.
                int e = p;
                while (e < l && b[e] != '\n') {
                    e++;
                }
                long ref = LackeyTraceReader.parse(b, p, e, instr);
                if (ref >= 0) {
                    out[n++] = ref;
                } else if (ref == LackeyTraceReader.INSTRUCTION) {
                    instrs++;
                } else if (ref == LackeyTraceReader.BAD) {
                    lineNo = line;
                    // a decoder's failure explains garbage it wrote before it found the damage:
                    // already here with this buffer, or found by reading on
                    IOException damaged = pending != null && !(pending instanceof DecodeThread.LineTooLong) ? pending
                            : extra instanceof XzProcess xz ? xz.integrityFailure() : decoder.integrityFailure();
                    if (damaged != null) {
                        throw new TraceFormatException(source, line, TextTraceReader.describe(damaged, compression), damaged);
                    }
                    throw new TraceFormatException(source, line, LackeyTraceReader.EXPECTED + ", got '"
                            + TextTraceReader.quote(b, p, e) + "'", null);
                }
                p = e + 1;
            }
            pos = p;
            lineNo = line;
            instructions += instrs;
        }
        if (n == 0 && references == 0 && instructions > 0 && done) {
            // a trace that has only instruction fetches would replay as nothing, silently
            throw new TraceFormatException(source, 0, "only instruction fetches ('I' lines, " + instructions
                    + " of them) and no data references ('L', 'S' or 'M' lines), which are what a replay counts;"
                    + " set trace.instructions=true to replay the fetches as reads", null);
        }
        references += n;
        return n;
    }

    /** Moves to the next buffer; false at the end. Throws a failure of the stream once its lines are parsed. */
    private boolean nextChunk() throws IOException {
        if (pending != null) {
            IOException e = pending;
            pending = null;
            done = true;
            throw e instanceof DecodeThread.LineTooLong
                    ? new TraceFormatException(source, lineNo + 1, e.getMessage(), null)
                    : new TraceFormatException(source, lineNo, TextTraceReader.describe(e, compression), e);
        }
        if (done) {
            return false;
        }
        decoder.recycle(buf);
        buf = null;
        DecodeThread.Chunk c = decoder.next();
        if (c == null) {
            done = true;
            return false;
        }
        buf = c.buf();
        pos = 0;
        lim = c.length();
        pending = c.error();
        if (lim == 0) {
            return nextChunk();
        }
        return true;
    }

    /** Number of the last line parsed (1-based). */
    long lineNumber() {
        return lineNo;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        try {
            decoder.close();
        } finally {
            if (extra != null) {
                try {
                    extra.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }
}
