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
        assertThat(TraceFormats.names()).containsExactly("lackey", "pages", "addresses");
    }

    @Test
    void auto_detectsEachFormat_fromItsFirstLines() throws IOException {
        assertThat(TraceFormats.detect(file("a", "==12== Lackey\n\nI  0400d7d4,8\n L 04222cac,8\n"))).isEqualTo("lackey");
        assertThat(TraceFormats.detect(file("b", "\n123\n456\n"))).isEqualTo("pages");
        assertThat(TraceFormats.detect(file("c", "0x601040\n0x601048,W\n"))).isEqualTo("addresses");
    }

    @Test
    void auto_seesThroughCompression() throws IOException {
        Path p = dir.resolve("sort.bin");
        Files.write(p, TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT),
                TextTraceReader.Compression.ZSTD));
        try (TraceReader r = TraceFormats.open(p, "AUTO", false)) {
            assertThat(r).isInstanceOf(LackeyTraceReader.class);
            assertThat(TraceTestSupport.readAll(r)).hasSize(48877);
        }
    }

    @Test
    void auto_withNoRecognisableLines_saysWhatItSaw() throws IOException {
        Path p = file("d", "hello world\n");
        assertThatThrownBy(() -> TraceFormats.open(p, "auto", false)).isInstanceOf(TraceFormatException.class)
                .hasMessage(p + ": cannot detect the trace format from 'hello world'; name it with one of lackey, pages, addresses");
    }

    @Test
    void unknownFormat_suggestsTheClosest() throws IOException {
        Path p = file("e", "1\n");
        assertThatThrownBy(() -> TraceFormats.open(p, "lackie", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown trace format 'lackie'; expected one of auto, lackey, pages, addresses (did you mean 'lackey'?)");
    }

    @Test
    void namedFormat_isUsedAsGiven() throws IOException {
        try (TraceReader r = TraceFormats.open(file("f", "1\n2\n"), "addresses", false)) {
            assertThat(TraceTestSupport.readAll(r)).containsExactly(
                    TraceReader.encode(1, TraceReader.LOAD), TraceReader.encode(2, TraceReader.LOAD));
        }
    }
}
