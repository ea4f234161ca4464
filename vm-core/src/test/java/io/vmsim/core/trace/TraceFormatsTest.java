package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    void xzFiles_detectTheSameThroughLiblzmaAndTheSystemXzAsInJava_messagesIncluded() throws IOException {
        // each decoder usable here (xz-java alone without liblzma and xz, CI unset) against
        // xz-java; the kinds detected are checked whichever
        List<String> decoders = new ArrayList<>();
        if (TraceTestSupport.nativeXz()) {
            decoders.add("native");
        }
        if (TraceTestSupport.systemXz()) {
            decoders.add("xz");
        }
        decoders.add("");
        java.util.Map<String, String> texts = java.util.Map.of(
                "lackey", "==12== Lackey\n\nI  0400d7d4,8\n L 04222cac,8\n",
                "pages", "\n123\n456\n",
                "addresses", "0x601040\n0x601048,W\n",
                "none", "hello world\n",
                "empty", "");
        byte[] whole = TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT), TextTraceReader.Compression.XZ);
        Path cut = Files.write(dir.resolve("cut.xz"), java.util.Arrays.copyOf(whole, 40));
        String old = System.getProperty("vmsim.xz");
        try {
            for (var t : texts.entrySet()) {
                Path p = Files.write(dir.resolve(t.getKey() + ".xz"), TextTraceReaderTest.compress(
                        t.getValue().getBytes(StandardCharsets.US_ASCII), TextTraceReader.Compression.XZ));
                System.setProperty("vmsim.xz", "java");
                Object java = detectOrMessage(p);
                // a cut xz file: the Java decoder's message whichever decodes
                Object javaCut = detectOrMessage(cut);
                for (String d : decoders) {
                    System.setProperty("vmsim.xz", d);
                    assertThat(detectOrMessage(p)).as("%s through '%s'", t.getKey(), d).isEqualTo(java);
                    assertThat(detectOrMessage(cut)).as("cut, through '%s'", d).isEqualTo(javaCut);
                }
                if (!t.getKey().equals("none") && !t.getKey().equals("empty")) {
                    assertThat(java).isEqualTo(t.getKey());
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty("vmsim.xz");
            } else {
                System.setProperty("vmsim.xz", old);
            }
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
