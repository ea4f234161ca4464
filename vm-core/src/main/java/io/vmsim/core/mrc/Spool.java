package io.vmsim.core.mrc;

import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.core.report.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The dense references of a trace in a temporary file (4 bytes each), and on request the
 * position of each reference's next use in a second one (8 bytes each), computed by one
 * backward pass over the first. Both are created in {@code java.io.tmpdir} as
 * {@code vmsim-mrc-*.refs} and {@code vmsim-mrc-*.next}, read back forward in chunks (never
 * whole on the heap), and deleted when the study ends (or, failing that, when the JVM exits).
 */
final class Spool implements AutoCloseable {
    private final Path refsPath;
    private final FileChannel refs;
    private Path nextPath;
    private FileChannel next;
    private final ByteBuffer io;
    /** Views of {@link #io} made once (a view per chunk would be an allocation per chunk). */
    private final IntBuffer ints;
    private final LongBuffer longs;
    private long count;

    Spool(int chunk) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        refsPath = Files.createTempFile(dir, "vmsim-mrc-", ".refs");
        refsPath.toFile().deleteOnExit();
        refs = FileChannel.open(refsPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        io = ByteBuffer.allocateDirect(chunk * 8).order(ByteOrder.LITTLE_ENDIAN);
        ints = io.asIntBuffer();
        longs = io.asLongBuffer();
    }

    /** Where the references are spooled. */
    Path refsPath() {
        return refsPath;
    }

    /** Appends {@code n} references. */
    void append(int[] r, int n) throws IOException {
        io.clear();
        ints.clear();
        ints.put(r, 0, n);
        io.limit(n * 4);
        writeFully(refs, io, count * 4);
        count += n;
    }

    /** References spooled. */
    long count() {
        return count;
    }

    /** True once {@link #computeNextUse} has run. */
    boolean hasNextUse() {
        return next != null;
    }

    /**
     * The backward pass: for every reference, the position of the next reference to its page
     * ({@link OfflineStudy.Study#NEVER} if none), written at the reference's own index. Holds one
     * position per distinct page and one chunk in memory.
     */
    void computeNextUse(int distinct, int chunk, Progress progress) throws IOException {
        Path dir = refsPath.getParent();
        nextPath = Files.createTempFile(dir, "vmsim-mrc-", ".next");
        nextPath.toFile().deleteOnExit();
        next = FileChannel.open(nextPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long[] last = new long[distinct];
        Arrays.fill(last, OfflineStudy.Study.NEVER);
        int[] r = new int[chunk];
        long[] nx = new long[chunk];
        long end = count;
        while (end > 0) {
            int n = (int) Math.min(chunk, end);
            long start = end - n;
            readRefs(start, r, n);
            for (int i = n - 1; i >= 0; i--) {
                int id = r[i] >>> 1;
                nx[i] = last[id];
                last[id] = start + i;
            }
            io.clear();
            longs.clear();
            longs.put(nx, 0, n);
            io.limit(n * 8);
            writeFully(next, io, start * 8);
            end = start;
            progress.update("next-use pass", count - end, count);
        }
    }

    /** Reads references {@code [from, from+n)} into {@code r}. */
    void readRefs(long from, int[] r, int n) throws IOException {
        io.clear();
        io.limit(n * 4);
        readFully(refs, io, from * 4);
        ints.clear();
        ints.get(r, 0, n);
    }

    /** Reads the next-use positions of references {@code [from, from+n)} into {@code nx}. */
    void readNext(long from, long[] nx, int n) throws IOException {
        io.clear();
        io.limit(n * 8);
        readFully(next, io, from * 8);
        longs.clear();
        longs.get(nx, 0, n);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int k = ch.read(b, pos);
            if (k < 0) {
                throw new IOException("the study's temporary file ended early at byte " + pos);
            }
            pos += k;
        }
    }

    @Override
    public void close() {
        try {
            refs.close();
            Files.deleteIfExists(refsPath);
            if (next != null) {
                next.close();
                Files.deleteIfExists(nextPath);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
