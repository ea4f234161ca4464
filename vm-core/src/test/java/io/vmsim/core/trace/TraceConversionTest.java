package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmsim.core.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips between the formats, checked against brute-force conversions written here. */
final class TraceConversionTest {
    @TempDir
    Path dir;

    private Path resourceFile(String name) throws IOException {
        Path p = dir.resolve(name.substring(name.lastIndexOf('/') + 1));
        try (InputStream in = TraceTestSupport.resource(name)) {
            Files.copy(in, p);
        }
        return p;
    }

    private static TraceConvert.Result convert(Path in, Path out) throws IOException {
        return TraceConvert.convert(in, out, TraceConvert.Options.defaults(), Progress.NONE);
    }

    private static long[] readAll(Path p) throws IOException {
        try (TraceReader r = TraceFormats.open(p, TraceFormats.AUTO, false)) {
            return TraceTestSupport.readAll(r);
        }
    }

    /** Page numbers by regex and Long.parseLong: data references only, page = address / 4096. */
    private static List<String> pagesByRegex(String resource) throws IOException {
        List<String> out = new ArrayList<>();
        for (long ref : TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(resource), false)) {
            out.add(Long.toString(TraceReader.address(ref) / 4096));
        }
        return out;
    }

    @Test
    void lackeyToVmtToPageText_equalsABruteForceConversion() throws IOException {
        for (String res : List.of(TraceTestSupport.SORT, TraceTestSupport.PYTHON)) {
            Path lackey = resourceFile(res);
            Path vmt = dir.resolve("t.vmt");
            Path pages = dir.resolve("t.pages");
            TraceConvert.Result r = convert(lackey, vmt);
            assertThat(r.inFormat()).isEqualTo("lackey");
            assertThat(r.outFormat()).isEqualTo("vmt");
            // the vmt holds byte addresses and kinds: exactly what the regex parser reads
            assertThat(readAll(vmt)).isEqualTo(TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(res), false));
            assertThat(convert(vmt, pages).outFormat()).isEqualTo("pages");
            assertThat(Files.readAllLines(pages, StandardCharsets.US_ASCII)).isEqualTo(pagesByRegex(res));
            Files.delete(vmt);
            Files.delete(pages);
        }
    }

    @Test
    void lackeyToOracleGeneralToVmt_keepsThePages_andTheVmtHeaderCounts() throws IOException {
        Path lackey = resourceFile(TraceTestSupport.PYTHON);
        Path og = dir.resolve("py.oracleGeneral.bin");
        Path vmt = dir.resolve("py.vmt");
        assertThat(convert(lackey, og).outFormat()).isEqualTo("oraclegeneral");
        assertThat(convert(og, vmt).inFormat()).isEqualTo("oraclegeneral");
        long[] want = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.PYTHON), false);
        long[] pages = Arrays.stream(want).map(r -> TraceReader.encode(TraceReader.address(r) / 4096 * 4096, TraceReader.LOAD)).toArray();
        assertThat(readAll(og)).isEqualTo(pages);
        assertThat(readAll(vmt)).isEqualTo(pages);
        Set<Long> distinct = new HashSet<>();
        Arrays.stream(pages).forEach(r -> distinct.add(TraceReader.address(r) / 4096));
        try (VmtReader v = new VmtReader(vmt)) {
            VmtHeader h = v.header();
            assertThat(h.references()).isEqualTo(want.length);
            assertThat(h.distinctPages()).isEqualTo(distinct.size());
            assertThat(h.writes()).isZero(); // oracleGeneral has no operation: every record is a read
            assertThat(h.unit()).isEqualTo(VmtHeader.UNIT_PAGES);
            assertThat(h.sourceFormat()).isEqualTo("oraclegeneral");
            assertThat(h.sourcePath()).isEqualTo(og.toString());
        }
    }

    @Test
    void oracleGeneralRecords_haveTheNextAccessOfABruteForceSearch() throws IOException {
        long[] pages = {5, 9, 5, 7, 9, 9, 5, 1, 7, 5};
        Path src = dir.resolve("small.pages");
        StringBuilder text = new StringBuilder();
        for (long p : pages) {
            text.append(p).append('\n');
        }
        Files.writeString(src, text);
        Path og = dir.resolve("small.oracleGeneral");
        convert(src, og);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(og)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(pages.length * 24);
        for (int i = 0; i < pages.length; i++) {
            // libCacheSim's next_access_vtime: 1-based position of the next request to the object, -1 if none
            long next = -1;
            for (int j = i + 1; j < pages.length; j++) {
                if (pages[j] == pages[i]) {
                    next = j + 1;
                    break;
                }
            }
            assertThat(Integer.toUnsignedLong(b.getInt())).as("clock_time of %d", i).isEqualTo(i);
            assertThat(b.getLong()).as("obj_id of %d", i).isEqualTo(pages[i]);
            assertThat(b.getInt()).as("obj_size of %d", i).isEqualTo(4096);
            assertThat(b.getLong()).as("next_access_vtime of %d", i).isEqualTo(next);
        }
    }

    @Test
    void realTraces_convertWithTheirGroundTruthCounts() throws IOException {
        // cloudphysics.pages.gz is the whole CloudPhysics sample: its meta.json says 113,872
        // references and 48,974 distinct pages.
        Path cp = resourceFile("/traces/cloudphysics.pages.gz");
        Path vmt = dir.resolve("cp.vmt");
        Path og = dir.resolve("cp.oracleGeneral.zst");
        convert(cp, og);
        assertThat(TraceFormats.formatOf(og, TraceFormats.AUTO)).isEqualTo("oraclegeneral");
        convert(og, vmt);
        try (VmtReader v = new VmtReader(vmt)) {
            assertThat(v.header().references()).isEqualTo(113_872);
            assertThat(v.header().distinctPages()).isEqualTo(48_974);
        }
        assertThat(TraceStats.of(vmt).references()).isEqualTo(113_872);
        // the lackey prefixes: counts of the regex parser and a HashSet
        for (String res : List.of(TraceTestSupport.SORT, TraceTestSupport.PYTHON)) {
            long[] want = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(res), false);
            Set<Long> distinct = new HashSet<>();
            long writes = 0;
            for (long r : want) {
                distinct.add(TraceReader.address(r) / 4096);
                writes += TraceReader.isWrite(r) ? 1 : 0;
            }
            Path out = dir.resolve("prefix.vmt");
            convert(resourceFile(res), out);
            try (VmtReader v = new VmtReader(out)) {
                assertThat(v.header().references()).isEqualTo(want.length);
                assertThat(v.header().distinctPages()).isEqualTo(distinct.size());
                assertThat(v.header().writes()).isEqualTo(writes);
            }
            Files.delete(out);
            Files.delete(dir.resolve(res.substring(res.lastIndexOf('/') + 1)));
        }
    }

    @Test
    void vmtOfManyBlocks_readsTheSameMappedAndStreamed_andExtremeAddressesSurvive() throws IOException {
        long[] refs = new long[10_007];
        java.util.Random rnd = new java.util.Random(42);
        for (int i = 0; i < refs.length; i++) {
            long addr = switch (i % 4) {
                case 0 -> rnd.nextLong() >>> 2; // anywhere in the 62-bit space: deltas of any size
                case 1 -> (1L << 62) - 1 - rnd.nextInt(100);
                case 2 -> rnd.nextInt(16);
                default -> 0x7ffd_0000_0000L + rnd.nextInt(1 << 20);
            };
            refs[i] = TraceReader.encode(addr, rnd.nextInt(4));
        }
        Path vmt = dir.resolve("many.vmt");
        try (VmtWriter w = new VmtWriter(vmt, VmtHeader.UNIT_ADDRESSES, 4096, "test", "memory", 1000)) {
            w.write(refs, 5000);
            w.write(Arrays.copyOfRange(refs, 5000, refs.length), refs.length - 5000);
        }
        try (VmtReader r = new VmtReader(vmt)) {
            assertThat(r.header().blocks()).isEqualTo(11);
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(refs);
        }
        try (TraceReader r = TraceFormats.open(Files.newInputStream(vmt), "stream", "vmt", false)) {
            assertThat(TraceTestSupport.readAll(r)).isEqualTo(refs);
        }
    }

    @Test
    void truncatedVmt_isAnErrorNamingTheFileAndWhatIsMissing() throws IOException {
        Path vmt = writeSmallVmt();
        byte[] all = Files.readAllBytes(vmt);
        Path cut = dir.resolve("cut.vmt");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> readAll(cut)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(cut + ": truncated vmt file");
        // streamed, the cut is found in a block
        assertThatThrownBy(() -> {
            try (TraceReader r = TraceFormats.open(Files.newInputStream(cut), cut.toString(), "vmt", false)) {
                TraceTestSupport.readAll(r);
            }
        }).isInstanceOf(TraceFormatException.class).hasMessageContaining(cut + ": corrupt vmt block ")
                .hasMessageContaining("truncated");
        Path head = dir.resolve("head.vmt");
        Files.write(head, Arrays.copyOf(all, 20));
        assertThatThrownBy(() -> readAll(head)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining(head + ": truncated vmt header");
    }

    @Test
    void corruptVmtBlock_isAnErrorNamingTheFileAndTheBlock() throws IOException {
        Path vmt = writeSmallVmt();
        byte[] all = Files.readAllBytes(vmt);
        long second;
        try (VmtReader r = new VmtReader(vmt)) {
            ByteBuffer ix = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            second = ix.getLong((int) r.header().indexOffset() + VmtHeader.INDEX_ENTRY);
        }
        byte[] bad = all.clone();
        int at = (int) second + VmtHeader.BLOCK_HEADER + 5; // inside block 1's compressed bytes
        bad[at] ^= 0x5a;
        Path p = dir.resolve("bad.vmt");
        Files.write(p, bad);
        assertThatThrownBy(() -> readAll(p)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(p + ": corrupt vmt block 1 of 3 (references from 1000)");
        byte[] magic = all.clone();
        magic[1] = 'X';
        Path q = dir.resolve("magic.vmt");
        Files.write(q, magic);
        assertThatThrownBy(() -> new VmtReader(q)).isInstanceOf(TraceFormatException.class)
                .hasMessage(q + ": not a vmt trace (bad magic bytes)");
    }

    private Path writeSmallVmt() throws IOException {
        long[] refs = new long[2500];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = TraceReader.encode((long) (i * 7919 % 1000) << 12, i % 3);
        }
        Path vmt = dir.resolve("small.vmt");
        try (VmtWriter w = new VmtWriter(vmt, VmtHeader.UNIT_PAGES, 4096, "pages", "x", 1000)) {
            w.write(refs, refs.length);
        }
        return vmt;
    }

    @Test
    void oracleGeneralErrors_nameTheFileTheRecordAndTheValue() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 * 3 + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putLong(7).putInt(4096).putLong(-1);
        b.putInt(1).putLong(8).putInt(4096).putLong(-1);
        b.putInt(2).putLong(9).putInt(4096).putLong(-1);
        Path cut = dir.resolve("cut.oracleGeneral");
        Files.write(cut, b.array());
        assertThatThrownBy(() -> readAll(cut)).isInstanceOf(TraceFormatException.class)
                .hasMessage(cut + ": truncated oracleGeneral file: 10 bytes after record 3 (records are 24 bytes)");
        b.clear();
        b.putInt(0).putLong(7).putInt(4096).putLong(-1);
        b.putInt(1).putLong(-5L).putInt(4096).putLong(-1); // a hashed id: 2^64 - 5
        Path big = dir.resolve("big.oracleGeneral.bin");
        Files.write(big, Arrays.copyOf(b.array(), 48));
        assertThatThrownBy(() -> readAll(big)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(big + ": record 2 (byte 24): obj_id 18446744073709551611 is larger than");
    }

    @Test
    void csv_detectsDelimiterAndHeaderAsLibCacheSim_andReadsTheObjectIdColumn() throws IOException {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "time,obj_id,size\n1,42,4096\n2,0x10,512\n3,42,8\n");
        assertThat(TraceFormats.formatOf(csv, TraceFormats.AUTO)).isEqualTo("csv");
        assertThat(readAll(csv)).containsExactly(TraceReader.encode(42L << 12, TraceReader.LOAD),
                TraceReader.encode(16L << 12, TraceReader.LOAD), TraceReader.encode(42L << 12, TraceReader.LOAD));
        Path tab = dir.resolve("ops.csv");
        Files.writeString(tab, "5\tget\t100\n6\tset\t101\n");
        try (TraceReader r = new CsvTraceReader(tab, CsvTraceReader.Columns.parse("obj-id=3,op=2"))) {
            assertThat(TraceTestSupport.readAll(r)).containsExactly(TraceReader.encode(100L << 12, TraceReader.LOAD),
                    TraceReader.encode(101L << 12, TraceReader.STORE));
        }
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1,42,4096\n2,abc,512\n");
        assertThatThrownBy(() -> readAll(bad)).isInstanceOf(TraceFormatException.class)
                .hasMessage(bad + ":2: object id 'abc' is not an unsigned decimal or 0x-hexadecimal number of at most "
                        + PageNumberTraceReader.MAX_PAGE);
        Path badOp = dir.resolve("badop.csv");
        Files.writeString(badOp, "1,get,7\n2,frob,8\n");
        assertThatThrownBy(() -> {
            try (TraceReader r = new CsvTraceReader(badOp, CsvTraceReader.Columns.parse("obj-id=3,op=2"))) {
                TraceTestSupport.readAll(r);
            }
        }).isInstanceOf(TraceFormatException.class).hasMessageStartingWith(badOp + ":2: operation 'frob' is not one of");
    }

    @Test
    void failedConversion_leavesNoOutputThatLooksWhole() throws IOException {
        Path bad = dir.resolve("bad.lackey");
        Files.writeString(bad, " L 1000,8\n S 2000,8\n L zzzz,8\n");
        Path out = dir.resolve("bad.vmt");
        assertThatThrownBy(() -> TraceConvert.convert(bad, out, new TraceConvert.Options(null, "lackey", 4096, null,
                CsvTraceReader.Columns.DEFAULT), Progress.NONE))
                .isInstanceOf(TraceFormatException.class).hasMessageStartingWith(bad + ":3: ");
        assertThat(out).doesNotExist();
    }

    @Test
    void outputFormat_followsTheNameUnlessToNamesIt() {
        assertThat(TraceConvert.outputFormat(Path.of("a.vmt"), null)).isEqualTo("vmt");
        assertThat(TraceConvert.outputFormat(Path.of("w.oracleGeneral.zst"), null)).isEqualTo("oraclegeneral");
        assertThat(TraceConvert.outputFormat(Path.of("p.pages.gz"), null)).isEqualTo("pages");
        assertThat(TraceConvert.outputFormat(Path.of("p.vmt"), "oracleGeneral")).isEqualTo("oraclegeneral");
        assertThatThrownBy(() -> TraceConvert.outputFormat(Path.of("x.bin"), null)).hasMessageContaining("--to");
        assertThatThrownBy(() -> TraceConvert.outputFormat(Path.of("x.bin"), "vmx")).hasMessageContaining("did you mean 'vmt'");
    }

    @Test
    void generatedTrace_convertsAsMrcReadsIt_andTheHeaderRecordsTheSpec() throws IOException {
        // seq: page i mod N for reference i, loads only (SyntheticTraceReader's definition)
        String seq = "seq:pages=7,refs=100";
        Path vmt = dir.resolve("seq.vmt");
        TraceConvert.Result r = TraceConvert.convert(Path.of(seq), vmt, TraceConvert.Options.defaults(), Progress.NONE);
        assertThat(r.inFormat()).isEqualTo("seq");
        assertThat(r.references()).isEqualTo(100);
        long[] want = new long[100];
        for (int i = 0; i < want.length; i++) {
            want[i] = TraceReader.encode((long) (i % 7) * 4096, TraceReader.LOAD);
        }
        assertThat(readAll(vmt)).isEqualTo(want);
        try (VmtReader v = new VmtReader(vmt)) {
            assertThat(v.header().unit()).isEqualTo(VmtHeader.UNIT_PAGES);
            assertThat(v.header().sourceFormat()).isEqualTo("seq");
            assertThat(v.header().sourcePath()).isEqualTo(seq);
            assertThat(v.header().references()).isEqualTo(100);
            assertThat(v.header().distinctPages()).isEqualTo(7);
        }
        Path pages = dir.resolve("seq.pages");
        TraceConvert.convert(Path.of(seq), pages, TraceConvert.Options.defaults(), Progress.NONE);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            lines.add(Long.toString(i % 7));
        }
        assertThat(Files.readAllLines(pages, StandardCharsets.US_ASCII)).isEqualTo(lines);

        // zipf: the same references as the generator opened where mrc --trace opens it
        String zipf = "zipf:pages=1000,alpha=0.99,refs=5000,seed=7";
        Path z = dir.resolve("zipf.vmt");
        assertThat(TraceConvert.convert(Path.of(zipf), z, TraceConvert.Options.defaults(), Progress.NONE).inFormat())
                .isEqualTo("zipf");
        try (TraceReader g = TraceFormats.open(Path.of(zipf), TraceFormats.AUTO, false)) {
            assertThat(readAll(z)).isEqualTo(TraceTestSupport.readAll(g));
        }
        assertThatThrownBy(() -> TraceConvert.convert(Path.of("zipf:pages=10,refs=0"), dir.resolve("bad.vmt"),
                TraceConvert.Options.defaults(), Progress.NONE)).hasMessageContaining("refs must be a positive integer");
    }
}
