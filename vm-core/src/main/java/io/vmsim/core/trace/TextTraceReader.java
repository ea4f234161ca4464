package io.vmsim.core.trace;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Base class of the line-oriented trace readers: opens a file, detects its compression from
 * its magic bytes (never its extension), and hands subclasses one line at a time as a range
 * of a shared byte buffer, so that parsing allocates nothing per line.
 *
 * <p>Subclasses loop on {@link #nextLine()}: the line is {@code buf[lineStart, end)} (without
 * its {@code '\n'}; a trailing {@code '\r'} is left for the parser). Errors from the
 * decompressor (a truncated or corrupt stream) become {@link TraceFormatException}s naming
 * the file and the line reached.
 */
public abstract class TextTraceReader implements TraceReader {
    /** The longest line accepted. */
    static final int BUFFER_SIZE = 1 << 20;
    /**
     * Bytes asked of the stream per read. Small enough that a decompressor failing on a cut
     * file (xz's read fills the whole request or throws) loses little, so the error names a
     * line close to the cut.
     */
    static final int CHUNK = 1 << 16;

    private final InputStream in;
    private final String source;
    private final Compression compression;
    /** The buffer lines are parsed from, in place. */
    protected final byte[] buf = new byte[BUFFER_SIZE];
    /** Start of the current line (valid after {@link #nextLine()} returned {@code >= 0}). */
    protected int lineStart;
    /** Number of the current line, 1-based. */
    protected long lineNo;
    private int pos;
    private int lim;
    private boolean eof;

    /** The compressions recognised, by magic bytes. */
    public enum Compression {
        NONE, GZIP, XZ, ZSTD;

        /** Lower-case name for messages. */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Opens {@code path}, decompressing as its magic bytes say. */
    protected TextTraceReader(Path path) throws IOException {
        this(openFile(path), path.toString());
    }

    /**
     * Reads from a stream (a resource, a pipe); it is decompressed as its magic bytes say and
     * closed by {@link #close()}.
     */
    protected TextTraceReader(InputStream raw, String source) throws IOException {
        this.source = source;
        BufferedInputStream peek = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
        Compression c;
        try {
            c = detect(peek);
        } catch (IOException e) {
            peek.close();
            throw new IOException("cannot read trace file " + source + ": " + e.getMessage(), e);
        }
        this.compression = c;
        try {
            this.in = decompressing(peek, c);
        } catch (IOException e) {
            peek.close();
            throw streamError(e);
        }
    }

    /** {@code in} decompressed as {@code c} says. */
    static InputStream decompressing(InputStream in, Compression c) throws IOException {
        return switch (c) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case XZ -> new XZInputStream(in);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /**
     * The message of a decompressor's failure: "truncated xz stream" for a cut file, "corrupt
     * xz stream (...)" otherwise.
     */
    static String describe(IOException e, Compression c) {
        String kind = c == null ? "compressed" : c.label();
        // The decompressors report a cut file as EOFException; anything else is corruption.
        boolean truncated = e instanceof EOFException
                || (e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("truncated"));
        return truncated ? "truncated " + kind + " stream" : "corrupt " + kind + " stream (" + e + ")";
    }

    /** Opens a file with a message that names it when it is missing or unreadable. */
    static InputStream openFile(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException("cannot read trace file " + path + ": it is a directory");
        }
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("trace file not found: " + path);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read trace file " + path + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException("cannot read trace file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Peeks at the first bytes of a mark-supporting stream and names its compression. */
    static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] m = new byte[6];
        int n = in.readNBytes(m, 0, 6);
        in.reset();
        if (n >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (n >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return Compression.XZ;
        }
        if (n >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /** The compression detected. */
    public Compression compression() {
        return compression;
    }

    @Override
    public String source() {
        return source;
    }

    /** The number of the line last returned by {@link #nextLine()} (1-based; 0 before the first). */
    public long lineNumber() {
        return lineNo;
    }

    /**
     * Advances to the next line: sets {@link #lineStart} and returns the index just past the
     * line's last byte (where its {@code '\n'} is, or the end of the data), or -1 at the end.
     */
    protected final int nextLine() throws IOException {
        final byte[] b = buf;
        int p = pos;
        int scan = p;
        while (true) {
            int l = lim;
            while (scan < l) {
                if (b[scan] == '\n') {
                    lineStart = p;
                    pos = scan + 1;
                    lineNo++;
                    return scan;
                }
                scan++;
            }
            if (eof) {
                if (p < l) { // last line without a newline
                    lineStart = p;
                    pos = l;
                    lineNo++;
                    return l;
                }
                pos = l;
                return -1;
            }
            // Keep the partial line, refill behind it.
            if (p > 0) {
                System.arraycopy(b, p, b, 0, l - p);
                scan -= p;
                lim = l - p;
                p = 0;
                pos = 0;
            } else if (l == BUFFER_SIZE) {
                throw new TraceFormatException(source, lineNo + 1, "line longer than " + BUFFER_SIZE + " bytes", null);
            }
            fill();
        }
    }

    private void fill() throws IOException {
        int n;
        try {
            n = in.read(buf, lim, Math.min(CHUNK, BUFFER_SIZE - lim));
        } catch (IOException e) {
            throw streamError(e);
        }
        if (n < 0) {
            eof = true;
        } else {
            lim += n;
        }
    }

    private TraceFormatException streamError(IOException e) {
        return new TraceFormatException(source, lineNo, describe(e, compression), e);
    }

    /** An exception for the current line, quoting it (shortened if long). */
    protected final TraceFormatException malformed(String expected, int start, int end) {
        return new TraceFormatException(source, lineNo, expected + ", got '" + quote(buf, start, end) + "'", null);
    }

    /** The bytes of a line as text for a message, at most 80 characters. */
    static String quote(byte[] b, int start, int end) {
        if (end > start && b[end - 1] == '\r') {
            end--;
        }
        int n = Math.min(end - start, 80);
        StringBuilder s = new StringBuilder(n + 3);
        for (int i = start; i < start + n; i++) {
            int c = b[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        if (end - start > n) {
            s.append("...");
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
