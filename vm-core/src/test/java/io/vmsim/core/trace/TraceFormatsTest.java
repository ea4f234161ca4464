package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TraceFormatsTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    @Test
    void names_areLowerCaseInRegistrationOrder() {
        assertThat(TraceFormats.names()).containsExactly("lackey", "pages", "addresses", "vmt", "oraclegeneral", "csv");
    }

    @Test
    void auto_detectsEachFormat_fromItsFirstLines() throws IOException {
        assertThat(TraceFormats.detect(file("a", "==12== Lackey\n\nI  0400d7d4,8\n L 04222cac,8\n"))).isEqualTo("lackey");
        assertThat(TraceFormats.detect(file("b", "\n123\n456\n"))).isEqualTo("pages");
        assertThat(TraceFormats.detect(file("c", "0x601040\n0x601048,W\n"))).isEqualTo("addresses");
    }

    @Test
    void auto_detectsBinaryFormats_byMagicOrName() throws IOException {
        Path vmt = dir.resolve("no-extension");
        try (VmtWriter w = new VmtWriter(vmt, VmtHeader.UNIT_PAGES, 4096, "pages", "x")) {
            w.write(new long[] {TraceReader.encode(4096, TraceReader.LOAD)}, 1);
        }
        assertThat(TraceFormats.detect(vmt)).isEqualTo("vmt");
        Path og = Files.write(dir.resolve("w.oracleGeneral.bin"), new byte[24]);
        assertThat(TraceFormats.detect(og)).isEqualTo("oraclegeneral");
        assertThat(TraceFormats.detect(file("t.csv.gz", "1,2,3\n"))).isEqualTo("csv");
        Path bin = Files.write(dir.resolve("mystery.bin"), new byte[] {1, 0, 0, 0, 7, 0, 0, 0});
        assertThatThrownBy(() -> TraceFormats.detect(bin)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("binary data").hasMessageContaining("--format oraclegeneral");
    }

    @Test
    void auto_seesThroughCompression() throws IOException {
        Path p = dir.resolve("sort.bin");
        Files.write(p, TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT),
                TextTraceReader.Compression.ZSTD));
        try (TraceReader r = TraceFormats.open(p, "AUTO", false)) {
            assertThat(r).isInstanceOf(PipelinedLackeyReader.class);
            assertThat(TraceTestSupport.readAll(r)).hasSize(48877);
        }
    }

    @Test
    void xzFiles_detectTheSameThroughTheSystemXzAsInJava_messagesIncluded() throws IOException {
        // without xz on the PATH (and CI unset) both detections go through the Java decoder, and
        // the kinds detected are still checked
        TraceTestSupport.systemXz();
        java.util.Map<String, String> texts = java.util.Map.of(
                "lackey", "==12== Lackey\n\nI  0400d7d4,8\n L 04222cac,8\n",
                "pages", "\n123\n456\n",
                "addresses", "0x601040\n0x601048,W\n",
                "none", "hello world\n",
                "empty", "");
        for (var t : texts.entrySet()) {
            Path p = Files.write(dir.resolve(t.getKey() + ".xz"), TextTraceReaderTest.compress(
                    t.getValue().getBytes(StandardCharsets.US_ASCII), TextTraceReader.Compression.XZ));
            Object system = detectOrMessage(p);
            String old = System.getProperty("vmsim.xz");
            System.setProperty("vmsim.xz", "java");
            try {
                assertThat(system).as(t.getKey()).isEqualTo(detectOrMessage(p));
            } finally {
                if (old == null) {
                    System.clearProperty("vmsim.xz");
                } else {
                    System.setProperty("vmsim.xz", old);
                }
            }
            if (!t.getKey().equals("none") && !t.getKey().equals("empty")) {
                assertThat(system).isEqualTo(t.getKey());
            }
        }
        // a cut xz file: the Java decoder's message either way
        byte[] whole = TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT), TextTraceReader.Compression.XZ);
        Path cut = Files.write(dir.resolve("cut.xz"), java.util.Arrays.copyOf(whole, 40));
        Object system = detectOrMessage(cut);
        System.setProperty("vmsim.xz", "java");
        try {
            assertThat(system).isEqualTo(detectOrMessage(cut));
        } finally {
            System.clearProperty("vmsim.xz");
        }
    }

    private static Object detectOrMessage(Path p) {
        try {
            return TraceFormats.detect(p);
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void auto_withNoRecognisableLines_saysWhatItSaw() throws IOException {
        Path p = file("d", "hello world\n");
        assertThatThrownBy(() -> TraceFormats.open(p, "auto", false)).isInstanceOf(TraceFormatException.class)
                .hasMessage(p + ": cannot detect the trace format from 'hello world'; name it with one of lackey, pages, addresses, vmt, oraclegeneral, csv");
    }

    @Test
    void unknownFormat_suggestsTheClosest() throws IOException {
        Path p = file("e", "1\n");
        assertThatThrownBy(() -> TraceFormats.open(p, "lackie", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown trace format 'lackie'; expected one of auto, lackey, pages, addresses, vmt, oraclegeneral, csv (did you mean 'lackey'?)");
    }

    @Test
    void namedFormat_isUsedAsGiven() throws IOException {
        try (TraceReader r = TraceFormats.open(file("f", "1\n2\n"), "addresses", false)) {
            assertThat(TraceTestSupport.readAll(r)).containsExactly(
                    TraceReader.encode(1, TraceReader.LOAD), TraceReader.encode(2, TraceReader.LOAD));
        }
    }
}
