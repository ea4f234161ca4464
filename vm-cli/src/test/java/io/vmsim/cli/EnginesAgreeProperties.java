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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One policy, one behaviour: every built-in reclaim policy and the {@code 2q} example plugin
 * count exactly the same misses on the same references whether {@code vmsim mrc} replays them
 * on N bare frames (the direct engine) or through the full simulated machine, as read()s of a
 * file in a memory cgroup of N pages ({@code --machine}). The traces are random mixtures of
 * short and long reuse distances: a hot loop, uniform picks over a larger set, and sequential
 * scans, over 1 to 64 frames.
 */
final class EnginesAgreeProperties {
    private static Path pluginDir;
    private static PolicyRegistry catalog;
    private static List<MrcStudy.PolicySpec> policies;

    @BeforeContainer
    static void load() throws IOException {
        pluginDir = Files.createTempDirectory("engines-agree");
        Path jar = PluginJars.example("two-q");
        Files.copy(jar, pluginDir.resolve(jar.getFileName()));
        catalog = PolicyRegistry.load(pluginDir);
        List<MrcStudy.PolicySpec> specs = new ArrayList<>();
        for (PolicyProvider p : catalog.all()) {
            if (p.kind() == PolicyKind.RECLAIM) {
                specs.add(MrcStudy.PolicySpec.parse(p.name()));
            }
        }
        policies = List.copyOf(specs);
    }

    @AfterContainer
    static void close() throws IOException {
        catalog.close();
        try (var s = Files.walk(pluginDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A trace of {@code n} references mixing reuse distances, from {@code seed}. */
    static MrcTrace trace(long seed, int n, int frames) {
        SplittableRandom r = new SplittableRandom(seed);
        int universe = frames + 1 + r.nextInt(4 * frames + 8);
        int hot = 1 + r.nextInt(Math.max(1, frames));
        long[] refs = new long[n];
        int scan = 0;
        for (int i = 0; i < n; ) {
            int phase = r.nextInt(3);
            int len = 1 + r.nextInt(40);
            for (int k = 0; k < len && i < n; k++, i++) {
                long page = switch (phase) {
                    case 0 -> r.nextInt(hot);                       // short reuse distances
                    case 1 -> r.nextInt(universe);                  // anything
                    default -> hot + (scan++ % (universe + 3));     // a scan: long reuse distances
                };
                int kind = r.nextInt(4) == 0 ? TraceReader.STORE : TraceReader.LOAD;
                refs[i] = TraceReader.encode((page + 16) << 12, kind);
            }
        }
        return MrcTrace.of(PreparsedTrace.of("random-" + seed, refs));
    }

    @Property(tries = 200)
    void machineMissesEqualDirectMisses(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed,
                                        @ForAll @IntRange(min = 1, max = 64) int frames,
                                        @ForAll @IntRange(min = 1, max = 3000) int length) {
        MrcTrace t = trace(seed, length, frames);
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        int[] sizes = {frames};
        MrcStudy.Outcome direct = MrcStudy.run(t, policies, sizes, catalog, cfg, 2, Progress.NONE, MrcStudy.Engine.DIRECT);
        MrcStudy.Outcome machine = MrcStudy.run(t, policies, sizes, catalog, cfg, 2, Progress.NONE, MrcStudy.Engine.MACHINE);
        for (int i = 0; i < direct.results().size(); i++) {
            MrcStudy.Result d = direct.results().get(i);
            MrcStudy.Result m = machine.results().get(i);
            assertThat(m.policy()).isEqualTo(d.policy());
            assertThat(m.misses()).as("%s with %d frames on %s (%d refs, %d pages): --machine vs direct",
                    d.policy(), frames, t.source(), t.refs(), t.distinctPages()).isEqualTo(d.misses());
        }
        assertThat(direct.results()).extracting(MrcStudy.Result::policy).contains("2q", "arc", "lirs", "s3fifo",
                "clock", "clock-pro", "linux-2list", "mglru", "lru", "fifo", "opt");
    }
}
