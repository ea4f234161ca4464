package io.vmsim.cli;

import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The built-in replacement policies through the {@code vmsim mrc} engine, against independent
 * figures: brute-force LRU, FIFO and Belady written here; the exact ground truth of
 * {@code ../shared/traces/cloudphysics.truth.json}; and libCacheSim's miss ratios in
 * {@code ../shared/reference/cloudphysics.lcs.json}. The traces are vm-core's test resources
 * (this module is the one that sees the policy modules).
 */
final class MrcAcceptanceTest {
    private static final Path TRACES = Path.of("..", "vm-core", "src", "test", "resources", "traces");
    private static PolicyRegistry catalog;

    @BeforeAll
    static void loadCatalog() {
        catalog = PolicyRegistry.builtIn();
    }

    private static MrcTrace trace(String name) throws IOException {
        return MrcTrace.of(PreparsedTrace.load(TRACES.resolve(name), TraceFormats.AUTO, false));
    }

    private static Map<String, Long> study(MrcTrace t, List<String> policies, int[] frames, String... sets) {
        EffectiveConfig cfg = new ConfigLoader(catalog).assignments(List.of(sets)).load();
        MrcStudy.Outcome o = MrcStudy.run(t, policies, frames, catalog, cfg, 2, Progress.NONE);
        Map<String, Long> out = new HashMap<>();
        for (MrcStudy.Result r : o.results()) {
            out.put(r.policy() + "@" + r.frames(), r.misses());
        }
        return out;
    }

    private static int[] pages(String name) throws IOException {
        PreparsedTrace p = PreparsedTrace.load(TRACES.resolve(name), TraceFormats.AUTO, false);
        int[] out = new int[p.refs()];
        Map<Long, Integer> ids = new HashMap<>();
        int n = 0;
        for (int i = 0; i < p.refs(); i++) {
            long ref = p.get(i);
            if (TraceReader.kind(ref) != TraceReader.INSTR) {
                out[n++] = ids.computeIfAbsent(TraceReader.address(ref) >>> 12, k -> ids.size());
            }
        }
        return Arrays.copyOf(out, n);
    }

    // ---- brute force, deliberately naive

    static long naiveLru(int[] refs, int c) {
        LinkedList<Integer> list = new LinkedList<>();
        long misses = 0;
        for (int p : refs) {
            if (list.remove((Integer) p)) {
                list.addFirst(p);
                continue;
            }
            misses++;
            if (list.size() == c) {
                list.removeLast();
            }
            list.addFirst(p);
        }
        return misses;
    }

    static long naiveFifo(int[] refs, int c) {
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        Set<Integer> in = new HashSet<>();
        long misses = 0;
        for (int p : refs) {
            if (in.contains(p)) {
                continue;
            }
            misses++;
            if (queue.size() == c) {
                in.remove(queue.poll());
            }
            queue.add(p);
            in.add(p);
        }
        return misses;
    }

    /** Belady with demand paging, O(n*C): on a miss with memory full scan forward for each resident page. */
    static long naiveOpt(int[] refs, int c) {
        int[] resident = new int[c];
        int used = 0;
        long misses = 0;
        for (int i = 0; i < refs.length; i++) {
            int p = refs[i];
            boolean hit = false;
            for (int k = 0; k < used; k++) {
                if (resident[k] == p) {
                    hit = true;
                    break;
                }
            }
            if (hit) {
                continue;
            }
            misses++;
            if (used < c) {
                resident[used++] = p;
                continue;
            }
            int victim = 0;
            int farthest = -1;
            for (int k = 0; k < used; k++) {
                int next = Integer.MAX_VALUE;
                for (int j = i + 1; j < refs.length; j++) {
                    if (refs[j] == resident[k]) {
                        next = j;
                        break;
                    }
                }
                if (next > farthest) {
                    farthest = next;
                    victim = k;
                }
            }
            resident[victim] = p;
        }
        return misses;
    }

    private static void exactMatchesBruteForce(String name, int[] frames) throws IOException {
        int[] refs = pages(name);
        Map<String, Long> got = study(trace(name), List.of("lru", "fifo", "opt"), frames);
        for (int c : frames) {
            assertThat(got.get("lru@" + c)).as("%s lru %d", name, c).isEqualTo(naiveLru(refs, c));
            assertThat(got.get("fifo@" + c)).as("%s fifo %d", name, c).isEqualTo(naiveFifo(refs, c));
            assertThat(got.get("opt@" + c)).as("%s opt %d", name, c).isEqualTo(naiveOpt(refs, c));
        }
    }

