package io.vmsim.bench;

import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.SyntheticTraceReader;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@code vmsim mrc}'s engines on a trace already in memory, so reading and
 * parsing are not measured. The score is seconds per pass over the whole trace; divide the
 * references (printed at setup) by it for references per second.
 *
 * <ul>
 *   <li>{@code engine}: one policy x one size replayed by the engine's per-chunk loop over the
 *       whole trace as one chunk of dense ids (what every pair of a study runs).</li>
 *   <li>{@code stream}: the streaming engine over the trace's encoded references (densifying on
 *       the reading thread, replaying in lockstep on a worker), as it reads a binary trace.</li>
 *   <li>{@code stack}: the exact LRU curve at every size in one pass (stack distances).</li>
 * </ul>
 * Shapes: {@code lackey} is {@code -p file=PATH} (default {@code ../shared/traces/python.lackey.xz},
 * 21.7 M references over 1,529 pages) at 100 frames; {@code zipf} is
 * {@code zipf:pages=1300000,alpha=0.99,refs=20000000,seed=42} at 130,000 frames.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
public class MrcThroughputBenchmark {
    @Param({"lackey", "zipf"})
    public String shape;

    @Param({"lru", "clock", "arc"})
    public String policy;

    @Param({"../shared/traces/python.lackey.xz"})
    public String file;

    private PreparsedTrace raw;
    private MrcTrace dense;
    private int frames;
    private PolicyRegistry catalog;
    private EffectiveConfig config;
    private List<MrcStudy.PolicySpec> specs;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (shape.equals("zipf")) {
            raw = PreparsedTrace.load(SyntheticTraceReader.open("zipf:pages=1300000,alpha=0.99,refs=20000000,seed=42"));
            frames = 130_000;
        } else {
            raw = PreparsedTrace.load(Path.of(file), "auto", false);
            frames = 100;
        }
        dense = MrcTrace.of(raw);
        catalog = PolicyRegistry.builtIn();
        config = new ConfigLoader(catalog).load();
        specs = List.of(MrcStudy.PolicySpec.parse(policy));
        System.out.println("\n" + shape + ": " + dense.refs() + " references, " + dense.distinctPages() + " pages, "
                + frames + " frames");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        catalog.close();
    }

    @Benchmark
    public long engine() {
        return MrcStudy.run(dense, specs, new int[] {frames}, catalog, config, 1, Progress.NONE, MrcStudy.Engine.DIRECT)
                .results().get(0).misses();
    }

    @Benchmark
    public long stream() {
        return MrcStudy.stream(raw::reader, "bench", Long.MAX_VALUE, specs, new int[] {frames}, catalog, config, 1,
                Progress.NONE, -1).results().get(0).misses();
    }

    @Benchmark
    public long stack() {
        if (!policy.equals("lru")) {
            return 0; // the one-pass curve is LRU's only
        }
        return MrcStudy.curve(raw::reader, "bench", Long.MAX_VALUE, true, 0, new int[] {frames}, Progress.NONE, -1)
                .outcome().results().get(0).misses();
    }
}
