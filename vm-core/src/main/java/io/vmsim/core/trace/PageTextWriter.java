package io.vmsim.core.trace;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes the page-number text format ({@link PageNumberTraceReader}): one decimal page number
 * ({@code address / pageSize}) per line; the access kind is not kept. Compressed as the file
 * name ends: {@code .gz}, {@code .xz}, {@code .zst}, otherwise plain.
 */
public final class PageTextWriter implements TraceWriter {
    private final OutputStream out;
    private final int pageShift;
    private final byte[] line = new byte[24];
    private long references;

    /** Creates (or replaces) {@code path}. */
    public PageTextWriter(Path path, int pageSize) throws IOException {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two, got " + pageSize);
        }
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        OutputStream raw = Files.newOutputStream(path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        OutputStream o;
        if (name.endsWith(".gz")) {
            o = new GZIPOutputStream(raw, 1 << 16);
        } else if (name.endsWith(".xz")) {
            o = new XZOutputStream(raw, new LZMA2Options());
        } else if (name.endsWith(".zst") || name.endsWith(".zstd")) {
            o = new ZstdOutputStream(raw);
        } else {
            o = raw;
        }
        this.out = new BufferedOutputStream(o, 1 << 16);
    }

    @Override
    public void write(long[] refs, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            long page = (refs[i] >>> 2) >>> pageShift;
            int p = line.length;
            line[--p] = '\n';
            do {
                line[--p] = (byte) ('0' + page % 10);
                page /= 10;
            } while (page != 0);
            out.write(line, p, line.length - p);
        }
        references += n;
    }

    @Override
    public long references() {
        return references;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
