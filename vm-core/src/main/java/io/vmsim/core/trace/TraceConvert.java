package io.vmsim.core.trace;

import com.github.luben.zstd.ZstdOutputStream;
import io.vmsim.core.error.ClosestName;
import io.vmsim.core.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code vmsim trace convert}: reads a trace in any format {@link TraceFormats} knows, or a
 * generated one ({@code zipf:...}, {@code uniform:...}, {@code seq:...}, see
 * {@link SyntheticTraceReader}), and writes it as {@code vmt}, {@code oraclegeneral} or {@code pages} text. Data references only
 * (lackey's instruction fetches are dropped, as every replay drops them by default).
 */
public final class TraceConvert {
    /** The formats that can be written. */
    public static final List<String> OUTPUTS = List.of("vmt", "oraclegeneral", "pages");

    /**
     * What to convert and how.
     *
     * @param to       output format, or null to take it from the output's name
     * @param format   input format ({@code auto} to detect)
     * @param pageSize page size of page ids written (a power of two; 4096 unless asked)
     * @param unit     for {@code vmt}: "pages", "addresses", or null for addresses when the input
     *                 has byte addresses (lackey, addresses) and pages otherwise
     * @param csv      columns of a csv input
     */
    public record Options(String to, String format, int pageSize, String unit, CsvTraceReader.Columns csv) {
        /** Defaults: format from the name, input detected, 4 KiB pages, unit chosen, libCacheSim's csv columns. */
        public static Options defaults() {
            return new Options(null, TraceFormats.AUTO, 4096, null, CsvTraceReader.Columns.DEFAULT);
        }
    }

    /** What was converted. */
    public record Result(String inFormat, String outFormat, long references, long bytesWritten) {
    }

    private TraceConvert() {
    }

    /**
     * The output format: {@code to} if given (any case), else from {@code out}'s name:
     * {@code .vmt}; a name containing {@code oracleGeneral}; {@code .pages}, {@code .txt}
     * (optionally compressed).
     */
    public static String outputFormat(Path out, String to) {
        if (to != null) {
            String t = to.trim().toLowerCase(Locale.ROOT);
            if (!OUTPUTS.contains(t)) {
                String near = ClosestName.among(t, OUTPUTS).orElse(null);
                throw new IllegalArgumentException("--to: cannot write '" + to + "'; expected one of " + String.join(", ", OUTPUTS)
                        + (near != null ? " (did you mean '" + near + "'?)" : ""));
            }
            return t;
        }
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = name.replaceFirst("\\.(gz|xz|zst|zstd)$", "");
        if (base.endsWith(".vmt")) {
            return "vmt";
        }
        if (base.contains("oraclegeneral")) {
            return "oraclegeneral";
        }
        if (base.endsWith(".pages") || base.endsWith(".txt")) {
            return "pages";
        }
        throw new IllegalArgumentException("cannot tell the output format from the name '" + out.getFileName()
                + "'; end it in .vmt, .oracleGeneral(.bin/.zst) or .pages/.txt, or name the format with --to "
                + String.join("|", OUTPUTS));
    }

    /** Opens {@code in} as {@code format} ({@code csv} with the given columns). */
    public static TraceReader open(Path in, String format, CsvTraceReader.Columns csv) throws IOException {
        String name = TraceFormats.formatOf(in, format);
        if (name.equals("csv") && !csv.equals(CsvTraceReader.Columns.DEFAULT)) {
            return new CsvTraceReader(in, csv);
        }
        return TraceFormats.open(in, name, false);
    }

    /** Converts {@code in} to {@code out}; reports the references done to {@code progress}. */
    public static Result convert(Path in, Path out, Options o, Progress progress) throws IOException {
        if (o.pageSize() <= 0 || Integer.bitCount(o.pageSize()) != 1) {
            throw new IllegalArgumentException("--page-size must be a power of two, got " + o.pageSize());
        }
        String outFormat = outputFormat(out, o.to());
        String spec = in.toString();
        boolean generated = SyntheticTraceReader.isSpec(spec);
        String inFormat;
        long total = -1;
        if (generated) {
            // zipf:..., uniform:..., seq:... as mrc --trace takes them: page ids, no file; the
            // header's source is the generator's kind and the spec itself, enough to generate it again
            SyntheticTraceReader g = SyntheticTraceReader.open(spec); // a malformed spec fails here
            inFormat = spec.substring(0, spec.indexOf(':')).toLowerCase(Locale.ROOT);
            total = g.refs();
        } else {
            inFormat = TraceFormats.formatOf(in, o.format());
            if (Files.exists(out) && Files.isSameFile(in, out)) {
                throw new IllegalArgumentException("the output " + out + " is the input; name another file");
            }
        }
        String sourceFormat = inFormat;
        String sourcePath = spec;
        boolean addresses = inFormat.equals("lackey") || inFormat.equals("addresses");
        if (inFormat.equals("vmt")) {
            try (VmtReader v = new VmtReader(in)) {
                sourceFormat = v.header().sourceFormat();
                sourcePath = v.header().sourcePath();
                total = v.header().references();
                addresses = v.header().unit() == VmtHeader.UNIT_ADDRESSES;
            }
        }
        int unit;
        if (o.unit() == null) {
            unit = addresses ? VmtHeader.UNIT_ADDRESSES : VmtHeader.UNIT_PAGES;
        } else {
            unit = switch (o.unit().trim().toLowerCase(Locale.ROOT)) {
                case "pages" -> VmtHeader.UNIT_PAGES;
                case "addresses" -> VmtHeader.UNIT_ADDRESSES;
                default -> throw new IllegalArgumentException("--unit: expected pages or addresses, got '" + o.unit() + "'");
            };
        }
        String outName = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean zstdAfter = outFormat.equals("oraclegeneral") && (outName.endsWith(".zst") || outName.endsWith(".zstd"));
        if (outFormat.equals("vmt") && outName.matches(".*\\.(gz|xz|zst|zstd)$")) {
            throw new IllegalArgumentException("a vmt file is compressed block by block already; name it without "
                    + outName.substring(outName.lastIndexOf('.')));
        }
        if (outFormat.equals("oraclegeneral") && outName.matches(".*\\.(gz|xz)$")) {
            throw new IllegalArgumentException("oracleGeneral output can be plain or .zst (as libCacheSim reads it), not "
                    + outName.substring(outName.lastIndexOf('.')));
        }
        Path target = zstdAfter ? out.resolveSibling(out.getFileName() + ".plain.tmp") : out;
        long refs;
        boolean finished = false;
        try (TraceReader r = generated ? SyntheticTraceReader.open(spec) : open(in, inFormat, o.csv());
             TraceWriter w = switch (outFormat) {
                 case "vmt" -> new VmtWriter(target, unit, o.pageSize(), sourceFormat, sourcePath);
                 case "oraclegeneral" -> new OracleGeneralWriter(target, o.pageSize());
                 default -> new PageTextWriter(target, o.pageSize());
             }) {
            long[] buf = new long[1 << 16];
            long next = 1 << 22;
            progress.update("converting " + in.getFileName(), 0, total);
            for (int n; (n = r.read(buf)) > 0; ) {
                w.write(buf, n);
                if (w.references() >= next) {
                    next = w.references() + (1 << 22);
                    progress.update("converting " + in.getFileName(), w.references(), total);
                }
            }
            refs = w.references();
            finished = true;
        } finally {
            if (!finished) { // no half-written file that looks whole
                Files.deleteIfExists(target);
            }
        }
        if (zstdAfter) {
            try (InputStream src = Files.newInputStream(target);
                 OutputStream dst = new ZstdOutputStream(Files.newOutputStream(out))) {
                src.transferTo(dst);
            } finally {
                Files.deleteIfExists(target);
            }
        }
        return new Result(inFormat, outFormat, refs, Files.size(out));
    }
}
