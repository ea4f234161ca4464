package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.TraceReplay;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceFormats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A whole replay of a pre-parsed trace on a fresh machine (faults, walks, TLB misses and all),
 * so reading and decompressing the trace are not measured. The score is replays per second;
 * multiply by the trace's references (printed at setup) for references per second. The
 * default trace is a 50,000-line prefix of the python lackey trace bundled in this module; pass
 * {@code -p trace=PATH} for a full trace, e.g. {@code ../shared/traces/sort.lackey.xz}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx8g")
public class ReplayBenchmark {
    @Param({"builtin:python-prefix"})
    public String trace;

    @Param({"fifo"})
    public String policy;

    private PreparsedTrace refs;
    private long[] all;
    private TraceReplay replay;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (trace.startsWith("builtin:")) {
            try (InputStream in = ReplayBenchmark.class.getResourceAsStream("/traces/python-prefix.lackey.xz")) {
                refs = PreparsedTrace.load(TraceFormats.open(in, "python-prefix.lackey.xz", "lackey", false));
            }
        } else {
            refs = PreparsedTrace.load(Path.of(trace), "auto", false);
        }
        all = refs.toArray();
        System.out.println("\ntrace " + trace + ": " + refs.refs() + " references");
    }

    @Setup(Level.Invocation)
    public void freshMachine() {
        Machine m = Machines.create("machine.memory", "1G", "policy.reclaim", policy, "mm.transparent_hugepage.enabled", "never");
        replay = new TraceReplay(m);
    }

    @Benchmark
    public long replay() {
        replay.replay(all, all.length);
        return replay.machine().refs();
    }
}
