package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.SimProcess;
import io.vmsim.core.mm.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hot path: references that hit the L1 DTLB. 32 pages are touched round-robin, all resident
 * and within the 64-entry L1 DTLB, so no walk or fault happens after setup. With
 * {@code policy=fifo} no policy is called per reference; with {@code lru} the policy opted in
 * to seeing every access and is called each time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TlbHitBenchmark {
    private static final int PAGES = 32;
    private static final int OPS = 1024;

    @Param({"fifo", "lru"})
    public String policy;

    private Machine machine;
    private Task task;
    private long base;

    @Setup
    public void setup() {
        machine = Machines.create("machine.memory", "64M", "policy.reclaim", policy, "mm.transparent_hugepage.enabled", "never");
        SimProcess p = machine.spawn("bench", List.of(0));
        task = p.threads().get(0);
        base = machine.syscalls().mmapAnon(p.mm(), 0, PAGES * 4096L, "rw", false, 4096);
        for (int i = 0; i < PAGES; i++) {
            machine.access(task, base + i * 4096L, true);
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long tlbHit() {
        Machine m = machine;
        Task t = task;
        long b = base;
        for (int i = 0; i < OPS; i++) {
            m.access(t, b + ((i & (PAGES - 1)) << 12) + ((i >> 5) & 0xff8), (i & 3) == 0);
        }
        return m.refs();
    }
}
