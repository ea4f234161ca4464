package io.vmsim.core.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads libCacheSim's {@code oracleGeneral} binary trace: packed little-endian 24-byte records
 * <pre>
 * uint32 clock_time; uint64 obj_id; uint32 obj_size; int64 next_access_vtime;
 * </pre>
 * (libCacheSim {@code traceReader/customizedReader/oracle/oracleGeneralBin.h}). Each record is
 * one {@link TraceReader#LOAD} of page {@code obj_id}, address {@code obj_id << 12}, as in the
 * page-number format; the time, size and next access are not used (vmsim computes its own
 * future for OPT). The file may be plain or compressed (gzip, xz, zstd: libCacheSim ships
 * {@code .oracleGeneral.zst}). A record whose {@code obj_id} does not fit a vmsim page number
 * ({@value PageNumberTraceReader#MAX_PAGE} at most), or bytes after the last whole record, are
 * errors naming the file and the record.
 */
public final class OracleGeneralReader implements TraceReader {
    /** Bytes per record. */
    public static final int RECORD = 24;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int RECORDS_PER_READ = 1 << 14;

    private final InputStream in;
    private final String source;
    private final TextTraceReader.Compression compression;
    private final byte[] buf = new byte[RECORD * RECORDS_PER_READ];
    private int have;
    private int at;
    private long record;
    private boolean eof;

    /** Opens an oracleGeneral file (plain, gzip, xz or zstd). */
    public OracleGeneralReader(Path path) throws IOException {
        this(TextTraceReader.openFile(path), path.toString());
    }

    /** Reads an oracleGeneral trace from a stream named {@code source} in messages; closes it on {@link #close()}. */
    public OracleGeneralReader(InputStream raw, String source) throws IOException {
        this.source = source;
        BufferedInputStream peek = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
        TextTraceReader.Compression c = null;
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
        compression = c;
    }

    @Override
    public int read(long[] out) throws IOException {
        int n = 0;
        final byte[] b = buf;
        while (n < out.length) {
            if (have - at < RECORD) {
                if (!refill()) {
                    break;
                }
            }
            int m = Math.min(out.length - n, (have - at) / RECORD);
            int p = at;
            for (int i = 0; i < m; i++, p += RECORD) {
                long id = (long) LONG.get(b, p + 4);
                if (Long.compareUnsigned(id, PageNumberTraceReader.MAX_PAGE) > 0) {
                    at = p;
                    throw new TraceFormatException(source, 0, "record " + (record + i + 1) + " (byte " + (record + i) * RECORD
                            + "): obj_id " + Long.toUnsignedString(id) + " is larger than the largest page number vmsim addresses hold ("
                            + PageNumberTraceReader.MAX_PAGE + ")", null);
                }
                out[n + i] = (id << 14) | LOAD; // address id << 12, then the 2 kind bits
            }
            at = p;
            record += m;
            n += m;
        }
        return n;
    }

    /** Moves a partial record to the front and reads more; false at the end of the data. */
    private boolean refill() throws IOException {
        if (eof) {
            if (have > at) {
                throw new TraceFormatException(source, 0, "truncated oracleGeneral file: " + (have - at)
                        + " bytes after record " + record + " (records are " + RECORD + " bytes)", null);
            }
            return false;
        }
        int rest = have - at;
        System.arraycopy(buf, at, buf, 0, rest);
        have = rest;
        at = 0;
        try {
            while (have < buf.length) {
                int r = in.read(buf, have, buf.length - have);
                if (r < 0) {
                    eof = true;
                    break;
                }
                have += r;
            }
        } catch (IOException e) {
            throw new TraceFormatException(source, 0, "record " + (record + 1) + ": "
                    + TextTraceReader.describe(e, compression), e);
        }
        return have >= RECORD || refill();
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
