package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class LackeyTraceReaderTest {

    private static long[] parse(String text, boolean instr) throws IOException {
        try (TraceReader r = new LackeyTraceReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "t.lackey", instr)) {
            return TraceTestSupport.readAll(r);
        }
    }

    @Test
    void sortPrefix_matchesRegexReference_refByRef() throws IOException {
        long[] expected = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.SORT), false);
        try (TraceReader r = new LackeyTraceReader(TraceTestSupport.resource(TraceTestSupport.SORT), "sort", false)) {
            long[] actual = TraceTestSupport.readAll(r);
            assertThat(actual).hasSize(34432 + 12865 + 1580).isEqualTo(expected);
        }
    }

    @Test
    void pythonPrefix_withInstructions_matchesRegexReference() throws IOException {
        long[] expected = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.PYTHON), true);
        try (TraceReader r = new LackeyTraceReader(TraceTestSupport.resource(TraceTestSupport.PYTHON), "py", true)) {
            assertThat(TraceTestSupport.readAll(r)).hasSize(50_000).isEqualTo(expected);
        }
    }

    @Test
    void kinds_areDecodedAndModifyIsOneWrite() throws IOException {
        long[] refs = parse("I  0400d7d4,8\n L 04222cac,8\n S 04222cb0,4\n M 0421c7f0,4\n", false);
        assertThat(refs).containsExactly(
                TraceReader.encode(0x04222cacL, TraceReader.LOAD),
                TraceReader.encode(0x04222cb0L, TraceReader.STORE),
                TraceReader.encode(0x0421c7f0L, TraceReader.MODIFY));
        assertThat(TraceReader.isWrite(refs[2])).isTrue();
        assertThat(TraceReader.isWrite(refs[0])).isFalse();
    }

    @Test
    void instructionLines_areSkippedUnlessAskedFor() throws IOException {
        String text = "I  0400d7d4,8\n L 04222cac,8\nI  0400d7dc,3\n";
        assertThat(parse(text, false)).containsExactly(TraceReader.encode(0x04222cacL, TraceReader.LOAD));
        assertThat(parse(text, true)).containsExactly(
                TraceReader.encode(0x0400d7d4L, TraceReader.INSTR),
                TraceReader.encode(0x04222cacL, TraceReader.LOAD),
                TraceReader.encode(0x0400d7dcL, TraceReader.INSTR));
    }

    @Test
    void onlyInstructionLines_areAnErrorNamingTheFile_unlessInstructionsAreReplayed() throws IOException {
        String text = "==7== Lackey\nI  0400d7d4,8\nI  0400d7dc,3\n\nI  0400d7e0,4\n";
        assertThatThrownBy(() -> parse(text, false))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.lackey: only instruction fetches ('I' lines, 3 of them) and no data references")
                .hasMessageContaining("trace.instructions=true");
        assertThat(parse(text, true)).hasSize(3);
        // one data reference anywhere is a trace
        assertThat(parse(text + " S 04222cb0,4\n", false)).containsExactly(TraceReader.encode(0x04222cb0L, TraceReader.STORE));
    }

    @Test
    void valgrindLogLinesBlankLinesAndCrlf_areSkipped() throws IOException {
        String text = "==1234== Lackey, an example Valgrind tool\n\n   \n L 1fff000718,8\r\n==1234== \n S ffffffff,1";
        assertThat(parse(text, false)).containsExactly(
                TraceReader.encode(0x1fff000718L, TraceReader.LOAD),
                TraceReader.encode(0xffffffffL, TraceReader.STORE));
    }

    @Test
    void malformedLine_namesFileAndLine() {
        assertThatThrownBy(() -> parse(" L 04222cac,8\n L 04222cac,8\n X 04222cac,8\n", false))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.lackey:3: expected a valgrind lackey line like ' L 04222cac,8', got ' X 04222cac,8'")
                .satisfies(e -> assertThat(((TraceFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void malformedLines_ofEveryShape_areRejected() {
        for (String bad : new String[] {" L04222cac,8", " L 04222cac", " L ,8", " L 0422zcac,8", " L 04222cac,",
                " L 04222cac,8x", "L 11111111111111111,8", "hello"}) {
            assertThatThrownBy(() -> parse(bad + "\n", false)).as(bad).isInstanceOf(TraceFormatException.class)
                    .hasMessageContaining("t.lackey:1:");
        }
    }

    @Test
    void longMalformedLine_isShortenedInTheMessage() {
        String junk = "x".repeat(500);
        assertThatThrownBy(() -> parse(junk, false))
                .hasMessageEndingWith("got '" + "x".repeat(80) + "...'");
    }

    @Test
    void linesAcrossBufferRefills_areParsedWhole() throws IOException {
        // About 3 buffers' worth, so that lines straddle refills at arbitrary points.
        StringBuilder sb = new StringBuilder();
        long[] expected = new long[250_000];
        for (int i = 0; i < expected.length; i++) {
            long a = 0x1000L + 7L * i;
            sb.append(" S ").append(Long.toHexString(a)).append(",4\n");
            expected[i] = TraceReader.encode(a, TraceReader.STORE);
        }
        assertThat(parse(sb.toString(), false)).isEqualTo(expected);
    }
}
