package io.vmsim.cli;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming engine of {@code vmsim mrc} (one pass, every pair in lockstep over chunks, opt's
 * future from a backward pass over a temporary file) counts exactly the misses of the engine that
 * holds the trace in memory, for every built-in reclaim policy, at several frame counts (one above
 * the distinct pages, which both cap), for any chunk size and number of worker threads, with and
 * without {@code --limit}.
 */
final class StreamingEngineProperties {
    private static PolicyRegistry catalog;
    private static List<MrcStudy.PolicySpec> policies;

    @BeforeContainer
    static void load() {
        catalog = PolicyRegistry.load(null);
        List<MrcStudy.PolicySpec> specs = new ArrayList<>();
        for (PolicyProvider p : catalog.all()) {
            if (p.kind() == PolicyKind.RECLAIM) {
                specs.add(MrcStudy.PolicySpec.parse(p.name()));
            }
        }
        specs.add(MrcStudy.PolicySpec.parse("clock[insert_referenced=false]"));
        policies = List.copyOf(specs);
    }

    @AfterContainer
    static void close() throws java.io.IOException {
        catalog.close();
    }

    /** Random references (with writes and instruction fetches, which both engines drop) mixing reuse distances. */
    static long[] refs(long seed, int n, int frames) {
        SplittableRandom r = new SplittableRandom(seed);
        int universe = frames + 1 + r.nextInt(4 * frames + 8);
        int hot = 1 + r.nextInt(Math.max(1, frames));
        long[] refs = new long[n];
        int scan = 0;
        for (int i = 0; i < n; i++) {
            int phase = (i / 23) % 3;
            long page = switch (phase) {
                case 0 -> r.nextInt(hot);
                case 1 -> r.nextInt(universe);
                default -> hot + (scan++ % (universe + 3));
            };
            int kind = switch (r.nextInt(8)) {
                case 0 -> TraceReader.STORE;
                case 1 -> TraceReader.INSTR;
                case 2 -> TraceReader.MODIFY;
                default -> TraceReader.LOAD;
            };
            refs[i] = TraceReader.encode(((page * 7919) + 16) << 12 | (i & 0xfff), kind);
        }
        return refs;
    }

    @Property(tries = 60)
    void streamingMissesEqualInMemoryMisses(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed,
                                            @ForAll @IntRange(min = 1, max = 48) int frames,
                                            @ForAll @IntRange(min = 1, max = 2500) int length,
                                            @ForAll @IntRange(min = 1, max = 700) int chunk,
                                            @ForAll @IntRange(min = 1, max = 3) int threads,
                                            @ForAll boolean limited) {
        PreparsedTrace raw = PreparsedTrace.of("random-" + seed, refs(seed, length, frames));
        long limit = limited ? 1 + length / 2 : Long.MAX_VALUE;
        MrcTrace whole = MrcTrace.of(raw, limit);
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        int[] asked = {frames, 2 * frames + 1, 1, 100_000};
        LinkedHashSet<Integer> capped = new LinkedHashSet<>();
        for (int n : asked) {
            capped.add(Math.max(1, Math.min(n, whole.distinctPages())));
        }
        int[] sizes = capped.stream().mapToInt(Integer::intValue).toArray();
        MrcStudy.Outcome memory = MrcStudy.run(whole, policies, sizes, catalog, cfg, 2, Progress.NONE,
                MrcStudy.Engine.DIRECT);
        MrcStudy.Outcome stream = MrcStudy.stream(raw::reader, raw.source(), limit, policies, asked, catalog, cfg,
                threads, Progress.NONE, -1, chunk);
        assertThat(stream.refs()).isEqualTo(whole.refs());
        assertThat(stream.distinctPages()).isEqualTo(whole.distinctPages());
        assertThat(stream.results()).hasSize(memory.results().size());
        for (int i = 0; i < memory.results().size(); i++) {
            MrcStudy.Result m = memory.results().get(i);
            MrcStudy.Result s = stream.results().get(i);
            assertThat(s.policy()).isEqualTo(m.policy());
            assertThat(s.frames()).isEqualTo(m.frames());
            assertThat(s.misses()).as("%s with %d frames, %d refs, chunks of %d, %d threads: streaming vs in memory",
                    m.policy(), m.frames(), whole.refs(), chunk, threads).isEqualTo(m.misses());
        }
        assertThat(stream.capped()).extracting(MrcStudy.FramesCap::asked).contains(100_000L);
        assertThat(stream.results()).extracting(MrcStudy.Result::policy).contains("arc", "lirs", "s3fifo",
                "clock", "clock-pro", "linux-2list", "mglru", "lru", "fifo", "opt");
    }

    @Property(tries = 5)
    void aFrameCountAboveTheLargeBound_isCappedBeforeTheRuns_andAgrees(
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed) {
        PreparsedTrace raw = PreparsedTrace.of("random-" + seed, refs(seed, 3000, 20));
        MrcTrace whole = MrcTrace.of(raw);
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        MrcStudy.Outcome memory = MrcStudy.run(whole, policies, new int[] {20, whole.distinctPages()}, catalog, cfg, 2,
                Progress.NONE, MrcStudy.Engine.DIRECT);
        MrcStudy.Outcome stream = MrcStudy.stream(raw::reader, raw.source(), Long.MAX_VALUE, policies,
                new int[] {20, 1_000_000_000}, catalog, cfg, 2, Progress.NONE, -1, 512);
        assertThat(stream.results()).isEqualTo(memory.results());
        assertThat(stream.capped()).containsExactly(new MrcStudy.FramesCap(1_000_000_000, whole.distinctPages()));
    }
}
