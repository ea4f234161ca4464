package io.vmsim.core.trace;

import io.vmsim.core.error.ClosestName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The trace formats by their lower-case names, and {@code auto} detection.
 *
 * <table>
 * <caption>Formats</caption>
 * <tr><th>name</th><th>reader</th></tr>
 * <tr><td>{@code lackey}</td><td>{@link LackeyTraceReader}</td></tr>
 * <tr><td>{@code pages}</td><td>{@link PageNumberTraceReader}</td></tr>
 * <tr><td>{@code addresses}</td><td>{@link AddressTraceReader}</td></tr>
 * <tr><td>{@code vmt}</td><td>{@link VmtReader}</td></tr>
 * <tr><td>{@code oraclegeneral}</td><td>{@link OracleGeneralReader}</td></tr>
 * <tr><td>{@code csv}</td><td>{@link CsvTraceReader} with {@link CsvTraceReader.Columns#DEFAULT}</td></tr>
 * </table>
 * {@code auto} first looks at the file: {@code vmt} by its magic bytes; {@code oraclegeneral}
 * if its name contains {@code oracleGeneral} (in any case; libCacheSim names its files so);
 * {@code csv} if its name ends in {@code .csv} (before any {@code .gz}, {@code .xz} or
 * {@code .zst}). Otherwise it looks at the first non-blank lines (up to {@value #SNIFF_LINES})
 * after decompression: lackey if they parse as lackey; {@code pages} if they are plain decimal
 * numbers (a decimal-only file could also be addresses: name {@code addresses} explicitly
 * then); {@code addresses} if they parse as addresses. A path {@code zipf:...}, {@code uniform:...}
 * or {@code seq:...} opens a generated trace instead ({@link SyntheticTraceReader}).
 */
public final class TraceFormats {
    /** Opens a reader of one format over a (possibly compressed) stream. */
    @FunctionalInterface
    public interface Opener {
        /** Opens {@code in}, named {@code source} in messages. */
        TraceReader open(InputStream in, String source, boolean includeInstructions) throws IOException;
    }

    /** The name that asks for detection. */
    public static final String AUTO = "auto";

    static final int SNIFF_LINES = 20;

    private static final Map<String, Opener> FORMATS;

    static {
        Map<String, Opener> m = new LinkedHashMap<>();
        m.put("lackey", LackeyTraceReader::new);
        m.put("pages", (in, src, instr) -> new PageNumberTraceReader(in, src));
        m.put("addresses", (in, src, instr) -> new AddressTraceReader(in, src));
        m.put("vmt", (in, src, instr) -> new VmtReader(in, src));
        m.put("oraclegeneral", (in, src, instr) -> new OracleGeneralReader(in, src));
        m.put("csv", (in, src, instr) -> new CsvTraceReader(in, src, CsvTraceReader.Columns.DEFAULT));
        FORMATS = Collections.unmodifiableMap(m);
    }

    private TraceFormats() {
    }

    /** The format names, in registration order, without {@code auto}. */
    public static Set<String> names() {
        return FORMATS.keySet();
    }

    /**
     * Opens {@code path} as {@code format} ({@code auto} or one of {@link #names()}; case
     * does not matter).
     *
     * @throws IllegalArgumentException for an unknown format name, suggesting the closest
     * @throws TraceFormatException     if {@code auto} recognises no format
     */
    public static TraceReader open(Path path, String format, boolean includeInstructions) throws IOException {
        if (SyntheticTraceReader.isSpec(path.toString())) {
            return SyntheticTraceReader.open(path.toString()); // zipf:, uniform:, seq: generated, no file
        }
        if (resolve(format).equals(AUTO)) {
            TraceReader sniffed = openSniffingNativeXz(path, includeInstructions);
            if (sniffed != null) {
                return sniffed;
            }
        }
        String name = formatOf(path, format);
        if (name.equals("vmt")) {
            TextTraceReader.openFile(path).close(); // the usual messages for a missing or unreadable file
            return new VmtReader(path); // memory-mapped, blocks found through the index
        }
        if (name.equals("lackey")) {
            return LackeyTraceReader.pipelined(path, includeInstructions);
        }
        return FORMATS.get(name).open(TextTraceReader.openFile(path), path.toString(), includeInstructions);
    }

    /**
     * As {@link #isFileTrace(String)} for a file: a {@code vmt} trace is what its source format
     * (in its header) was.
     */
    public static boolean isFileTrace(Path path, String format) throws IOException {
        if (!format.equals("vmt")) {
            return isFileTrace(format);
        }
        try (VmtReader r = new VmtReader(path)) {
            String src = r.header().sourceFormat().toLowerCase(Locale.ROOT);
            return isFileTrace(src);
        }
    }

    /**
     * The name of the format {@code path} is read as: {@code format} itself (in lower case), or
     * for {@code auto} the detected one.
     *
     * @throws IllegalArgumentException for an unknown format name, suggesting the closest
     * @throws TraceFormatException     if {@code auto} recognises no format
     */
    public static String formatOf(Path path, String format) throws IOException {
        String name = resolve(format);
        return name.equals(AUTO) ? detect(path) : name;
    }

    /**
     * True for the formats that record pages of storage, not of an address space (page numbers
     * and addresses, such as a block trace): {@code vmsim run} replays them as reads of one file
     * through the page cache. Lackey traces record a process's memory references.
     */
    public static boolean isFileTrace(String format) {
        return !format.equals("lackey");
    }

    /** As {@link #open(Path, String, boolean)} over a stream (a resource); {@code auto} is not allowed. */
    public static TraceReader open(InputStream in, String source, String format, boolean includeInstructions)
            throws IOException {
        String name = resolve(format);
        if (name.equals(AUTO)) {
            throw new IllegalArgumentException("trace format 'auto' needs a file; name the format of " + source);
        }
        return FORMATS.get(name).open(in, source, includeInstructions);
    }

    private static String resolve(String format) {
        String name = format.toLowerCase(Locale.ROOT).trim();
        if (name.equals(AUTO) || FORMATS.containsKey(name)) {
            return name;
        }
        List<String> all = new ArrayList<>();
        all.add(AUTO);
        all.addAll(FORMATS.keySet());
        String near = ClosestName.among(name, all).orElse(null);
        throw new IllegalArgumentException("unknown trace format '" + format + "'; expected one of "
                + String.join(", ", all) + (near != null ? " (did you mean '" + near + "'?)" : ""));
    }

    /**
     * Names the format of a trace file from its first non-blank lines.
     *
     * @throws TraceFormatException if no format parses them
     */
    public static String detect(Path path) throws IOException {
        try (InputStream raw = TextTraceReader.openFile(path)) {
            byte[] magic = raw.readNBytes(VmtHeader.MAGIC.length);
            if (java.util.Arrays.equals(magic, VmtHeader.MAGIC)) {
                return "vmt";
            }
        }
        String named = formatInFileName(path);
        if (named != null) {
            return named;
        }
        String viaXz = sniffWithSystemXz(path);
        if (viaXz != null) {
            return viaXz;
        }
        byte[] head;
        try (InputStream raw = new BufferedInputStream(TextTraceReader.openFile(path), 1 << 16);
             Sniffer s = new Sniffer(raw, path.toString())) {
            head = s.lines();
        }
        return detect(head, path.toString());
    }

    /** The format a file's name gives ({@code oraclegeneral} in it, or a {@code .csv} name), else null. */
    private static String formatInFileName(Path path) {
        String file = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = file.replaceFirst("\\.(gz|xz|zst|zstd)$", "");
        if (base.contains("oraclegeneral")) {
            return "oraclegeneral";
        }
        return base.endsWith(".csv") ? "csv" : null;
    }

    /**
     * The decoder {@link XzDecoder#choose()} picks when {@code path} holds xz data, else null
     * (not xz, unreadable, or a forced decoder that cannot work: the caller then goes the way
     * that reports it).
     */
    private static XzDecoder.Kind xzDecoderFor(Path path) {
        try (InputStream raw = new BufferedInputStream(TextTraceReader.openFile(path), 64)) {
            return TextTraceReader.detect(raw) == TextTraceReader.Compression.XZ ? XzDecoder.choose() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The format of an xz file detected from the head that liblzma or the system's {@code xz}
     * decodes (when {@link XzDecoder#choose()} picks one of them): the Java decoder would
     * allocate its whole dictionary (64 MiB for the lackey traces) to decode a few lines. Null
     * when the file is not xz, neither is used, or anything goes wrong: the Java decoder then
     * detects, with its own messages.
     */
    private static String sniffWithSystemXz(Path path) {
        XzDecoder.Kind kind = xzDecoderFor(path);
        try {
            byte[] head;
            if (kind == XzDecoder.Kind.NATIVE) {
                // the decoder that sniffs is kept for the lackey reader that comes next, so that
                // the file is not decoded from its start twice (vmsim run, trace convert and
                // trace stats ask for the format before they open the trace)
                Sniffed sniffed = sniffNative(path);
                if (sniffed == null) {
                    return null; // the usual way reports it
                }
                if (sniffed.lackey() != null) {
                    Prefetch.park(path, sniffed.lackey());
                }
                return sniffed.format();
            } else if (kind == XzDecoder.Kind.XZ) {
                try (XzProcess xz = XzProcess.start(path);
                     Sniffer s = new Sniffer(new BufferedInputStream(xz, 1 << 16), path.toString())) {
                    head = s.lines();
                }
            } else {
                return null;
            }
            return detect(head, path.toString());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * For an xz file that liblzma decodes: detects the format from the first buffer of the
     * decoder that then reads the trace, so that the file is not opened and decoded twice (a
     * second decoder, with its own 64 MiB dictionary, cost 0.1-0.3 s before the first reference).
     * Null when the file is not xz, liblzma is not the decoder, or the content is not a lackey
     * trace: {@link #open(Path, String, boolean)} then goes the usual way, with its messages.
     */
    private static TraceReader openSniffingNativeXz(Path path, boolean includeInstructions) {
        if (!detectsWithLiblzma(path)) {
            return null;
        }
        Sniffed sniffed;
        try {
            sniffed = sniffNative(path);
        } catch (IOException | RuntimeException e) {
            return null; // the usual way reports it
        }
        if (sniffed == null || sniffed.lackey() == null) {
            return null;
        }
        return new PipelinedLackeyReader(sniffed.lackey(), path.toString(), includeInstructions,
                TextTraceReader.Compression.XZ);
    }

    /** The format {@link #sniffNative} detected, and for a lackey trace the decoder that gives its head again (else null). */
    private record Sniffed(String format, ChunkSource lackey) {
    }

    /**
     * Detects {@code path}'s format from the first buffer of its liblzma decoder
     * ({@link #nativeDecoder}). For a lackey trace the decoder is kept to read it, its first
     * buffer given again; otherwise it is closed. Null if the first buffer could not be decoded.
     *
     * @throws TraceFormatException if no format parses the head
     */
    private static Sniffed sniffNative(Path path) throws IOException {
        ChunkSource lzma = nativeDecoder(path);
        try {
            DecodeThread.Chunk first = lzma.next();
            if (first == null || first.error() != null) {
                return null;
            }
            String name;
            try (Sniffer s = new Sniffer(new java.io.ByteArrayInputStream(first.buf(), 0, first.length()),
                    path.toString())) {
                name = detect(s.lines(), path.toString());
            }
            if (!name.equals("lackey")) {
                return new Sniffed(name, null);
            }
            ChunkSource kept = new Replaying(first, lzma);
            lzma = null;
            return new Sniffed(name, kept);
        } finally {
            if (lzma != null) {
                lzma.close();
            }
        }
    }

    /**
     * Starts decoding {@code path} now, on a thread of its own, for the {@link #open} of the same
     * file that comes later in this process: {@code vmsim mrc} calls it first thing, so that
     * liblzma decodes while the JVM loads the command's classes and plugins instead of after
     * (its thread started 0.3-0.45 s earlier where docs/traces.md measured it). Only where
     * {@link #open} would decode with liblzma and detect the format from that decoder (format
     * {@code auto}, an xz file, no format in its name); otherwise, or if anything goes wrong,
     * nothing is started and {@link #open} goes its usual way, with its messages. Until it is
     * opened the decoder fills at most {@value Prefetch#HEAD_START_MIB} MiB of buffers beyond its
     * usual 8 MiB ring; a decoder not opened is closed when the next prefetch starts, or dies
     * with the JVM.
     */
    public static void prefetch(Path path, String format) {
        if (!resolve(format).equals(AUTO) || SyntheticTraceReader.isSpec(path.toString())) {
            return;
        }
        Prefetch.start(path);
    }

    /** The decoder {@link #prefetch} started, handed to the first {@link #open} of its file. */
    static final class Prefetch {
        static final int HEAD_START_MIB = 64;
        private static final java.util.concurrent.atomic.AtomicReference<Prefetch> STARTED =
                new java.util.concurrent.atomic.AtomicReference<>();

        private final Path file;
        private final java.util.concurrent.CompletableFuture<ChunkSource> decoder = new java.util.concurrent.CompletableFuture<>();

        private Prefetch(Path file) {
            this.file = file;
        }

        /**
         * Keeps {@code decoder}, which has decoded {@code path}'s head for detection and gives it
         * again, for the first {@link #take} of that file (a decoder kept before is closed).
         */
        static void park(Path path, ChunkSource decoder) {
            Prefetch p = new Prefetch(path.toAbsolutePath().normalize());
            p.decoder.complete(decoder);
            discard(STARTED.getAndSet(p));
        }

        static void start(Path path) {
            Prefetch p = new Prefetch(path.toAbsolutePath().normalize());
            Thread t = new Thread(() -> {
                ChunkSource d = null;
                try {
                    if (detectsWithLiblzma(path)) {
                        d = XzDecoder.openNative(path, path.toString(), (long) HEAD_START_MIB << 20);
                    }
                } catch (IOException | RuntimeException | LinkageError e) {
                    d = null; // open() goes the usual way and reports it
                }
                p.decoder.complete(d);
            }, "vmsim-prefetch");
            t.setDaemon(true);
            discard(STARTED.getAndSet(p));
            t.start();
        }

        /** The decoder of the last prefetch not yet taken, once started (null if none was): for tests. */
        static ChunkSource startedDecoder() {
            Prefetch p = STARTED.get();
            return p == null ? null : p.decoder.join();
        }

        /** The decoder started for {@code path}, or null; a decoder started for another file is closed. */
        static ChunkSource take(Path path) {
            Prefetch p = STARTED.getAndSet(null);
            if (p == null) {
                return null;
            }
            if (!p.file.equals(path.toAbsolutePath().normalize())) {
                discard(p);
                return null;
            }
            return p.decoder.join();
        }

        private static void discard(Prefetch p) {
            if (p != null) {
                p.decoder.thenAccept(d -> {
                    try {
                        if (d != null) {
                            d.close();
                        }
                    } catch (IOException e) {
                        // a decoder nobody read: nothing to report
                    }
                });
            }
        }
    }

    /**
     * A liblzma decoder of {@code path} from its start: the one {@link #prefetch} started or
     * format detection kept for it, else a new one.
     */
    static ChunkSource nativeDecoder(Path path) throws IOException {
        ChunkSource d = Prefetch.take(path);
        return d != null ? d : XzDecoder.openNative(path, path.toString());
    }

    /**
     * Whether {@code auto} detects {@code path}'s format from the liblzma decoder that goes on to
     * read it: a regular file holding xz data, liblzma the decoder, no format in the file's name.
     */
    private static boolean detectsWithLiblzma(Path path) {
        return Files.isRegularFile(path) && formatInFileName(path) == null && xzDecoderFor(path) == XzDecoder.Kind.NATIVE;
    }

    /** A chunk source that gives {@code first}, already taken from {@code rest}, before the rest. */
    private static final class Replaying implements ChunkSource {
        private DecodeThread.Chunk first;
        private final ChunkSource rest;

        Replaying(DecodeThread.Chunk first, ChunkSource rest) {
            this.first = first;
            this.rest = rest;
        }

        @Override
        public DecodeThread.Chunk next() throws IOException {
            DecodeThread.Chunk c = first;
            if (c != null) {
                first = null;
                return c;
            }
            return rest.next();
        }

        @Override
        public void recycle(byte[] buf) {
            rest.recycle(buf);
        }

        @Override
        public IOException integrityFailure() {
            return rest.integrityFailure();
        }

        @Override
        public void close() throws IOException {
            rest.close();
        }

        @Override
        public String toString() {
            return rest.toString();
        }
    }

    static String detect(byte[] head, String source) throws TraceFormatException {
        List<int[]> lines = new ArrayList<>();
        int s = 0;
        for (int i = 0; i <= head.length && lines.size() < SNIFF_LINES; i++) {
            if (i == head.length || head[i] == '\n') {
                int e = i;
                if (!TextTraceReader.quote(head, s, e).isBlank() && !(e - s >= 2 && head[s] == '=' && head[s + 1] == '=')) {
                    lines.add(new int[] {s, e});
                }
                s = i + 1;
            }
        }
        if (binary(head)) {
            throw new TraceFormatException(source, 0, "cannot detect the trace format: binary data, and not a vmt trace;"
                    + " for libCacheSim's oracleGeneral name it with --format oraclegeneral (or put 'oracleGeneral' in the file name)", null);
        }
        if (lines.isEmpty()) {
            throw new TraceFormatException(source, 0, "cannot detect the trace format: no data lines; name it with one of "
                    + String.join(", ", FORMATS.keySet()), null);
        }
        if (all(lines, l -> LackeyTraceReader.parse(head, l[0], l[1], true) != LackeyTraceReader.BAD)) {
            return "lackey";
        }
        if (all(lines, l -> PageNumberTraceReader.parse(head, l[0], l[1]) != LackeyTraceReader.BAD)) {
            return "pages";
        }
        if (all(lines, l -> AddressTraceReader.parse(head, l[0], l[1]) != LackeyTraceReader.BAD)) {
            return "addresses";
        }
        int[] first = lines.get(0);
        throw new TraceFormatException(source, 0, "cannot detect the trace format from '"
                + TextTraceReader.quote(head, first[0], first[1]) + "'; name it with one of "
                + String.join(", ", FORMATS.keySet()), null);
    }

    private static boolean binary(byte[] head) {
        for (byte c : head) {
            if (c == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean all(List<int[]> lines, java.util.function.Predicate<int[]> p) {
        for (int[] l : lines) {
            if (!p.test(l)) {
                return false;
            }
        }
        return true;
    }

    /** Reads the decompressed head of a file through the base class's decompression. */
    private static final class Sniffer extends TextTraceReader {
        Sniffer(InputStream in, String source) throws IOException {
            super(in, source);
        }

        byte[] lines() throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int kept = 0;
            // Bounded so that a file of one enormous line does not read to its end.
            while (kept < 4 * SNIFF_LINES && out.size() < (1 << 16)) {
                int end = nextLine();
                if (end < 0) {
                    break;
                }
                out.write(buf, lineStart, end - lineStart);
                out.write('\n');
                kept++;
            }
            return out.toByteArray();
        }

        @Override
        public int read(long[] out) {
            throw new UnsupportedOperationException();
        }
    }
}
