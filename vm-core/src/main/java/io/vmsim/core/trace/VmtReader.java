package io.vmsim.core.trace;

import com.github.luben.zstd.Zstd;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.zip.CRC32C;

/**
 * Reads a {@code .vmt} trace ({@link VmtWriter}, {@code docs/traces.md}). A file is memory-mapped
 * and its blocks found through the block index; a stream (a resource) is read block after
 * block by the blocks' own headers. Each block is checked (its CRC-32C, its lengths, its
 * reference count against the index) and a bad one is reported with the file and the block
 * number. Decoding writes straight into the caller's batch and allocates nothing per block.
 */
public final class VmtReader implements TraceReader {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** By control byte: the data length (0 to 8; 0 for the invalid bytes, which the block end check catches). */
    private static final int[] LENGTH = new int[256];
    /** By control byte: the mask of its data bytes. */
    private static final long[] MASK = new long[256];

    static {
        for (int k = 0; k < 256; k++) {
            int len = k >>> 2;
            if (len <= 8) {
                LENGTH[k] = len;
                MASK[k] = len == 8 ? -1L : (1L << (8 * len)) - 1;
            }
        }
    }

    private final String source;
    private final VmtHeader header;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final long fileSize;
    private final long[] blockOffsets;
    private final InputStream in;
    private final int shift;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer blockHeader = ByteBuffer.allocate(VmtHeader.BLOCK_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] payload = new byte[0];
    private byte[] compressed = new byte[0];
    private int payloadLength;
    private int ctrl;
    private int pos;
    private int left;
    private long prev;
    private int block;
    private long refsRead;

