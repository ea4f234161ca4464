package io.vmsim.core.trace;

import java.io.IOException;

/**
 * Decompressed text in buffers of whole lines, produced on a thread of its own and parsed on
 * the caller's ({@link PipelinedLackeyReader}): {@link DecodeThread} over any decompressed
 * stream, {@link NativeXz} over liblzma.
 */
interface ChunkSource extends AutoCloseable {
    /** The next buffer of lines, or null at the end. Its {@code error}, if any, comes after its lines. */
    DecodeThread.Chunk next() throws IOException;

    /** Gives a buffer from {@link #next()} back for reuse. */
    void recycle(byte[] buf);

    /**
     * Called when the parser meets a line it cannot read: a decoder that writes what it decoded
     * before it finds the data corrupt returns that failure here (null if the data is sound or
     * this source cannot tell), so that a damaged file is reported as one.
     */
    default IOException integrityFailure() {
        return null;
    }

    @Override
    void close() throws IOException;
}
