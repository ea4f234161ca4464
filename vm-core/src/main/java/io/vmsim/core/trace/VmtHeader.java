package io.vmsim.core.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The header of a {@code .vmt} trace (vmsim's own binary format; laid out byte by byte in
 * {@code docs/traces.md}). All numbers are little-endian.
 *
 * @param unit          {@link #UNIT_PAGES} (page ids) or {@link #UNIT_ADDRESSES} (byte addresses)
 * @param pageSize      bytes per page: of the page ids, or the page size distinct pages are counted in
 * @param blockCapacity most references a block holds
 * @param references    references in the file
 * @param distinctPages distinct pages of {@code pageSize} bytes among them (instruction fetches excluded)
 * @param writes        STORE and MODIFY references
 * @param blocks        number of blocks
 * @param indexOffset   file offset of the block index; 0 if the writer did not finish
 * @param sourceFormat  the format the trace was converted from
 * @param sourcePath    the file it was converted from
 */
public record VmtHeader(int unit, int pageSize, int blockCapacity, long references, long distinctPages, long writes,
                        long blocks, long indexOffset, String sourceFormat, String sourcePath) {
    /** Eight bytes every {@code .vmt} file starts with: {@code 0x89 'V' 'M' 'T' '\r' '\n' 0x1a '\n'}. */
    static final byte[] MAGIC = {(byte) 0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n'};
    /** The version this code writes and reads. */
    static final int VERSION = 1;
    /** Unit: page ids ({@code address / pageSize}). */
    public static final int UNIT_PAGES = 0;
    /** Unit: byte addresses. */
    public static final int UNIT_ADDRESSES = 1;
    /** Bytes of the fixed part of the header, before the two strings. */
    static final int FIXED = 64;
    /** Bytes of a block's own header: refs, payload length, compressed length, CRC-32C. */
    static final int BLOCK_HEADER = 16;
    /** Bytes of one block index entry: block offset, first reference number. */
    static final int INDEX_ENTRY = 16;
    /** Most bytes of a source string (longer paths are cut from the left, see {@link #shorten}). */
    static final int MAX_STRING = 4096;

    /** The header's length in bytes, strings included: where the first block starts. */
    int length() {
        return FIXED + 2 + utf8(sourceFormat).length + 2 + utf8(sourcePath).length;
    }

    /** log2 of the page size. */
    int pageShift() {
        return Integer.numberOfTrailingZeros(pageSize);
    }

    /** The unit's name for messages and {@code trace stats}. */
    public String unitName() {
        return unit == UNIT_PAGES ? "pages" : "addresses";
    }

    byte[] toBytes() {
        byte[] f = utf8(sourceFormat);
        byte[] p = utf8(sourcePath);
        ByteBuffer b = ByteBuffer.allocate(length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putShort((short) VERSION);
        b.putShort((short) length());
        b.put((byte) unit);
        b.put((byte) 0);
        b.putShort((short) 0);
        b.putInt(pageSize);
        b.putInt(blockCapacity);
        b.putLong(references);
        b.putLong(distinctPages);
        b.putLong(writes);
        b.putLong(blocks);
        b.putLong(indexOffset);
        b.putShort((short) f.length).put(f);
        b.putShort((short) p.length).put(p);
        return b.array();
    }

    /**
     * Parses a header from the first bytes of a file ({@code b} holds at least {@link #FIXED}
     * bytes or the whole file).
     *
     * @throws TraceFormatException naming {@code source} when it is not a {@code .vmt} header
     */
    static VmtHeader parse(ByteBuffer b, String source) throws TraceFormatException {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < FIXED) {
            throw new TraceFormatException(source, 0, "truncated vmt header (" + b.remaining() + " of " + FIXED + " bytes)", null);
        }
        for (byte m : MAGIC) {
            if (b.get() != m) {
                throw new TraceFormatException(source, 0, "not a vmt trace (bad magic bytes)", null);
            }
        }
        int version = b.getShort() & 0xffff;
        if (version != VERSION) {
            throw new TraceFormatException(source, 0, "vmt version " + version + " is not supported (this vmsim reads version "
                    + VERSION + ")", null);
        }
        int length = b.getShort() & 0xffff;
        int unit = b.get();
        b.get();
        b.getShort();
        int pageSize = b.getInt();
        int capacity = b.getInt();
        long refs = b.getLong();
        long pages = b.getLong();
        long writes = b.getLong();
        long blocks = b.getLong();
        long index = b.getLong();
        if (unit != UNIT_PAGES && unit != UNIT_ADDRESSES) {
            throw new TraceFormatException(source, 0, "corrupt vmt header: unit " + unit + " (expected 0 for pages or 1 for addresses)", null);
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new TraceFormatException(source, 0, "corrupt vmt header: page size " + pageSize + " is not a power of two", null);
        }
        if (capacity <= 0 || refs < 0 || blocks < 0 || index < 0) {
            throw new TraceFormatException(source, 0, "corrupt vmt header: block capacity " + capacity + ", " + refs
                    + " references, " + blocks + " blocks, index at " + index, null);
        }
        String format = string(b, source);
        String path = string(b, source);
        VmtHeader h = new VmtHeader(unit, pageSize, capacity, refs, pages, writes, blocks, index, format, path);
        if (h.length() != length) {
            throw new TraceFormatException(source, 0, "corrupt vmt header: says " + length + " bytes, holds " + h.length(), null);
        }
        return h;
    }

    private static String string(ByteBuffer b, String source) throws TraceFormatException {
        if (b.remaining() < 2) {
            throw new TraceFormatException(source, 0, "truncated vmt header (in its source strings)", null);
        }
        int n = b.getShort() & 0xffff;
        if (n > b.remaining()) {
            throw new TraceFormatException(source, 0, "truncated vmt header (a source string of " + n + " bytes)", null);
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code s} cut from the left to at most {@value #MAX_STRING} / 4 characters, so that its UTF-8 fits. */
    static String shorten(String s) {
        int max = MAX_STRING / 4;
        return s.length() <= max ? s : s.substring(s.length() - max);
    }
}
