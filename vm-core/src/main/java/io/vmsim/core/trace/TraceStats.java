package io.vmsim.core.trace;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Counts of a trace, with the definitions of {@code traces/README.md} and the traces'
 * {@code meta.json}: data references only (instruction fetches are counted apart and touch no
 * page), page = address &gt;&gt; 12, and {@code read_then_written_pages} = pages whose first
 * data reference is a load and that are later stored to or modified. For a replay with ample
 * memory, Linux's expected {@code pgfault} is {@code distinctPages + readThenWrittenPages}
 * (zero-page map, then copy-on-write).
 *
 * @param references           data references (LOAD + STORE + MODIFY)
 * @param loads                LOAD references
 * @param stores               STORE references
 * @param modifies             MODIFY references
 * @param instructions         INSTR references (only if the reader was asked for them)
 * @param distinctPages        distinct 4 KiB pages touched by data references
 * @param readThenWrittenPages pages first loaded and later written
 */
public record TraceStats(long references, long loads, long stores, long modifies, long instructions,
                         long distinctPages, long readThenWrittenPages) {

    private static final int FIRST_READ = 1;
    private static final int FIRST_WRITE = 2;
    private static final int READ_THEN_WRITTEN = 3;

    /** Reads {@code reader} to its end (it is not closed) and counts. */
    public static TraceStats of(TraceReader reader) throws IOException {
        long[] buf = new long[1 << 14];
        long[] byKind = new long[4];
        LongIntHashMap pages = new LongIntHashMap(1 << 12);
        long readThenWritten = 0;
        int n;
        while ((n = reader.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                long ref = buf[i];
                int kind = (int) (ref & 3);
                byKind[kind]++;
                if (kind == TraceReader.INSTR) {
                    continue;
                }
                long page = (ref >>> 2) >>> 12;
                int state = pages.get(page);
                boolean write = kind != TraceReader.LOAD;
                if (state == LongIntHashMap.MISSING) {
                    pages.put(page, write ? FIRST_WRITE : FIRST_READ);
                } else if (state == FIRST_READ && write) {
                    pages.put(page, READ_THEN_WRITTEN);
                    readThenWritten++;
                }
            }
        }
        long refs = byKind[TraceReader.LOAD] + byKind[TraceReader.STORE] + byKind[TraceReader.MODIFY];
        return new TraceStats(refs, byKind[TraceReader.LOAD], byKind[TraceReader.STORE], byKind[TraceReader.MODIFY],
                byKind[TraceReader.INSTR], pages.size(), readThenWritten);
    }

    /** Opens {@code trace} with format detection and counts its data references. */
    public static TraceStats of(Path trace) throws IOException {
        try (TraceReader r = TraceFormats.open(trace, TraceFormats.AUTO, false)) {
            return of(r);
        }
    }

    /**
     * Checks a trace against its {@code NAME.meta.json}: the counts {@code data_references}
     * (or {@code references}), {@code distinct_pages} and {@code read_then_written_pages} it
     * gives. For {@code vmsim trace stats --check}; kept out of unit tests because the real
     * traces live outside the repository.
     *
     * @return one line per mismatch ("distinct_pages: meta.json says 1488, the trace has 1487"),
     *         empty if all agree
     */
    public static List<String> compareWithMeta(Path trace, Path metaJson) throws IOException {
        return compareWithMeta(of(trace), metaJson);
    }

    /** As {@link #compareWithMeta(Path, Path)} with counts already computed. */
    public static List<String> compareWithMeta(TraceStats stats, Path metaJson) throws IOException {
        Map<?, ?> meta;
        // JSON is YAML, and SnakeYAML is already a dependency.
        try (Reader r = Files.newBufferedReader(metaJson, StandardCharsets.UTF_8)) {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (!(o instanceof Map<?, ?> m)) {
                throw new IOException(metaJson + ": expected a JSON object");
            }
            meta = m;
        } catch (RuntimeException e) {
            throw new IOException(metaJson + ": not valid JSON: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        Object refsKey = meta.containsKey("data_references") ? "data_references" : "references";
        check(out, meta, (String) refsKey, stats.references);
        check(out, meta, "distinct_pages", stats.distinctPages);
        check(out, meta, "read_then_written_pages", stats.readThenWrittenPages);
        return out;
    }

    private static void check(List<String> out, Map<?, ?> meta, String key, long actual) {
        Object v = meta.get(key);
        if (!(v instanceof Number n)) {
            out.add(key + ": missing from meta.json");
        } else if (n.longValue() != actual) {
            out.add(key + ": meta.json says " + n.longValue() + ", the trace has " + actual);
        }
    }

    /** Linux's expected page faults for a replay with ample memory. */
    public long expectedPageFaults() {
        return distinctPages + readThenWrittenPages;
    }
}
