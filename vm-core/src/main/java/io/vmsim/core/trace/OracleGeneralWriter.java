package io.vmsim.core.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes libCacheSim's {@code oracleGeneral} binary trace ({@link OracleGeneralReader}): one
 * 24-byte record per reference with {@code clock_time} = the reference's number from 0 (the
 * sources have no wall-clock time; saturated at 2^32-1), {@code obj_id} = its page
 * ({@code address / pageSize}), {@code obj_size} = {@code pageSize} and
 * {@code next_access_vtime} = the 1-based position of the next reference to the same page,
 * -1 if there is none: what libCacheSim's {@code traceConv} writes
 * ({@code bin/traceUtils/traceConvOracleGeneral.cpp}), and computed the same way, by a
 * backward pass. The page ids go to a temporary file beside the output (8 bytes per
 * reference) and {@link #close()} walks it from the end, writing the records back to front.
 */
public final class OracleGeneralWriter implements TraceWriter {
    private static final int CHUNK = 1 << 16;

    private final Path path;
    private final Path ids;
    private final FileChannel idsOut;
    private final ByteBuffer idBuf = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
    private final int pageShift;
    private final int pageSize;
    private long references;
    private boolean closed;

    /** Creates (or replaces) {@code path}; {@code pageSize} is a power of two. */
    public OracleGeneralWriter(Path path, int pageSize) throws IOException {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two, got " + pageSize);
        }
        this.path = path;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        Path dir = path.toAbsolutePath().getParent();
        this.ids = Files.createTempFile(dir, path.getFileName().toString(), ".ids.tmp");
        this.idsOut = FileChannel.open(ids, StandardOpenOption.WRITE);
    }

    @Override
    public void write(long[] refs, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            if (!idBuf.hasRemaining()) {
                flushIds();
            }
            idBuf.putLong((refs[i] >>> 2) >>> pageShift);
        }
        references += n;
    }

    private void flushIds() throws IOException {
        idBuf.flip();
        while (idBuf.hasRemaining()) {
            idsOut.write(idBuf);
        }
        idBuf.clear();
    }

    @Override
    public long references() {
        return references;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushIds();
            idsOut.close();
            backwardPass();
        } finally {
            idsOut.close();
            Files.deleteIfExists(ids);
        }
    }

    private void backwardPass() throws IOException {
        LastUse last = new LastUse();
        ByteBuffer in = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(CHUNK * OracleGeneralReader.RECORD).order(ByteOrder.LITTLE_ENDIAN);
        long[] page = new long[CHUNK];
        long[] next = new long[CHUNK];
        try (FileChannel src = FileChannel.open(ids, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long end = references; end > 0; ) {
                long start = Math.max(0, end - CHUNK);
                int n = (int) (end - start);
                in.clear().limit(n * 8);
                long at = start * 8;
                while (in.hasRemaining()) {
                    int r = src.read(in, at);
                    if (r < 0) {
                        throw new IOException(ids + ": temporary file shorter than written");
                    }
                    at += r;
                }
                in.flip();
                LongBuffer lb = in.asLongBuffer();
                lb.get(page, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    long pos = start + i + 1; // 1-based position of this reference
                    next[i] = last.put(page[i], pos);
                }
                out.clear();
                for (int i = 0; i < n; i++) {
                    long t = start + i;
                    out.putInt((int) Math.min(t, 0xffffffffL));
                    out.putLong(page[i]);
                    out.putInt(pageSize);
                    out.putLong(next[i]);
                }
                out.flip();
                long w = start * OracleGeneralReader.RECORD;
                while (out.hasRemaining()) {
                    w += dst.write(out, w);
                }
                end = start;
            }
        }
    }

    /** Page -> 1-based position of its latest (in the backward walk: next) reference; open addressing. */
    private static final class LastUse {
        private long[] keys = new long[1 << 12];
        private long[] values = new long[1 << 12]; // 0 = empty slot (positions start at 1)
        private int size;

        /** Stores {@code pos} for {@code key}; returns the previous position or -1. */
        long put(long key, long pos) {
            int mask = keys.length - 1;
            int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(keys.length)));
            while (values[i] != 0) {
                if (keys[i] == key) {
                    long old = values[i];
                    values[i] = pos;
                    return old;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = pos;
            if (++size * 2 > keys.length) {
                grow();
            }
            return -1;
        }

        private void grow() {
            long[] k = keys;
            long[] v = values;
            keys = new long[k.length * 2];
            values = new long[k.length * 2];
            size = 0;
            for (int i = 0; i < k.length; i++) {
                if (v[i] != 0) {
                    put(k[i], v[i]);
                }
            }
        }
    }
}
