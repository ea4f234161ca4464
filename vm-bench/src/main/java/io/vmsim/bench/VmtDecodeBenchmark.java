package io.vmsim.bench;

import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import io.vmsim.core.trace.VmtHeader;
import io.vmsim.core.trace.VmtReader;
import io.vmsim.core.trace.VmtWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Decoding a {@code .vmt} trace on one thread into the {@code long[]} batches every consumer
 * reads ({@link VmtReader}: memory-mapped file, zstd per block, varint deltas). The score is
 * references per second. The trace is {@value #REFS} references: the source trace's data
 * references repeated (or cut) to that length, written as vmt at setup in the unit asked. The
 * default source is the python lackey prefix bundled in this module; pass
 * {@code -p trace=PATH} for a full trace, e.g. {@code ../shared/traces/python.lackey.xz}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class VmtDecodeBenchmark {
    static final int REFS = 1 << 24;

    @Param({"builtin:python-prefix"})
    public String trace;

    @Param({"addresses", "pages"})
    public String unit;

    private Path file;
    private final long[] batch = new long[1 << 16];

    @Setup(Level.Trial)
    public void write() throws IOException {
        PreparsedTrace src;
        if (trace.startsWith("builtin:")) {
            try (InputStream in = VmtDecodeBenchmark.class.getResourceAsStream("/traces/python-prefix.lackey.xz")) {
                src = PreparsedTrace.load(TraceFormats.open(in, "python-prefix.lackey.xz", "lackey", false));
            }
        } else {
            src = PreparsedTrace.load(Path.of(trace), "auto", false);
        }
        long[] refs = new long[REFS];
        for (int i = 0; i < REFS; i++) {
            refs[i] = src.get(i % src.refs());
        }
        file = Files.createTempFile("vmt-bench", ".vmt");
        int u = unit.equals("pages") ? VmtHeader.UNIT_PAGES : VmtHeader.UNIT_ADDRESSES;
        try (VmtWriter w = new VmtWriter(file, u, 4096, "lackey", trace)) {
            w.write(refs, refs.length);
        }
        System.out.printf("%ntrace %s: %d references as vmt %s, %,d bytes%n", trace, REFS, unit, Files.size(file));
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(REFS)
    public long decode() throws IOException {
        long sum = 0;
        try (TraceReader r = new VmtReader(file)) {
            for (int n; (n = r.read(batch)) > 0; ) {
                for (int i = 0; i < n; i += 64) {
                    sum += batch[i]; // touch the batch without timing a full pass over it
                }
            }
        }
        return sum;
    }
}