    @Test
    void sortPrefix_lruFifoOpt_equalBruteForce() throws IOException {
        exactMatchesBruteForce("sort-prefix.lackey.xz", new int[] {1, 4, 8, 16, 32, 64, 100});
    }

    @Test
    void pythonPrefix_lruFifoOpt_equalBruteForce() throws IOException {
        exactMatchesBruteForce("python-prefix.lackey.xz", new int[] {1, 2, 4, 8, 16, 27});
    }

    @Test
    void cloudphysicsPrefix_lruFifoOpt_equalBruteForce() throws IOException {
        exactMatchesBruteForce("cloudphysics-prefix.pages.gz", new int[] {10, 100, 1000});
    }

    // From ../shared/traces/cloudphysics.truth.json ("results": frames, lru, opt, fifo).
    private static final int[] CP_FRAMES = {100, 489, 1000, 2448, 4897, 5000, 10000, 12243, 20000, 40000};
    private static final long[] CP_LRU = {100215, 95420, 94823, 93897, 91657, 91527, 79438, 76538, 72053, 48994};
    private static final long[] CP_OPT = {94010, 90263, 87025, 80078, 71620, 71311, 61843, 59600, 51843, 48974};
    private static final long[] CP_FIFO = {101495, 96518, 95520, 94122, 91716, 91581, 79210, 77971, 72229, 49142};

    @Test
    void cloudphysics_lruFifoOpt_equalTheGroundTruth() throws IOException {
        MrcTrace t = trace("cloudphysics.pages.gz");
        assertThat(t.refs()).isEqualTo(113_872);
        assertThat(t.distinctPages()).isEqualTo(48_974);
        Map<String, Long> got = study(t, List.of("lru", "fifo", "opt"), CP_FRAMES);
        for (int i = 0; i < CP_FRAMES.length; i++) {
            assertThat(got.get("lru@" + CP_FRAMES[i])).as("lru %d", CP_FRAMES[i]).isEqualTo(CP_LRU[i]);
            assertThat(got.get("opt@" + CP_FRAMES[i])).as("opt %d", CP_FRAMES[i]).isEqualTo(CP_OPT[i]);
            assertThat(got.get("fifo@" + CP_FRAMES[i])).as("fifo %d", CP_FRAMES[i]).isEqualTo(CP_FIFO[i]);
        }
    }

    // libCacheSim miss ratios from ../shared/reference/cloudphysics.lcs.json, in CP_FRAMES order.
    private static final double[] LCS_CLOCK = {0.8786, 0.8372, 0.8319, 0.8240, 0.8044, 0.8032, 0.7443, 0.6766, 0.6336, 0.4303};
    private static final double[] LCS_ARC = {0.8547, 0.8275, 0.8257, 0.8114, 0.7728, 0.7708, 0.6974, 0.6139, 0.5657, 0.4303};
    private static final double[] LCS_LIRS = {0.8595, 0.8315, 0.8282, 0.8138, 0.7518, 0.7490, 0.6533, 0.6163, 0.5153, 0.4436};
    private static final double[] LCS_S3FIFO = {0.8509, 0.8304, 0.8256, 0.8026, 0.7525, 0.7498, 0.6693, 0.6526, 0.6184, 0.4303};

    private static void withinTwoPercent(Map<String, Long> got, String policy, double[] peer, long refs) {
        for (int i = 0; i < CP_FRAMES.length; i++) {
            double ours = (double) got.get(policy + "@" + CP_FRAMES[i]) / refs;
            assertThat(ours).as("%s with %d frames", policy, CP_FRAMES[i])
                    .isCloseTo(peer[i], within(0.02 * peer[i] + 0.00005));
        }
    }

    @Test
    void cloudphysics_clockArcLirsS3fifo_withPeerSettings_agreeWithLibCacheSim() throws IOException {
        MrcTrace t = trace("cloudphysics.pages.gz");
        // The peer's variants, as ../shared/reference/README.md describes them.
        Map<String, Long> got = study(t, List.of("clock", "arc", "lirs", "s3fifo"), CP_FRAMES,
                "policy.reclaim.clock.insert_referenced=false",
                "policy.reclaim.s3fifo.promote_hits=2", "policy.reclaim.s3fifo.clear_count_on_promotion=true",
                "policy.reclaim.lirs.stack_limit=2");
        withinTwoPercent(got, "clock", LCS_CLOCK, t.refs());
        withinTwoPercent(got, "arc", LCS_ARC, t.refs());
        withinTwoPercent(got, "lirs", LCS_LIRS, t.refs());
        withinTwoPercent(got, "s3fifo", LCS_S3FIFO, t.refs());
    }

