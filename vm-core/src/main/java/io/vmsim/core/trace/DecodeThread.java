package io.vmsim.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Decompression on a thread of its own: reads a decompressed stream into buffers that end at
 * a line boundary ({@code '\n'}; the last may end without one) and hands them to the parsing
 * thread through a bounded queue; the parser hands each buffer back when done with it, so a
 * run uses {@value #BUFFERS} buffers of {@value #SIZE} bytes whatever the trace's length. A
 * failure of the stream (a truncated or corrupt file) arrives, after the data read before it,
 * as an {@link IOException} from {@link #next()}.
 */
final class DecodeThread implements ChunkSource {
    /** Bytes per buffer; also the longest line accepted. */
    static final int SIZE = 1 << 20;
    static final int BUFFERS = 4;

    /** A buffer of whole lines {@code buf[0, length)}; {@code error} set on the last one if the stream failed. */
    record Chunk(byte[] buf, int length, IOException error) {
    }

    private static final Chunk END = new Chunk(null, 0, null);

    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final InputStream in;
    private final Thread thread;
    private volatile boolean closed;

    DecodeThread(InputStream in, String source) {
        this.in = in;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[SIZE]);
        }
        thread = new Thread(this::run, "vmsim-decode " + source);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        byte[] carry = new byte[SIZE];
        int carryLength = 0;
        try {
            while (!closed) {
                byte[] b = free.take();
                System.arraycopy(carry, 0, b, 0, carryLength);
                int n = carryLength;
                carryLength = 0;
                boolean eof = false;
                try {
                    while (n < SIZE) {
                        // 64 KiB at a time, as TextTraceReader.CHUNK: a decompressor that fails
                        // (xz reads whole requests or throws) loses little of what it decoded
                        int r = in.read(b, n, Math.min(TextTraceReader.CHUNK, SIZE - n));
                        if (r < 0) {
                            eof = true;
                            break;
                        }
                        n += r;
                    }
                } catch (IOException e) {
                    // Lines read before the failure first, then the failure.
                    int cut = lastNewline(b, n) + 1;
                    full.put(new Chunk(b, cut, e));
                    return;
                }
                if (eof) {
                    if (n > 0) {
                        full.put(new Chunk(b, n, null));
                    }
                    full.put(END);
                    return;
                }
                int cut = lastNewline(b, n) + 1;
                if (cut == 0) {
                    full.put(new Chunk(b, 0, new LineTooLong()));
                    return;
                }
                carryLength = n - cut;
                System.arraycopy(b, cut, carry, 0, carryLength);
                full.put(new Chunk(b, cut, null));
            }
        } catch (InterruptedException e) {
            // closed
        } catch (RuntimeException | Error e) {
            full.offer(new Chunk(new byte[0], 0, new IOException(e)));
        }
    }

    /** The index of the last {@code '\n'} in {@code b[0, n)}, or -1. */
    static int lastNewline(byte[] b, int n) {
        for (int i = n - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Chunk next() throws IOException {
        try {
            Chunk c = full.take();
            if (c == END) {
                full.put(END); // stays at the end for further calls
                return null;
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the trace");
        }
    }

    @Override
    public void recycle(byte[] buf) {
        if (buf != null && buf.length == SIZE) {
            free.offer(buf);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thread.interrupt();
        try {
            in.close();
        } finally {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A line longer than a buffer. */
    static final class LineTooLong extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLong() {
            super("line longer than " + SIZE + " bytes");
        }
    }
}
