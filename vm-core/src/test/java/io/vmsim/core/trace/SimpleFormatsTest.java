package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link PageNumberTraceReader} and {@link AddressTraceReader}. */
final class SimpleFormatsTest {

    private static long[] pages(String text) throws IOException {
        try (TraceReader r = new PageNumberTraceReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "p.txt")) {
            return TraceTestSupport.readAll(r);
        }
    }

    private static long[] addresses(String text) throws IOException {
        try (TraceReader r = new AddressTraceReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "a.txt")) {
            return TraceTestSupport.readAll(r);
        }
    }

    @Test
    void cloudphysicsPrefix_matchesParseLong() throws IOException {
        long[] expected = TraceTestSupport.pagesByParseLong(TraceTestSupport.lines(TraceTestSupport.CLOUDPHYSICS));
        try (TraceReader r = new PageNumberTraceReader(
                TraceTestSupport.resource(TraceTestSupport.CLOUDPHYSICS), "cp")) {
            assertThat(TraceTestSupport.readAll(r)).hasSize(20_000).isEqualTo(expected);
        }
    }

    @Test
    void pageNumber_isALoadOfItsFirstByte() throws IOException {
        assertThat(pages("7\n  12 \r\n# comment\n\n0")).containsExactly(
                TraceReader.encode(7L << 12, TraceReader.LOAD),
                TraceReader.encode(12L << 12, TraceReader.LOAD),
                TraceReader.encode(0, TraceReader.LOAD));
    }

    @Test
    void badPageNumber_namesFileAndLine() {
        assertThatThrownBy(() -> pages("1\n2\n0x3\n")).isInstanceOf(TraceFormatException.class)
                .hasMessage("p.txt:3: " + PageNumberTraceReader.EXPECTED + ", got '0x3'");
        assertThatThrownBy(() -> pages("99999999999999999999\n")).hasMessageStartingWith("p.txt:1:");
    }

    @Test
    void addresses_hexOrDecimal_withOptionalWriteMarker() throws IOException {
        assertThat(addresses("0x601040\n0X601040,W\n4198400 w\n4198400,r\n 0xABC\tR\n")).containsExactly(
                TraceReader.encode(0x601040L, TraceReader.LOAD),
                TraceReader.encode(0x601040L, TraceReader.STORE),
                TraceReader.encode(4198400L, TraceReader.STORE),
                TraceReader.encode(4198400L, TraceReader.LOAD),
                TraceReader.encode(0xabcL, TraceReader.LOAD));
    }

    @Test
    void badAddress_namesFileAndLine() {
        for (String bad : new String[] {"0x", "0x12g", "12,X", "12,WW", "0x12 ,W", "hello"}) {
            assertThatThrownBy(() -> addresses("1\n" + bad + "\n")).as(bad)
                    .isInstanceOf(TraceFormatException.class).hasMessageStartingWith("a.txt:2: ");
        }
    }
}
