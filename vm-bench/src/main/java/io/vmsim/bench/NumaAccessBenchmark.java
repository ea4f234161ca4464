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
 * What the per-node accounting costs the reference path (issue 10): the references of
 * {@link TlbHitBenchmark} (32 resident pages, L1 DTLB hits) on a machine of one node and of
 * two, where the pages were first touched by CPU 0 (node 0) and the references come from CPU 1,
 * on node 1 when there are two nodes: every reference is remote and counted so.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NumaAccessBenchmark {
    private static final int PAGES = 32;
    private static final int OPS = 1024;

    @Param({"1", "2"})
    public String nodes;

    private Machine machine;
    private Task task;
    private long base;

    @Setup
    public void setup() {
        machine = Machines.create("machine.memory", "64M", "machine.nodes", nodes, "machine.cpus", "2",
                "policy.reclaim", "fifo", "mm.transparent_hugepage.enabled", "never");
        SimProcess p = machine.spawn("bench", List.of(0, 1));
        base = machine.syscalls().mmapAnon(p.mm(), 0, PAGES * 4096L, "rw", false, 4096);
        for (int i = 0; i < PAGES; i++) {
            machine.access(p.threads().get(0), base + i * 4096L, true);
        }
        task = p.threads().get(1);
        for (int i = 0; i < PAGES; i++) {
            machine.access(task, base + i * 4096L, false);
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long access() {
        Machine m = machine;
        Task t = task;
        long b = base;
        for (int i = 0; i < OPS; i++) {
            m.access(t, b + ((i & (PAGES - 1)) << 12) + ((i >> 5) & 0xff8), (i & 3) == 0);
        }
        return m.refs();
    }
}