    /** Opens and memory-maps a {@code .vmt} file. */
    public VmtReader(Path path) throws IOException {
        this.source = path.toString();
        this.in = null;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            fileSize = channel.size();
            map = fileSize <= Integer.MAX_VALUE ? channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize) : null;
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(fileSize, VmtHeader.FIXED + 4 + 2L * VmtHeader.MAX_STRING));
            readAt(head, 0);
            head.flip();
            header = VmtHeader.parse(head, source);
            shift = header.unit() == VmtHeader.UNIT_PAGES ? header.pageShift() : 0;
            blockOffsets = readIndex();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads a {@code .vmt} trace from a stream named {@code source} in messages; closes it on {@link #close()}. */
    public VmtReader(InputStream in, String source) throws IOException {
        this.source = source;
        this.in = in;
        this.channel = null;
        this.map = null;
        this.fileSize = -1;
        this.blockOffsets = null;
        try {
            byte[] fixed = readStream(VmtHeader.FIXED, "header");
            ByteBuffer b = ByteBuffer.wrap(fixed).order(ByteOrder.LITTLE_ENDIAN);
            int length = b.getShort(10) & 0xffff;
            if (length < VmtHeader.FIXED + 4) {
                VmtHeader.parse(ByteBuffer.wrap(fixed), source); // names what is wrong (magic, version)
                throw new TraceFormatException(source, 0, "corrupt vmt header: length " + length, null);
            }
            byte[] all = new byte[length];
            System.arraycopy(fixed, 0, all, 0, fixed.length);
            byte[] rest = readStream(length - fixed.length, "header");
            System.arraycopy(rest, 0, all, fixed.length, rest.length);
            header = VmtHeader.parse(ByteBuffer.wrap(all), source);
            shift = header.unit() == VmtHeader.UNIT_PAGES ? header.pageShift() : 0;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The header: unit, page size, counts and source. */
    public VmtHeader header() {
        return header;
    }

    private long[] readIndex() throws IOException {
        long blocks = header.blocks();
        if (header.indexOffset() == 0) {
            throw new TraceFormatException(source, 0, "incomplete vmt file: no block index (the conversion did not finish)", null);
        }
        long end = header.indexOffset() + blocks * VmtHeader.INDEX_ENTRY;
        if (blocks > Integer.MAX_VALUE / 2 || end > fileSize) {
            throw new TraceFormatException(source, 0, "truncated vmt file: " + fileSize + " bytes, but its block index of "
                    + blocks + " blocks ends at byte " + end, null);
        }
        ByteBuffer ix = ByteBuffer.allocate((int) (blocks * VmtHeader.INDEX_ENTRY)).order(ByteOrder.LITTLE_ENDIAN);
        readAt(ix, header.indexOffset());
        ix.flip();
        long[] offsets = new long[(int) blocks];
        for (int i = 0; i < blocks; i++) {
            offsets[i] = ix.getLong();
            long f = ix.getLong();
            // every block but the last is full
            if (f != (long) i * header.blockCapacity() || offsets[i] < header.length() || offsets[i] >= header.indexOffset()
                    || (i > 0 && offsets[i] <= offsets[i - 1])) {
                throw new TraceFormatException(source, 0, "corrupt vmt block index: entry of block " + i
                        + " (offset " + offsets[i] + ", first reference " + f + ")", null);
            }
        }
        return offsets;
    }

    @Override
    public int read(long[] out) throws IOException {
        int n = 0;
        while (n < out.length) {
            if (left == 0) {
                if (pos != payloadLength) {
                    throw corrupt(block - 1, "its references end at byte " + pos + " of its " + payloadLength);
                }
                if (!nextBlock()) {
                    break;
                }
            }
            int m = Math.min(left, out.length - n);
            try {
                decode(out, n, m);
            } catch (ArrayIndexOutOfBoundsException e) {
                pos = Integer.MAX_VALUE;
            }
            if (pos > payloadLength) {
                throw corrupt(block - 1, "its control bytes claim more data than its " + payloadLength + " bytes");
            }
            n += m;
            left -= m;
            refsRead += m;
        }
        return n;
    }

    /** The hot loop: {@code m} references into {@code out[from, from + m)}, without a branch per reference. */
    private void decode(long[] out, int from, int m) {
        final byte[] p = payload;
        final int s = shift + 2;
        int c = ctrl;
        int q = pos;
        long v = prev;
        for (int i = from, end = from + m; i < end; i++) {
            int k = p[c++] & 0xff;
            long z = (long) LONG.get(p, q) & MASK[k];
            q += LENGTH[k];
            v = (v + ((z >>> 1) ^ -(z & 1))) & VmtWriter.MASK62;
            out[i] = (v << s) | (k & 3);
        }
        ctrl = c;
        pos = q;
        prev = v;
    }

    private boolean nextBlock() throws IOException {
        if (block == header.blocks()) {
            if (refsRead != header.references()) {
                throw new TraceFormatException(source, 0, "corrupt vmt file: the header says " + header.references()
                        + " references, the blocks hold " + refsRead, null);
            }
            return false;
        }
        blockHeader.clear();
        if (in == null) {
            long at = blockOffsets[block];
            if (at + VmtHeader.BLOCK_HEADER > fileSize) {
                throw corrupt(block, "its header at byte " + at + " lies past the end of the file (" + fileSize + " bytes)");
            }
            readAt(blockHeader, at);
        } else {
            blockHeader.put(readStream(VmtHeader.BLOCK_HEADER, "block " + block));
        }
        blockHeader.flip();
        int refs = blockHeader.getInt();
        int plen = blockHeader.getInt();
        int clen = blockHeader.getInt();
        int sum = blockHeader.getInt();
        boolean last = block == header.blocks() - 1;
        if (refs <= 0 || refs > header.blockCapacity() || (!last && refs != header.blockCapacity()) || plen < refs || plen > refs * 9L || clen <= 0
                || clen > Zstd.compressBound(plen) + 64) {
            throw corrupt(block, "bad block header (" + refs + " references, " + plen + " bytes coded, " + clen
                    + " bytes compressed)");
        }
        if (compressed.length < clen) {
            compressed = new byte[Math.max(clen, compressed.length * 2)];
        }
        if (payload.length < plen + 8) {
            // room for the last 8-byte load (control bytes that claim more data than there is
            // run off the end: see read)
            payload = new byte[plen + 8];
        }
        if (in == null) {
            long at = blockOffsets[block] + VmtHeader.BLOCK_HEADER;
            if (at + clen > fileSize) {
                throw corrupt(block, "truncated: its " + clen + " compressed bytes run past the end of the file");
            }
            if (map != null) {
                map.get((int) at, compressed, 0, clen);
            } else {
                readAt(ByteBuffer.wrap(compressed, 0, clen), at);
            }
        } else {
            int got = in.readNBytes(compressed, 0, clen);
            if (got < clen) {
                throw corrupt(block, "truncated: " + got + " of its " + clen + " compressed bytes");
            }
        }
        long d;
        try {
            d = Zstd.decompressByteArray(payload, 0, plen, compressed, 0, clen);
        } catch (com.github.luben.zstd.ZstdException e) { // zstd-jni throws rather than return some errors
            throw corrupt(block, "zstd: " + e.getMessage());
        }
        if (Zstd.isError(d) || d != plen) {
            throw corrupt(block, Zstd.isError(d) ? "zstd: " + Zstd.getErrorName(d) : "decompressed to " + d + " bytes, expected " + plen);
        }
        crc.reset();
        crc.update(payload, 0, plen);
        if ((int) crc.getValue() != sum) {
            throw corrupt(block, "CRC-32C mismatch");
        }
        payloadLength = plen;
        ctrl = 0;
        pos = refs; // the data bytes follow the control bytes
        prev = 0;
        left = refs;
        block++;
        return true;
    }

    private TraceFormatException corrupt(int b, String what) {
        return new TraceFormatException(source, 0, "corrupt vmt block " + b + " of " + header.blocks() + " (references from "
                + refsRead + "): " + what, null);
    }

    private void readAt(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                throw new TraceFormatException(source, 0, "truncated vmt file (" + fileSize + " bytes)", null);
            }
            at += n;
        }
    }

    private byte[] readStream(int n, String what) throws IOException {
        byte[] b = new byte[n];
        int got = in.readNBytes(b, 0, n);
        if (got < n) {
            throw new TraceFormatException(source, 0, "truncated vmt file (in its " + what + ")", new EOFException());
        }
        return b;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
        if (in != null) {
            in.close();
        }
    }
}
