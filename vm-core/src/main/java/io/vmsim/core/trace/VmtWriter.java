package io.vmsim.core.trace;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a {@code .vmt} trace (see {@code docs/traces.md}): the header, then blocks of up to
 * {@link #BLOCK_REFS} references, each delta- and varint-coded then zstd-compressed, then the
 * block index; the header's counts and index offset are filled in by {@link #close()}.
 *
 * <p>A block's payload (before compression) is a control byte per reference,
 * {@code length << 2 | kind}, then the data bytes: for each reference, {@code length} (0 to 8)
 * little-endian bytes of {@code zigzag(delta)}, where {@code delta} is the difference from the
 * previous value of the block (0 before the first) in 62-bit two's complement and the value
 * is the page id or the byte address. A repeated page costs one control byte and no data; the
 * decoder needs no branch per reference.
 */
public final class VmtWriter implements TraceWriter {
    /** References per block. */
    public static final int BLOCK_REFS = 1 << 20;
    /** zstd level: 3, zstd's default, compresses the varints well and fast. */
    static final int LEVEL = 3;
    static final long MASK62 = (1L << 62) - 1;

    private final FileChannel out;
    private final Path path;
    private final int unit;
    private final int pageShift;
    private final int pageSize;
    private final String sourceFormat;
    private final String sourcePath;
    private final int blockRefs;
    private final byte[] control;
    private final byte[] data;
    private final byte[] payload;
    private final byte[] compressed;
    private final LongIntHashMap pages = new LongIntHashMap(1 << 12);
    private final CRC32C crc = new CRC32C();
    private long[] index = new long[64];
    private int blocks;
    private int inBlock;
    private int dataLength;
    private long prev;
    private long references;
    private long writes;
    private long position;
    private boolean closed;

    /**
     * Creates (or replaces) {@code path}.
     *
     * @param unit         {@link VmtHeader#UNIT_PAGES} or {@link VmtHeader#UNIT_ADDRESSES}
     * @param pageSize     a power of two: the page size of page ids, and the one distinct pages are counted in
     * @param sourceFormat recorded in the header
     * @param sourcePath   recorded in the header
     */
    public VmtWriter(Path path, int unit, int pageSize, String sourceFormat, String sourcePath) throws IOException {
        this(path, unit, pageSize, sourceFormat, sourcePath, BLOCK_REFS);
    }

    /** As the public constructor with {@code blockRefs} references per block (tests use small blocks). */
    VmtWriter(Path path, int unit, int pageSize, String sourceFormat, String sourcePath, int blockRefs) throws IOException {
        if (blockRefs <= 0 || blockRefs > BLOCK_REFS) {
            throw new IllegalArgumentException("block size must be 1 to " + BLOCK_REFS + " references, got " + blockRefs);
        }
        this.blockRefs = blockRefs;
        this.control = new byte[blockRefs];
        this.data = new byte[blockRefs * 8];
        this.payload = new byte[blockRefs * 9];
        this.compressed = new byte[(int) Zstd.compressBound(payload.length)];
        if (unit != VmtHeader.UNIT_PAGES && unit != VmtHeader.UNIT_ADDRESSES) {
            throw new IllegalArgumentException("unit must be pages (0) or addresses (1), got " + unit);
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two, got " + pageSize);
        }
        this.path = path;
        this.unit = unit;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.sourceFormat = VmtHeader.shorten(sourceFormat);
        this.sourcePath = VmtHeader.shorten(sourcePath);
        this.out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        writeFully(ByteBuffer.wrap(header(0).toBytes())); // counts and index offset are zero until close
    }

    private VmtHeader header(long indexOffset) {
        return new VmtHeader(unit, pageSize, blockRefs, references, pages.size(), writes, blocks, indexOffset,
                sourceFormat, sourcePath);
    }

    @Override
    public void write(long[] refs, int n) throws IOException {
        final int shift = unit == VmtHeader.UNIT_PAGES ? pageShift : 0;
        for (int i = 0; i < n; i++) {
            long ref = refs[i];
            int kind = (int) (ref & 3);
            long address = ref >>> 2;
            if (kind != TraceReader.INSTR) {
                long page = address >>> pageShift;
                if (pages.get(page) == LongIntHashMap.MISSING) {
                    pages.put(page, 1);
                }
                if (kind != TraceReader.LOAD) {
                    writes++;
                }
            }
            long v = address >>> shift;
            long d = ((v - prev) << 2) >> 2; // the delta as a 62-bit two's complement number
            long z = ((d << 1) ^ (d >> 63)) & MASK62; // zigzag: small magnitudes, small numbers
            int len = (71 - Long.numberOfLeadingZeros(z)) >>> 3; // bytes of z: 0 for 0, up to 8
            control[inBlock] = (byte) ((len << 2) | kind);
            int q = dataLength;
            for (int k = 0; k < len; k++) {
                data[q++] = (byte) (z >>> (8 * k));
            }
            dataLength = q;
            prev = v;
            references++;
            if (++inBlock == blockRefs) {
                flushBlock();
            }
        }
    }

    private void flushBlock() throws IOException {
        if (inBlock == 0) {
            return;
        }
        System.arraycopy(control, 0, payload, 0, inBlock);
        System.arraycopy(data, 0, payload, inBlock, dataLength);
        int payloadLength = inBlock + dataLength;
        long c = Zstd.compressByteArray(compressed, 0, compressed.length, payload, 0, payloadLength, LEVEL);
        if (Zstd.isError(c)) {
            throw new IOException(path + ": zstd compression failed: " + Zstd.getErrorName(c));
        }
        crc.reset();
        crc.update(payload, 0, payloadLength);
        if (blocks * 2 + 2 > index.length) {
            index = java.util.Arrays.copyOf(index, index.length * 2);
        }
        long blockOffset = position; // bytes written so far, the header included
        index[blocks * 2] = blockOffset;
        index[blocks * 2 + 1] = references - inBlock;
        blocks++;
        ByteBuffer h = ByteBuffer.allocate(VmtHeader.BLOCK_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(inBlock).putInt(payloadLength).putInt((int) c).putInt((int) crc.getValue()).flip();
        writeFully(h);
        writeFully(ByteBuffer.wrap(compressed, 0, (int) c));
        inBlock = 0;
        dataLength = 0;
        prev = 0;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += out.write(b);
        }
    }

    @Override
    public long references() {
        return references;
    }

    /** Distinct pages so far. */
    public long distinctPages() {
        return pages.size();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushBlock();
            long indexOffset = position; // position counts from the start of the file (the header was written first)
            ByteBuffer ix = ByteBuffer.allocate(blocks * VmtHeader.INDEX_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < blocks; i++) {
                ix.putLong(index[i * 2]).putLong(index[i * 2 + 1]);
            }
            ix.flip();
            writeFully(ix);
            ByteBuffer h = ByteBuffer.wrap(header(indexOffset).toBytes());
            long at = 0;
            while (h.hasRemaining()) {
                at += out.write(h, at);
            }
        } finally {
            out.close();
        }
    }
}
