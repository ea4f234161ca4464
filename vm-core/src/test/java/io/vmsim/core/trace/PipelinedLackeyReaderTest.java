package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pipelined lackey reader (decompression on its own thread or in the system's xz, parsing
 * on bytes) against the line reader ({@link LackeyTraceReader}) it replaces and the regex
 * parser of {@link TraceTestSupport}.
 */
final class PipelinedLackeyReaderTest {
    @TempDir
    Path dir;

    private static long[] lineReader(Path p, boolean instr) throws IOException {
        try (TraceReader r = new LackeyTraceReader(p, instr)) {
            return TraceTestSupport.readAll(r);
        }
    }

    private static long[] pipelined(Path p, boolean instr, boolean externalXz) throws IOException {
        try (TraceReader r = LackeyTraceReader.pipelined(p, instr, externalXz)) {
            return TraceTestSupport.readAll(r);
        }
    }

    @Test
    void testResourceTraces_readExactlyAsTheLineReaderAndTheRegexParser() throws IOException {
        for (String res : List.of(TraceTestSupport.SORT, TraceTestSupport.PYTHON)) {
            Path p = dir.resolve(res.substring(res.lastIndexOf('/') + 1));
            Files.write(p, TraceTestSupport.resource(res).readAllBytes());
            for (boolean instr : new boolean[] {false, true}) {
                long[] old = lineReader(p, instr);
                assertThat(old).isEqualTo(TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(res), instr));
                assertThat(pipelined(p, instr, false)).as("%s, xz in Java", res).isEqualTo(old);
                if (TraceTestSupport.systemXz()) {
                    assertThat(pipelined(p, instr, true)).as("%s, the system's xz", res).isEqualTo(old);
                }
                try (TraceReader r = PipelinedLackeyReader.of(TraceTestSupport.resource(res), res, instr)) {
                    assertThat(TraceTestSupport.readAll(r)).as("%s, a stream", res).isEqualTo(old);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TextTraceReader.Compression.class)
    void everyCompression_andBuffersOfManyLines_readAsTheLineReader(TextTraceReader.Compression c) throws IOException {
        // more than one decode buffer of lines, so that lines meet buffer boundaries
        byte[] plain = TraceTestSupport.plain(TraceTestSupport.SORT);
        byte[] big = new byte[plain.length * 3];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(plain, 0, big, i * plain.length, plain.length);
        }
        assertThat(big.length).isGreaterThan(2 * DecodeThread.SIZE);
        Path p = dir.resolve("big.txt");
        Files.write(p, TextTraceReaderTest.compress(big, c));
        assertThat(pipelined(p, false, false)).isEqualTo(lineReader(p, false));
        assertThat(pipelined(p, true, TraceTestSupport.systemXz())).isEqualTo(lineReader(p, true));
    }

    @Test
    void unusualButValidLines_takeTheSlowPathToTheSameReferences() throws IOException {
        String text = String.join("\n",
                "==123== Lackey, an example Valgrind tool",
                "I  0400d7d4,8",
                " L 04222cac,8",
                "  S 04222CAC,4",         // two leading spaces, upper-case hex
                " M\t0421c7f0,4",          // not a lackey separator: the reference parser decides
                " L 0000000004222cb0,8",  // 16 hex digits
                " S 1000,16   ",           // trailing spaces
                " L 2000,8\r",             // CRLF
                "",
                "   ",
                "I 0400d7d8,4",            // one space after I
                " L 3000,8");              // no final newline
        Path p = dir.resolve("odd.lackey");
        Files.writeString(p, text.replace(" M\t0421c7f0,4\n", ""), StandardCharsets.US_ASCII);
        assertThat(pipelined(p, false, false)).isEqualTo(lineReader(p, false)).hasSize(6);
        assertThat(pipelined(p, true, false)).isEqualTo(lineReader(p, true)).hasSize(8);
    }

    @Test
    void malformedLine_failsWithTheLineReadersMessage() throws IOException {
        for (String bad : List.of(" L 04222cac", " X 1000,8", " L ,8", " L 1000,8x", " L 1000,", "hello",
                " L 12345678123456781,8", " M\t0421c7f0,4")) {
            Path p = dir.resolve("bad.lackey");
            Files.writeString(p, "I  0400d7d4,8\n L 1000,8\n" + bad + "\n L 2000,8\n");
            Throwable old = catchThrowable(() -> lineReader(p, false));
            Throwable now = catchThrowable(() -> pipelined(p, false, false));
            assertThat(old).as(bad).isInstanceOf(TraceFormatException.class);
            assertThat(now).as(bad).isInstanceOf(TraceFormatException.class).hasMessage(old.getMessage());
            assertThat(((TraceFormatException) now).line()).isEqualTo(3);
        }
    }

    @Test
    void onlyInstructionFetches_failAsTheLineReaderDoes() throws IOException {
        Path p = dir.resolve("instr.lackey");
        Files.writeString(p, "I  0400d7d4,8\nI  0400d7d8,4\n");
        Throwable old = catchThrowable(() -> lineReader(p, false));
        assertThat(catchThrowable(() -> pipelined(p, false, false))).isInstanceOf(TraceFormatException.class)
                .hasMessage(old.getMessage());
        assertThat(pipelined(p, true, false)).hasSize(2);
    }

    @Test
    void truncatedXz_isATruncatedXzStreamNamingFileAndLine_inJavaAndTheSystemXz() throws IOException {
        byte[] full = TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT), TextTraceReader.Compression.XZ);
        Path p = dir.resolve("cut.lackey.xz");
        Files.write(p, Arrays.copyOf(full, full.length * 9 / 10));
        for (boolean external : TraceTestSupport.systemXz() ? new boolean[] {false, true} : new boolean[] {false}) {
            assertThatThrownBy(() -> pipelined(p, false, external)).as("external xz: %s", external)
                    .isInstanceOf(TraceFormatException.class)
                    .hasMessageStartingWith(p + ":")
                    .hasMessageContaining("truncated xz stream")
                    .satisfies(e -> assertThat(((TraceFormatException) e).line()).isPositive());
        }
    }

    @Test
    void corruptXz_isAnXzStreamError_inJavaAndTheSystemXz() throws IOException {
        byte[] bad = TextTraceReaderTest.compress(TraceTestSupport.plain(TraceTestSupport.SORT), TextTraceReader.Compression.XZ);
        for (int i = 100; i < 200; i++) {
            bad[i] ^= 0x5a;
        }
        Path p = dir.resolve("bad.xz");
        Files.write(p, bad);
        for (boolean external : TraceTestSupport.systemXz() ? new boolean[] {false, true} : new boolean[] {false}) {
            assertThatThrownBy(() -> pipelined(p, false, external)).isInstanceOf(TraceFormatException.class)
                    .hasMessageStartingWith(p + ":").hasMessageContaining("xz stream");
        }
    }

    @Test
    void closingEarly_stopsTheDecoder() throws IOException {
        Path p = dir.resolve("sort.lackey.xz");
        Files.write(p, TraceTestSupport.resource(TraceTestSupport.SORT).readAllBytes());
        for (boolean external : TraceTestSupport.systemXz() ? new boolean[] {false, true} : new boolean[] {false}) {
            TraceReader r = LackeyTraceReader.pipelined(p, false, external);
            assertThat(r.read(new long[10])).isEqualTo(10);
            r.close(); // must not hang with the decoder blocked on a full queue
        }
        assertThat(PipelinedLackeyReader.of(new ByteArrayInputStream(new byte[0]), "empty", false).read(new long[4])).isZero();
    }

    /** A random line of lackey text: every kind, 1 to 17 hex digits of either case, odd spacing now and then. */
    private static String randomLine(java.util.SplittableRandom rnd) {
        int shape = rnd.nextInt(100);
        if (shape == 0) {
            return "==" + rnd.nextInt(100000) + "== a log line";
        }
        if (shape == 1) {
            return rnd.nextBoolean() ? "" : "   ";
        }
        String head = switch (rnd.nextInt(8)) {
            case 0, 1, 2, 3 -> "I  ";
            case 4 -> " L ";
            case 5 -> " S ";
            case 6 -> " M ";
            default -> rnd.nextBoolean() ? "  L " : "I   "; // more spaces than lackey writes
        };
        int digits = rnd.nextInt(20) == 0 ? 1 + rnd.nextInt(16) : (rnd.nextBoolean() ? 8 : 10);
        StringBuilder sb = new StringBuilder(head);
        String hex = rnd.nextInt(10) == 0 ? "0123456789ABCDEFabcdef" : "0123456789abcdef";
        for (int i = 0; i < digits; i++) {
            // an address must fit in 62 bits: 16 digits start with 0 to 3
            sb.append(i == 0 && digits == 16 ? (char) ('0' + rnd.nextInt(4)) : hex.charAt(rnd.nextInt(hex.length())));
        }
        sb.append(',').append(rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(4096) : 1 + rnd.nextInt(8));
        if (rnd.nextInt(50) == 0) {
            sb.append(rnd.nextBoolean() ? "\r" : "  ");
        }
        return sb.toString();
    }

    @Test
    void randomLackeyText_ofEveryLineKind_readsAsTheLineReader_acrossBufferBoundaries() throws IOException {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(2026);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 3 * DecodeThread.SIZE) {
            sb.append(randomLine(rnd)).append('\n');
            if (rnd.nextInt(20_000) == 0) {
                // a long line (shorter than a decode buffer), trailing blanks being allowed
                sb.append(" L 1fff000708,8").append(" ".repeat(rnd.nextInt(DecodeThread.SIZE / 4))).append('\n');
            }
        }
        Path p = dir.resolve("random.lackey");
        Files.writeString(p, sb, StandardCharsets.US_ASCII);
        for (boolean instr : new boolean[] {false, true}) {
            long[] want = lineReader(p, instr);
            assertThat(want.length).isGreaterThan(20_000);
            assertThat(pipelined(p, instr, false)).isEqualTo(want);
        }
        // the same lines, CRLF throughout
        Path crlf = dir.resolve("random-crlf.lackey");
        Files.writeString(crlf, sb.toString().replace("\r\n", "\n").replace("\n", "\r\n"), StandardCharsets.US_ASCII);
        assertThat(pipelined(crlf, false, false)).isEqualTo(lineReader(crlf, false));
    }

    @Test
    void aBadLineAmongRandomText_failsWithTheLineReadersMessage_fileAndLine() throws IOException {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(13);
        List<String> bad = List.of(" L 0401ab7g,8", "I  0401ab70;3", " L 0401ab70,", " S 0401ab70,8x", "I  0401\u00e9b70,3",
                " L 12345678123456781,8", " L 4000000000000000,8", "I  ,3", " X 0401ab70,8", " L 0401ab70 ,8", "I  0401ab70,8 x");
        for (String b : bad) {
            StringBuilder sb = new StringBuilder();
            int at = 1 + rnd.nextInt(200_000);
            for (int i = 1; i < at; i++) {
                sb.append(i % 3 == 0 ? " L 1fff000708,8" : "I  0401ab70,3").append('\n');
            }
            sb.append(b).append('\n');
            for (int i = 0; i < 100; i++) {
                sb.append(" S 0401ab70,8\n");
            }
            Path p = dir.resolve("bad-random.lackey");
            Files.writeString(p, sb, StandardCharsets.UTF_8);
            Throwable old = catchThrowable(() -> lineReader(p, false));
            Throwable now = catchThrowable(() -> pipelined(p, false, false));
            assertThat(old).as(b).isInstanceOf(TraceFormatException.class);
            assertThat(now).as(b).isInstanceOf(TraceFormatException.class).hasMessage(old.getMessage())
                    .hasMessageStartingWith(p + ":" + at + ": ");
            assertThat(((TraceFormatException) now).line()).isEqualTo(at);
        }
    }

    @Test
    void hexMaskAndValue_agreeWithCharacterDigitAndParseLong_forEveryByte() {
        // every byte value at every position of a word of hex digits
        for (int pos = 0; pos < 8; pos++) {
            for (int c = 0; c < 256; c++) {
                byte[] w = "0123abcF".getBytes(StandardCharsets.US_ASCII);
                w[pos] = (byte) c;
                long word = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                long mask = PipelinedLackeyReader.hexMask(word);
                for (int i = 0; i < 8; i++) {
                    int ch = w[i] & 0xff;
                    boolean hex = ch < 128 && Character.digit((char) ch, 16) >= 0;
                    assertThat((mask >>> (8 * i + 7)) & 1).as("byte %d = %d", i, ch).isEqualTo(hex ? 1L : 0L);
                }
                assertThat(mask & ~0x8080808080808080L).isZero();
            }
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        String hex = "0123456789abcdefABCDEF";
        for (int k = 0; k < 100_000; k++) {
            int n = 1 + rnd.nextInt(8);
            byte[] w = new byte[8];
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                char ch = i < n ? hex.charAt(rnd.nextInt(hex.length())) : (char) rnd.nextInt(128);
                w[i] = (byte) ch;
                if (i < n) {
                    sb.append(ch);
                }
            }
            long word = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(PipelinedLackeyReader.hexValue(word, n)).as(sb.toString()).isEqualTo(Long.parseLong(sb.toString(), 16));
        }
    }

    private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        return org.assertj.core.api.Assertions.catchThrowable(c);
    }
}