    @Test
    void cloudphysics_paperDefaults_differFromThePeerWhereTheVariantsDiffer() throws IOException {
        MrcTrace t = trace("cloudphysics.pages.gz");
        int[] frames = {4897};
        Map<String, Long> paper = study(t, List.of("clock", "s3fifo", "lirs"), frames);
        Map<String, Long> peer = study(t, List.of("clock", "s3fifo", "lirs"), frames,
                "policy.reclaim.clock.insert_referenced=false", "policy.reclaim.s3fifo.promote_hits=2",
                "policy.reclaim.s3fifo.clear_count_on_promotion=true",
                "policy.reclaim.lirs.stack_limit=2");
        for (String p : List.of("clock", "s3fifo", "lirs")) {
            assertThat(paper.get(p + "@4897")).as(p).isNotEqualTo(peer.get(p + "@4897"));
        }
    }

    // ---- the streaming engine and the one-pass curve

    @Test
    void cloudphysics_streamingEngine_lruFifoOpt_equalTheGroundTruth() {
        Path file = TRACES.resolve("cloudphysics.pages.gz");
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        MrcStudy.Outcome o = MrcStudy.stream(() -> TraceFormats.open(file, TraceFormats.AUTO, false), file.toString(),
                Long.MAX_VALUE, List.of("lru", "fifo", "opt").stream().map(MrcStudy.PolicySpec::parse).toList(),
                CP_FRAMES, catalog, cfg, 2, Progress.NONE, -1);
        assertThat(o.refs()).isEqualTo(113_872);
        assertThat(o.distinctPages()).isEqualTo(48_974);
        Map<String, Long> got = new HashMap<>();
        o.results().forEach(r -> got.put(r.policy() + "@" + r.frames(), r.misses()));
        for (int i = 0; i < CP_FRAMES.length; i++) {
            assertThat(got.get("lru@" + CP_FRAMES[i])).as("lru %d", CP_FRAMES[i]).isEqualTo(CP_LRU[i]);
            assertThat(got.get("opt@" + CP_FRAMES[i])).as("opt %d", CP_FRAMES[i]).isEqualTo(CP_OPT[i]);
            assertThat(got.get("fifo@" + CP_FRAMES[i])).as("fifo %d", CP_FRAMES[i]).isEqualTo(CP_FIFO[i]);
        }
    }

    @Test
    void cloudphysics_onePassLruCurve_equalsTheGroundTruth() {
        Path file = TRACES.resolve("cloudphysics.pages.gz");
        MrcStudy.Curve c = MrcStudy.curve(() -> TraceFormats.open(file, TraceFormats.AUTO, false), file.toString(),
                Long.MAX_VALUE, true, 0, null, Progress.NONE, -1);
        List<MrcStudy.Result> all = c.outcome().results();
        assertThat(all).hasSize(48_974);
        for (int i = 0; i < CP_FRAMES.length; i++) {
            MrcStudy.Result r = all.get(CP_FRAMES[i] - 1);
            assertThat(r.frames()).isEqualTo(CP_FRAMES[i]);
            assertThat(r.misses()).as("lru %d", CP_FRAMES[i]).isEqualTo(CP_LRU[i]);
        }
    }

    @Test
    void sortPrefix_onePassLruCurve_equalsThePerSizeRuns_atEverySize() throws IOException {
        Path file = TRACES.resolve("sort-prefix.lackey.xz");
        MrcTrace t = trace("sort-prefix.lackey.xz");
        int[] every = new int[t.distinctPages()];
        for (int i = 0; i < every.length; i++) {
            every[i] = i + 1;
        }
        Map<String, Long> perSize = study(t, List.of("lru"), every);
        MrcStudy.Curve c = MrcStudy.curve(() -> TraceFormats.open(file, TraceFormats.AUTO, false), file.toString(),
                Long.MAX_VALUE, true, 0, null, Progress.NONE, -1);
        assertThat(c.outcome().results()).hasSize(every.length);
        for (MrcStudy.Result r : c.outcome().results()) {
            assertThat(r.misses()).as("lru %d", r.frames()).isEqualTo(perSize.get("lru@" + r.frames()));
        }
    }
}
