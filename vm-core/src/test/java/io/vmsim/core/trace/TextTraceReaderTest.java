package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

final class TextTraceReaderTest {
    private static byte[] sample;
    private static long[] expected;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSample() throws IOException {
        sample = TraceTestSupport.plain(TraceTestSupport.SORT);
        expected = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.SORT), false);
    }

    static byte[] compress(byte[] data, TextTraceReader.Compression c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (c) {
            case NONE -> bytes;
            case GZIP -> new GZIPOutputStream(bytes);
            case XZ -> new XZOutputStream(bytes, new LZMA2Options(1));
            case ZSTD -> new ZstdOutputStream(bytes);
        }) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** Named ".txt" whatever the compression: detection must use magic bytes. */
    private Path write(byte[] data, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    @ParameterizedTest
    @EnumSource(TextTraceReader.Compression.class)
    void everyCompression_isDetectedByMagicBytes_andReadsTheSameRefs(TextTraceReader.Compression c) throws IOException {
        Path p = write(compress(sample, c), "trace.txt");
        try (LackeyTraceReader r = new LackeyTraceReader(p, false)) {
            assertThat(r.compression()).isEqualTo(c);
            assertThat(r.source()).isEqualTo(p.toString());
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TextTraceReader.Compression.class, names = {"GZIP", "XZ", "ZSTD"})
    void truncatedCompressedFile_isAFormatErrorNamingFileAndLine(TextTraceReader.Compression c) throws IOException {
        byte[] full = compress(sample, c);
        // Cut late: an xz LZMA2 chunk (64 KiB compressed) decodes only when whole.
        Path p = write(Arrays.copyOf(full, full.length * 9 / 10), "cut.lackey");
        String kind = c.name().toLowerCase(java.util.Locale.ROOT);
        assertThatThrownBy(() -> {
            try (TraceReader r = new LackeyTraceReader(p, false)) {
                TraceTestSupport.readAll(r);
            }
        }).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(p + ":")
                .hasMessageContaining(kind + " stream")
                .satisfies(e -> assertThat(((TraceFormatException) e).line()).isPositive());
    }

    @Test
    void gzipCutInsideItsHeader_isAFormatErrorNamingTheFile() throws IOException {
        Path p = write(Arrays.copyOf(compress(sample, TextTraceReader.Compression.GZIP), 5), "head.gz");
        assertThatThrownBy(() -> new LackeyTraceReader(p, false))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage(p + ": truncated gzip stream");
    }

    @Test
    void corruptXz_isAFormatError() throws IOException {
        byte[] bad = compress(sample, TextTraceReader.Compression.XZ);
        for (int i = 100; i < 200; i++) {
            bad[i] ^= 0x5a;
        }
        Path p = write(bad, "bad.xz");
        assertThatThrownBy(() -> {
            try (TraceReader r = new LackeyTraceReader(p, false)) {
                TraceTestSupport.readAll(r);
            }
        }).isInstanceOf(TraceFormatException.class).hasMessageStartingWith(p + ":").hasMessageContaining("xz stream");
    }

    @Test
    void missingFile_saysSoAndNamesThePath() {
        Path p = dir.resolve("nope.lackey.xz");
        assertThatThrownBy(() -> new LackeyTraceReader(p, false))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("trace file not found: " + p);
    }

    @Test
    void directory_isRefusedWithItsPath() {
        assertThatThrownBy(() -> new LackeyTraceReader(dir, false))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot read trace file " + dir + ": it is a directory");
    }

    @Test
    void emptyFile_hasNoReferences() throws IOException {
        Path p = write(new byte[0], "empty");
        try (TraceReader r = new LackeyTraceReader(p, false)) {
            assertThat(r.read(new long[8])).isZero();
        }
    }
}
