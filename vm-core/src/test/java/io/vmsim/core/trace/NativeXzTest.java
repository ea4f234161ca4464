package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The in-process liblzma decoder ({@link NativeXz}) against xz-java's output, byte for byte,
 * and the lackey references read through it against the line reader's. The tests run with
 * {@code jdk.incubator.foreign} (vm-core's surefire configuration); under CI its absence fails
 * them ({@link TraceTestSupport#nativeXz()}), elsewhere they are skipped without it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // a decoder that hangs fails, not blocks the build
final class NativeXzTest {
    @TempDir
    Path dir;

    /** Everything the decoder yields, chunk after chunk; its failure thrown after checking the chunks end at lines. */
    private static byte[] decode(Path p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChunkSource s = XzDecoder.openNative(p, p.toString())) {
            for (DecodeThread.Chunk c = s.next(); c != null; c = s.next()) {
                out.write(c.buf(), 0, c.length());
                if (c.error() != null) {
                    throw c.error();
                }
                s.recycle(c.buf());
            }
        }
        return out.toByteArray();
    }

    private static byte[] xzJava(byte[] compressed) throws IOException {
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] compress(byte[] plain, int preset) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (XZOutputStream out = new XZOutputStream(bytes, new LZMA2Options(preset))) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    /** Random lackey lines (every kind, 8 or 10 hex digits, sizes 1 to 8), about {@code bytes} long. */
    private static byte[] randomLackey(long seed, int bytes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(bytes + 64);
        String[] heads = {"I  ", " L ", " S ", " M "};
        while (sb.length() < bytes) {
            sb.append(heads[rnd.nextInt(4)]);
            int digits = rnd.nextBoolean() ? 8 : 10;
            for (int i = 0; i < digits; i++) {
                sb.append(Character.forDigit(rnd.nextInt(16), 16));
            }
            sb.append(',').append(1 + rnd.nextInt(8)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void randomLackeyText_andRandomBytes_decodeAsXzJavaDoes_byteForByte() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).as("liblzma through jdk.incubator.foreign").isTrue();
        byte[] text = randomLackey(2026, 5 << 20); // several native buffers
        assertThat(text.length).isGreaterThan(2 * NativeXz.OUT);
        byte[] xz = compress(text, 1);
        Path p = Files.write(dir.resolve("random.lackey.xz"), xz);
        byte[] got = decode(p);
        assertThat(got).hasSize(text.length);
        assertThat(Arrays.equals(got, xzJava(xz))).as("equals xz-java's output").isTrue();
        assertThat(Arrays.equals(got, text)).isTrue();
        // binary data: newlines every 256 bytes on average, and none at the end
        byte[] noise = new byte[5 << 19];
        new SplittableRandom(7).nextBytes(noise);
        noise[noise.length - 1] = 'x';
        byte[] xzNoise = compress(noise, 0);
        Path q = Files.write(dir.resolve("noise.xz"), xzNoise);
        assertThat(Arrays.equals(decode(q), xzJava(xzNoise))).isTrue();
    }

    @Test
    void concatenatedStreams_withPadding_decodeAsXzJavaDoes() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        ByteArrayOutputStream cat = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            byte[] part = randomLackey(100 + i, (1 << 19) + 12345 * i);
            plain.write(part);
            cat.write(compress(part, i % 2));
            if (i == 0) {
                cat.write(new byte[4]); // stream padding, a multiple of four null bytes (xz file format 2.2)
            }
        }
        byte[] xz = cat.toByteArray();
        Path p = Files.write(dir.resolve("three-streams.xz"), xz);
        byte[] want = xzJava(xz);
        assertThat(want).isEqualTo(plain.toByteArray());
        assertThat(Arrays.equals(decode(p), want)).isTrue();
    }

    @Test
    void multiBlockFile_ofTheSystemXz_decodesAsXzJavaDoes() throws IOException, InterruptedException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        assumeThat(TraceTestSupport.systemXz()).as("xz on the PATH").isTrue();
        byte[] text = randomLackey(99, 5 << 20);
        Path plain = Files.write(dir.resolve("blocks.lackey"), text);
        Process xz = new ProcessBuilder(XzProcess.executable().toString(), "-T2", "--block-size=1MiB", "-1", "-k", "--",
                plain.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(xz.waitFor()).isZero();
        Path p = dir.resolve("blocks.lackey.xz");
        byte[] compressed = Files.readAllBytes(p);
        byte[] want = xzJava(compressed);
        assertThat(want).isEqualTo(text);
        assertThat(Arrays.equals(decode(p), want)).isTrue();
    }

    @Test
    void realTracePrefixes_decodeAsXzJavaDoes_andReadAsTheLineReader() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        for (String res : List.of(TraceTestSupport.SORT, TraceTestSupport.PYTHON)) {
            Path p = dir.resolve(res.substring(res.lastIndexOf('/') + 1));
            Files.write(p, TraceTestSupport.resource(res).readAllBytes());
            assertThat(Arrays.equals(decode(p), TraceTestSupport.plain(res))).as(res).isTrue();
            for (boolean instr : new boolean[] {false, true}) {
                long[] want;
                try (TraceReader r = new LackeyTraceReader(p, instr)) {
                    want = TraceTestSupport.readAll(r);
                }
                try (TraceReader r = LackeyTraceReader.pipelined(p, instr, XzDecoder.Kind.NATIVE)) {
                    assertThat(TraceTestSupport.readAll(r)).as("%s, instructions %s", res, instr).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void randomLackeyText_readsThroughLiblzmaAsTheLineReader() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        Path p = Files.write(dir.resolve("random.xz"), compress(randomLackey(5, 3 << 20), 1));
        long[] want;
        try (TraceReader r = new LackeyTraceReader(p, true)) {
            want = TraceTestSupport.readAll(r);
        }
        assertThat(want.length).isGreaterThan(150_000);
        try (TraceReader r = LackeyTraceReader.pipelined(p, true, XzDecoder.Kind.NATIVE)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
    }

    @Test
    void autoFormat_detectsFromTheDecoderThatReads_startingOneDecoderNotTwo() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        String res = TraceTestSupport.SORT;
        Path p = dir.resolve(res.substring(res.lastIndexOf('/') + 1));
        Files.write(p, TraceTestSupport.resource(res).readAllBytes());
        for (boolean instr : new boolean[] {false, true}) {
            long[] want;
            try (TraceReader r = new LackeyTraceReader(p, instr)) {
                want = TraceTestSupport.readAll(r);
            }
            int before = NativeXz.STARTED.get();
            try (TraceReader r = TraceFormats.open(p, TraceFormats.AUTO, instr)) {
                assertThat(TraceTestSupport.readAll(r)).as("instructions %s", instr).isEqualTo(want);
            }
            assertThat(NativeXz.STARTED.get() - before).as("liblzma decoders started").isEqualTo(1);
        }
        // the first buffer ends inside the file: what follows it is read too (more than one buffer of text)
        Path big = Files.write(dir.resolve("big.lackey.xz"), compress(randomLackey(9, 3 * NativeXz.OUT + 12345), 1));
        long[] want;
        try (TraceReader r = new LackeyTraceReader(big, true)) {
            want = TraceTestSupport.readAll(r);
        }
        try (TraceReader r = TraceFormats.open(big, TraceFormats.AUTO, true)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
    }

    @Test
    void aPrefetchedDecoder_fillsAheadOfItsReader_andIsTheOneTheFilesOpenReads() throws Exception {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        // more text than the ring holds, so that a head start shows as buffers beyond it
        byte[] block = randomLackey(11, 512 << 10);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int i = 0; i < 4 * (NativeXz.RING + 5); i++) {
            text.write(block);
        }
        Path p = Files.write(dir.resolve("ahead.lackey.xz"), compress(text.toByteArray(), 1));
        Path other = Files.write(dir.resolve("other.lackey.xz"), compress(block, 1));
        long[] want;
        try (TraceReader r = new LackeyTraceReader(p, false)) {
            want = TraceTestSupport.readAll(r);
        }

        int before = NativeXz.STARTED.get();
        TraceFormats.prefetch(p, TraceFormats.AUTO);
        NativeXz ahead = (NativeXz) TraceFormats.Prefetch.startedDecoder();
        // nobody reads it yet: it decodes past its ring on its own (the text is 2 MiB x (ring + 5))
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ahead.headStartUsed() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ahead.headStartUsed()).as("buffers decoded ahead of the reader").isGreaterThanOrEqualTo(4);
        try (TraceReader r = TraceFormats.open(p, TraceFormats.AUTO, false)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
        assertThat(NativeXz.STARTED.get() - before).as("decoders started: the prefetched one only").isEqualTo(1);
        assertThat(ahead.freed()).as("closed with the reader").isTrue();

        // a prefetch of another file is not used for this one, and is closed
        TraceFormats.prefetch(other, TraceFormats.AUTO);
        NativeXz unused = (NativeXz) TraceFormats.Prefetch.startedDecoder();
        try (TraceReader r = TraceFormats.open(p, TraceFormats.AUTO, false)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!unused.freed() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(unused.freed()).as("the other file's decoder, closed").isTrue();

        // a named format, or a file that is not xz: nothing is started
        int started = NativeXz.STARTED.get();
        TraceFormats.prefetch(p, "lackey");
        TraceFormats.prefetch(Files.write(dir.resolve("plain.lackey"), block), TraceFormats.AUTO);
        assertThat(TraceFormats.Prefetch.startedDecoder()).isNull();
        assertThat(NativeXz.STARTED.get()).isEqualTo(started);
    }

    @Test
    void glibcTunables_hugetlbOneMeansGlibcAdvisesHugePages_theLastSettingWins() {
        assertThat(NativeXz.glibcAdvisesHugePages(null)).isFalse();
        assertThat(NativeXz.glibcAdvisesHugePages("")).isFalse();
        assertThat(NativeXz.glibcAdvisesHugePages("glibc.malloc.hugetlb=1")).isTrue();
        assertThat(NativeXz.glibcAdvisesHugePages("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")).isTrue();
        assertThat(NativeXz.glibcAdvisesHugePages("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0")).isFalse();
        assertThat(NativeXz.glibcAdvisesHugePages("glibc.malloc.hugetlb=2")).as("hugetlbfs pages, not THP advice").isFalse();
        assertThat(NativeXz.glibcAdvisesHugePages("glibc.malloc.hugetlb_x=1")).isFalse();
    }

    @Test
    void theFormatAskedFirst_thenTheTraceOpenedByName_decodesTheFileOnce() throws Exception {
        // vmsim run, trace convert and trace stats ask for the format (auto), then open the trace
        // by the name detected: the decoder that detected it reads the trace
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        byte[] text = randomLackey(23, 3 << 20);
        Path p = Files.write(dir.resolve("twice.lackey.xz"), compress(text, 1));
        long[] want;
        try (TraceReader r = new LackeyTraceReader(p, false)) {
            want = TraceTestSupport.readAll(r);
        }
        int before = NativeXz.STARTED.get();
        String name = TraceFormats.formatOf(p, TraceFormats.AUTO);
        assertThat(name).isEqualTo("lackey");
        try (TraceReader r = TraceFormats.open(p, name, false)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
        assertThat(NativeXz.STARTED.get() - before).as("decoders started").isEqualTo(1);
        // a second open reads the file again, from its start, with a decoder of its own
        try (TraceReader r = TraceFormats.open(p, name, false)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(want);
        }
        assertThat(NativeXz.STARTED.get() - before).isEqualTo(2);
        // a format that is not lackey: the sniffing decoder is closed, none is kept
        StringBuilder pages = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            pages.append(i % 300).append('\n');
        }
        Path q = Files.write(dir.resolve("kept.xz"), compress(pages.toString().getBytes(StandardCharsets.US_ASCII), 1));
        assertThat(TraceFormats.formatOf(q, TraceFormats.AUTO)).isNotEqualTo("lackey");
        assertThat(TraceFormats.Prefetch.startedDecoder()).isNull();
    }

    @Test
    void autoFormat_ofAnXzFileThatIsNotLackey_orIsDamaged_goesTheUsualWay() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        // page numbers, one a line: detected as such and read by their reader
        StringBuilder pages = new StringBuilder();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 5000; i++) {
            pages.append(rnd.nextInt(300)).append('\n');
        }
        Path p = Files.write(dir.resolve("pages.xz"), compress(pages.toString().getBytes(StandardCharsets.US_ASCII), 1));
        String format = TraceFormats.detect(p);
        assertThat(format).isNotEqualTo("lackey");
        try (TraceReader auto = TraceFormats.open(p, TraceFormats.AUTO, false);
             TraceReader named = TraceFormats.open(p, format, false)) {
            long[] got = TraceTestSupport.readAll(auto);
            assertThat(got).hasSize(5000).isEqualTo(TraceTestSupport.readAll(named));
        }
        // truncated and corrupt lackey files: the same failures, named the same way, as with the format named
        byte[] xz = compress(randomLackey(3, 5 << 19), 1);
        byte[] bad = xz.clone();
        bad[xz.length / 3] ^= 0x55;
        for (byte[] damaged : List.of(Arrays.copyOf(xz, 12), Arrays.copyOf(xz, xz.length / 2), bad)) {
            Path d = Files.write(dir.resolve("damaged.lackey.xz"), damaged);
            Throwable named = catchThrowable(() -> {
                try (TraceReader r = TraceFormats.open(d, "lackey", false)) {
                    TraceTestSupport.readAll(r);
                }
            });
            Throwable auto = catchThrowable(() -> {
                try (TraceReader r = TraceFormats.open(d, TraceFormats.AUTO, false)) {
                    TraceTestSupport.readAll(r);
                }
            });
            assertThat(named).isNotNull();
            assertThat(auto).as("%d bytes", damaged.length).isNotNull().hasSameClassAs(named).hasMessage(named.getMessage());
        }
    }

    @Test
    void theDictionary_isMappedForHugePages_asTheKernelReports_andUnmappedWithTheDecoder() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        assumeThat(NativeXz.HugePages.ALLOCATOR).as("liblzma's allocator through libc").isNotNull();
        // preset 6: an 8 MiB dictionary, which liblzma allocates when the block header arrives
        byte[] text = randomLackey(21, 12 << 20);
        Path p = Files.write(dir.resolve("dict8m.lackey.xz"), compress(text, 6));
        int advised = NativeXz.HugePages.ADVISED.get();
        java.util.Set<Long> before = java.util.Set.copyOf(NativeXz.HugePages.MAPPED.keySet());
        ChunkSource src = XzDecoder.openNative(p, p.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DecodeThread.Chunk first = src.next(); // the dictionary is allocated by now
        out.write(first.buf(), 0, first.length());
        java.util.Set<Long> mine = new java.util.HashSet<>(NativeXz.HugePages.MAPPED.keySet());
        mine.removeAll(before);
        assertThat(mine).hasSize(1);
        long addr = mine.iterator().next();
        assertThat(addr % NativeXz.HugePages.HUGE).isZero();
        assertThat(NativeXz.HugePages.MAPPED.get(addr)).isEqualTo(8L << 20);
        assertThat(NativeXz.HugePages.ADVISED.get() - advised).isEqualTo(1);
        // the kernel's view of that mapping: its start and, unless THP is off, THPeligible
        String smaps = Files.readString(Path.of("/proc/self/smaps"));
        String start = Long.toHexString(addr) + "-";
        int at = smaps.indexOf("\n" + start);
        assertThat(at).as("a mapping starting at %s in /proc/self/smaps", start).isNotNegative();
        String entry = smaps.substring(at + 1, smaps.indexOf("VmFlags", at));
        String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        if (!thp.contains("[never]")) {
            assertThat(entry).containsPattern("THPeligible:\\s+1");
        }
        for (DecodeThread.Chunk c = src.next(); c != null; c = src.next()) {
            out.write(c.buf(), 0, c.length());
        }
        src.close();
        assertThat(((NativeXz) src).freed()).isTrue();
        assertThat(NativeXz.HugePages.MAPPED).doesNotContainKey(addr); // lzma_end gave it back
        assertThat(out.toByteArray()).isEqualTo(text);
    }

    @Test
    void truncatedFile_isLzmaBufError_andATruncatedXzStreamNamingTheFile() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        byte[] text = randomLackey(3, 5 << 19);
        byte[] xz = compress(text, 1);
        for (int keep : new int[] {12, xz.length / 2, xz.length - 1}) {
            Path p = Files.write(dir.resolve("cut-" + keep + ".lackey.xz"), Arrays.copyOf(xz, keep));
            assertThatThrownBy(() -> decode(p)).as("%d bytes kept", keep)
                    .isInstanceOf(EOFException.class).hasMessageContaining("LZMA_BUF_ERROR");
            assertThatThrownBy(() -> readAll(p)).as("%d bytes kept", keep).isInstanceOf(TraceFormatException.class)
                    .hasMessageStartingWith(p + ":").hasMessageContaining("truncated xz stream");
        }
    }

    @Test
    void corruptFile_isLzmaDataError_andACorruptXzStreamNamingTheFile() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        byte[] text = randomLackey(4, 5 << 19);
        byte[] xz = compress(text, 1);
        // a damaged stream header (its CRC32 no longer matches), a damaged body, a damaged index
        for (int at : new int[] {7, xz.length / 3, xz.length - 20}) {
            byte[] bad = xz.clone();
            bad[at] ^= 0x55;
            Path p = Files.write(dir.resolve("bad-" + at + ".lackey.xz"), bad);
            assertThatThrownBy(() -> decode(p)).as("byte %d", at).isInstanceOf(IOException.class)
                    .isNotInstanceOf(EOFException.class).hasMessageContaining("LZMA_DATA_ERROR");
            assertThatThrownBy(() -> readAll(p)).as("byte %d", at).isInstanceOf(TraceFormatException.class)
                    .hasMessageStartingWith(p + ":").hasMessageContaining("corrupt xz stream")
                    .hasMessageContaining("LZMA_DATA_ERROR");
        }
        // not xz at all
        Path text2 = Files.write(dir.resolve("plain.txt"), text);
        assertThatThrownBy(() -> decode(text2)).isInstanceOf(IOException.class).hasMessageContaining("LZMA_FORMAT_ERROR");
    }

    private static long[] readAll(Path p) throws IOException {
        try (TraceReader r = LackeyTraceReader.pipelined(p, false, XzDecoder.Kind.NATIVE)) {
            return TraceTestSupport.readAll(r);
        }
    }

    @Test
    void closingEarly_stopsTheDecodeThread_andFreesTheNativeMemory() throws IOException {
        assumeThat(TraceTestSupport.nativeXz()).isTrue();
        // more than the ring and the queue hold (the decoder waits for the parser), quick to compress
        byte[] block = randomLackey(8, 512 << 10);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int i = 0; i < 24; i++) {
            text.write(block);
        }
        assertThat(text.size()).isGreaterThan((NativeXz.RING + 1) * NativeXz.OUT);
        Path p = Files.write(dir.resolve("big.lackey.xz"), compress(text.toByteArray(), 1));
        for (int refs : new int[] {10, 400_000}) {
            ChunkSource src = XzDecoder.openNative(p, p.toString());
            TraceReader r = new PipelinedLackeyReader(src, p.toString(), false, TextTraceReader.Compression.XZ);
            assertThat(r.read(new long[refs])).isEqualTo(refs);
            assertThat(((NativeXz) src).freed()).isFalse(); // the ring still full: the decoder waits
            r.close();
            assertThat(((NativeXz) src).freed()).as("after %d references", refs).isTrue();
        }
        // read to the end, then closed
        ChunkSource src = XzDecoder.openNative(p, p.toString());
        try (TraceReader r = new PipelinedLackeyReader(src, p.toString(), false, TextTraceReader.Compression.XZ)) {
            TraceTestSupport.readAll(r);
        }
        assertThat(((NativeXz) src).freed()).isTrue();
    }

    @Test
    void vmsimXz_choosesTheDecoder_andAForcedOneThatCannotWorkSaysWhy() throws IOException {
        String old = System.getProperty("vmsim.xz");
        try {
            System.setProperty("vmsim.xz", "java");
            assertThat(XzDecoder.choose()).isEqualTo(XzDecoder.Kind.JAVA);
            System.setProperty("vmsim.xz", " Native ");
            if (TraceTestSupport.nativeXz()) {
                assertThat(XzDecoder.choose()).isEqualTo(XzDecoder.Kind.NATIVE);
            } else {
                assertThatThrownBy(XzDecoder::choose).hasMessageStartingWith("VMSIM_XZ=native: liblzma cannot be used: ");
            }
            System.setProperty("vmsim.xz", "zstd");
            assertThatThrownBy(XzDecoder::choose).isInstanceOf(IOException.class)
                    .hasMessageContaining("VMSIM_XZ=zstd").hasMessageContaining("native, xz or java");
            System.setProperty("vmsim.xz", "");
            assertThat(XzDecoder.choose()).isEqualTo(TraceTestSupport.nativeXz() ? XzDecoder.Kind.NATIVE
                    : XzProcess.executable() != null ? XzDecoder.Kind.XZ : XzDecoder.Kind.JAVA);
        } finally {
            if (old == null) {
                System.clearProperty("vmsim.xz");
            } else {
                System.setProperty("vmsim.xz", old);
            }
        }
    }

    /** Reads a lackey file through {@link LackeyTraceReader#pipelined(Path, boolean)}; prints the count or the failure. */
    static final class Child {
        public static void main(String[] args) throws IOException {
            try (TraceReader r = LackeyTraceReader.pipelined(Path.of(args[0]), false)) {
                System.out.println("references " + TraceTestSupport.readAll(r).length);
            } catch (IOException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }
    }

    @Test
    void aJvmWithoutTheForeignModule_fallsBackSilently_andFailsClearlyWhenNativeIsForced() throws Exception {
        Path p = dir.resolve("sort.lackey.xz");
        Files.write(p, TraceTestSupport.resource(TraceTestSupport.SORT).readAllBytes());
        long want;
        try (TraceReader r = new LackeyTraceReader(p, false)) {
            want = TraceTestSupport.readAll(r).length;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String choice : new String[] {"", "native"}) {
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Child.class.getName(), p.toString()).redirectErrorStream(true);
            pb.environment().put("VMSIM_XZ", choice);
            Process child = pb.start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as(out).isZero();
            if (choice.isEmpty()) {
                assertThat(out).isEqualTo("references " + want + System.lineSeparator()); // nothing on stderr either
            } else {
                assertThat(out).startsWith("failed: VMSIM_XZ=native: liblzma cannot be used: the jdk.incubator.foreign"
                        + " module is not in the JVM");
            }
        }
    }

    /** The xz-java reference is independent of liblzma; this is a check of that assumption's input. */
    @Test
    void randomLackey_isWhatItSays() {
        byte[] b = randomLackey(1, 1000);
        List<String> lines = new ArrayList<>(Arrays.asList(new String(b, StandardCharsets.US_ASCII).split("\n")));
        assertThat(TraceTestSupport.lackeyByRegex(lines, true)).hasSize(lines.size());
    }
}
