package io.vmsim.core.mrc;

import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.FakeProvider;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page ids are an opt-in of the study ({@code OfflineStudy.Study#numbersPages()}): every
 * built-in reclaim policy counts the same misses whether the per-size engine offers them or
 * withholds them (as the {@code --machine} engine does), at any size, on traces mixing hot pages,
 * random references and scans, with pages that return after long absences (ARC keeps its ghost
 * lists by id when offered, by page key otherwise). Page words
 * ({@code OfflineStudy.Study#keepsPageWords()}) likewise: every policy counts the same misses
 * with ids and words, with ids but no words, and with neither (ARC keeps its ghost entries in
 * the words when offered).
 */
final class PageIdsProperties {
    private static PolicyRegistry found;
    private static PolicyRegistry catalog;
    private static List<PolicyProvider> reclaim;
    private static MrcStudy.Resolved resolved;

    @BeforeContainer
    static void load() {
        // the policy modules on vm-core's test class path, plus stand-ins for the default THP and
        // KSM policies (policies-thp and policies-ksm are not), so that the default config loads
        List<PolicyRegistry.Registration> regs = new ArrayList<>();
        List<PolicyProvider> ps = new ArrayList<>();
        List<MrcStudy.PolicySpec> specs = new ArrayList<>();
        found = PolicyRegistry.load(null);
        for (PolicyProvider p : found.all()) {
            regs.add(new PolicyRegistry.Registration(p, "built-in"));
            if (p.kind() == PolicyKind.RECLAIM) {
                ps.add(p);
                specs.add(MrcStudy.PolicySpec.parse(p.name()));
            }
        }
        regs.add(new PolicyRegistry.Registration(new FakeProvider("linux", PolicyKind.THP, List.of()), "built-in"));
        regs.add(new PolicyRegistry.Registration(new FakeProvider("none", PolicyKind.KSM, List.of()), "built-in"));
        catalog = PolicyRegistry.of(regs);
        reclaim = List.copyOf(ps);
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        resolved = MrcStudy.resolve(specs, catalog, cfg);
    }

    @AfterContainer
    static void close() throws java.io.IOException {
        catalog.close();
        found.close();
    }

    @Property(tries = 40)
    void everyReclaimPolicy_countsTheSameMisses_withAndWithoutPageIds(
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 1, max = 64) int frames,
            @ForAll @IntRange(min = 1, max = 4000) int length) {
        assertThat(reclaim).extracting(PolicyProvider::name).contains("arc", "lru", "clock", "lirs", "s3fifo", "opt");
        MrcTrace trace = MrcTrace.of(PreparsedTrace.of("random-" + seed, refs(seed, length, frames)));
        for (int i = 0; i < reclaim.size(); i++) {
            PolicyProvider p = reclaim.get(i);
            long with = misses(p, resolved.settings().get(i), trace, frames, resolved.seed(), true, true);
            long idsOnly = misses(p, resolved.settings().get(i), trace, frames, resolved.seed(), true, false);
            long without = misses(p, resolved.settings().get(i), trace, frames, resolved.seed(), false, false);
            assertThat(with).as("%s at %d frames, %d references", p.name(), frames, length).isEqualTo(without);
            assertThat(idsOnly).as("%s at %d frames, %d references, ids without words", p.name(), frames, length)
                    .isEqualTo(without);
        }
    }

    private static long misses(PolicyProvider p, io.vmsim.api.config.Settings s, MrcTrace trace, int n, long seed,
                               boolean ids, boolean words) {
        MrcStudy.Pair pair = MrcStudy.newPair(p, "built-in", s, n, seed, ids, words);
        long misses = pair.replay(() -> pair.run.run(pair.policy, trace));
        pair.finish();
        return misses;
    }

    /** Hot pages, uniform references over a universe a few times the frames, and scans past it. */
    private static long[] refs(long seed, int n, int frames) {
        SplittableRandom r = new SplittableRandom(seed);
        int universe = frames + 1 + r.nextInt(6 * frames + 8);
        int hot = 1 + r.nextInt(Math.max(1, frames));
        long[] refs = new long[n];
        int scan = 0;
        int phaseLength = 1 + r.nextInt(60);
        for (int i = 0; i < n; i++) {
            long page = switch ((i / phaseLength) % 3) {
                case 0 -> r.nextInt(hot);
                case 1 -> r.nextInt(universe);
                default -> hot + (scan++ % (universe + 3));
            };
            refs[i] = TraceReader.encode((page * 7919 + 16) << 12, TraceReader.LOAD);
        }
        return refs;
    }
}
