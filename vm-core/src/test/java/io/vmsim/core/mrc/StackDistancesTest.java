package io.vmsim.core.mrc;

import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.SyntheticTraceReader;
import io.vmsim.core.trace.TraceReader;
import org.junit.jupiter.api.Test;

import java.util.LinkedList;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-pass LRU curve against brute force, and SHARDS against it. */
final class StackDistancesTest {

    /** LRU with {@code c} frames, deliberately naive. */
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

    private static int[] randomIds(long seed, int n, int universe) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[n];
        int hot = 1 + universe / 10;
        for (int i = 0; i < n; i++) {
            out[i] = switch ((i / 50) % 3) {
                case 0 -> r.nextInt(hot);
                case 1 -> r.nextInt(universe);
                default -> (i * 7) % universe;
            };
        }
        return out;
    }

    @Test
    void everySize_equalsNaiveLru_acrossManyCompactions() {
        for (long seed = 1; seed <= 6; seed++) {
            int universe = (int) (seed * 37);
            int[] ids = randomIds(seed, 20_000, universe); // far more references than slots: the tree compacts often
            StackDistances sd = new StackDistances();
            sd.ensureIds(universe);
            for (int id : ids) {
                sd.access(id);
            }
            long[] curve = sd.missCurve(universe + 3);
            for (int c = 1; c <= universe + 3; c++) {
                assertThat(curve[c - 1]).as("seed %d, %d frames", seed, c).isEqualTo(naiveLru(ids, c));
            }
        }
    }

    @Test
    void growsWithTheIds_andCountsColdMissesOnce() {
        StackDistances sd = new StackDistances();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            sd.ensureIds(i + 1);
            sd.access(i);
        }
        for (int i = 0; i < n; i++) {
            assertThat(sd.access(i)).isEqualTo(n); // a loop: n - 1 other pages since the last reference, so distance n
        }
        for (int i = n - 1; i >= n - 5; i--) {
            assertThat(sd.access(i)).isEqualTo(n - i); // backwards: the pages re-touched just now sit above it
        }
        assertThat(sd.cold()).isEqualTo(n);
        assertThat(sd.refs()).isEqualTo(2L * n + 5);
    }

    @Test
    void shardsAtRateOne_isTheExactCurve() {
        int[] ids = randomIds(9, 30_000, 400);
        StackDistances sd = new StackDistances();
        Shards sh = new Shards(1.0);
        sd.ensureIds(400);
        sh.ensureIds(400);
        for (int id : ids) {
            sd.access(id);
            sh.access(id, id * 4096L + 17);
        }
        long[] exact = sd.missCurve(400);
        double[] est = sh.missRatioCurve(400, 0);
        for (int n = 1; n <= 400; n++) {
            assertThat(est[n - 1]).isCloseTo((double) exact[n - 1] / ids.length, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void shardsOnAZipfTrace_isCloseToTheExactCurve_andSamplesAboutTheRate() throws Exception {
        MrcStudy.Curve c = MrcStudy.curve(() -> SyntheticTraceReader.open("zipf:pages=20000,alpha=0.9,refs=400000,seed=7"),
                "zipf", Long.MAX_VALUE, true, 0.1, null, Progress.NONE, -1);
        assertThat(c.sampledRefs()).isBetween(20_000L, 80_000L);
        assertThat(c.meanAbsoluteError()).isLessThan(0.02);
        // independent check of the exact curve at a few sizes
        int[] ids = new int[400_000];
        try (TraceReader r = SyntheticTraceReader.open("zipf:pages=20000,alpha=0.9,refs=400000,seed=7")) {
            long[] buf = new long[ids.length];
            int n = r.read(buf);
            assertThat(n).isEqualTo(ids.length);
            for (int i = 0; i < n; i++) {
                ids[i] = (int) (TraceReader.address(buf[i]) >>> 12);
            }
        }
        MrcStudy.Outcome o = c.outcome();
        for (int frames : new int[] {1, 10, 100, 1000}) {
            MrcStudy.Result r = o.results().get(frames - 1);
            assertThat(r.policy()).isEqualTo("lru");
            assertThat(r.frames()).isEqualTo(frames);
            assertThat(r.misses()).isEqualTo(naiveLruFast(ids, frames));
        }
    }

    @Test
    void theCurveCountedOnASecondThread_isTheCurveOfOneThread_andBruteForceLru() throws Exception {
        String spec = "zipf:pages=30000,alpha=0.8,refs=300000,seed=11";
        int[] ids = new int[300_000];
        try (TraceReader r = SyntheticTraceReader.open(spec)) {
            long[] buf = new long[ids.length];
            assertThat(r.read(buf)).isEqualTo(ids.length);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) (TraceReader.address(buf[i]) >>> 12);
            }
        }
        // small chunks: many hand-overs, and the page table grows while chunks are in flight
        for (int chunk : new int[] {1, 777, 4096}) {
            int limit = chunk == 1 ? 20_000 : Integer.MAX_VALUE;
            MrcStudy.Curve one = StreamStudy.curve(() -> SyntheticTraceReader.open(spec), "z", limit, true, 0.05, null,
                    Progress.NONE, chunk, -1, 1);
            MrcStudy.Curve two = StreamStudy.curve(() -> SyntheticTraceReader.open(spec), "z", limit, true, 0.05, null,
                    Progress.NONE, chunk, -1, 2);
            assertThat(two.outcome().results()).as("chunk %d", chunk).isEqualTo(one.outcome().results());
            assertThat(two.sampledRefs()).isEqualTo(one.sampledRefs());
            assertThat(two.meanAbsoluteError()).isEqualTo(one.meanAbsoluteError());
            int[] prefix = java.util.Arrays.copyOf(ids, (int) Math.min(limit, ids.length));
            for (int frames : new int[] {1, 50, 2000}) {
                assertThat(two.outcome().results().get(frames - 1).misses()).as("chunk %d, %d frames", chunk, frames)
                        .isEqualTo(naiveLruFast(prefix, frames));
            }
        }
    }

    @Test
    void pastTheHandOverPages_theReadingThreadCountsTheHistogram_andTheCurveIsTheSame() throws Exception {
        String spec = "zipf:pages=150000,alpha=0.6,refs=400000,seed=5";
        int[] ids = new int[400_000];
        try (TraceReader r = SyntheticTraceReader.open(spec)) {
            long[] buf = new long[ids.length];
            assertThat(r.read(buf)).isEqualTo(ids.length);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) (TraceReader.address(buf[i]) >>> 12);
            }
        }
        int distinct = (int) java.util.Arrays.stream(ids).distinct().count();
        assertThat(distinct).isGreaterThan(StreamStudy.HAND_OVER_PAGES); // the worker hands the histogram over mid-trace
        for (int chunk : new int[] {777, StreamStudy.CHUNK}) {
            MrcStudy.Curve one = StreamStudy.curve(() -> SyntheticTraceReader.open(spec), "z", Long.MAX_VALUE, true, 0.05,
                    null, Progress.NONE, chunk, -1, 1);
            MrcStudy.Curve two = StreamStudy.curve(() -> SyntheticTraceReader.open(spec), "z", Long.MAX_VALUE, true, 0.05,
                    null, Progress.NONE, chunk, -1, 2);
            assertThat(two.outcome().results()).as("chunk %d", chunk).isEqualTo(one.outcome().results());
            assertThat(two.outcome().distinctPages()).isEqualTo(distinct);
            for (int frames : new int[] {1, 1000, 60_000, distinct}) {
                assertThat(two.outcome().results().get(frames - 1).misses()).as("chunk %d, %d frames", chunk, frames)
                        .isEqualTo(naiveLruFast(ids, frames));
            }
        }
    }

    @Test
    void aReaderThatFails_failsTheTwoThreadCurve_withItsOwnError() {
        StreamStudy.Source failing = () -> new TraceReader() {
            int calls;

            @Override
            public int read(long[] batch) throws java.io.IOException {
                if (++calls > 3) {
                    throw new java.io.IOException("broken trace at block 3");
                }
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = TraceReader.encode((i % 97) * 4096L, TraceReader.LOAD);
                }
                return batch.length;
            }

            @Override
            public String source() {
                return "failing";
            }

            @Override
            public void close() {
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StreamStudy.curve(failing, "f", Long.MAX_VALUE, true, 0,
                        null, Progress.NONE, 1000, -1, 2))
                .hasRootCauseMessage("broken trace at block 3");
    }

    /** LRU by a linked hash map (access order), for the larger trace. */
    private static long naiveLruFast(int[] refs, int c) {
        java.util.LinkedHashMap<Integer, Boolean> m = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Integer, Boolean> e) {
                return size() > c;
            }
        };
        long misses = 0;
        for (int p : refs) {
            if (m.get(p) == null) {
                misses++;
                m.put(p, Boolean.TRUE);
            }
        }
        return misses;
    }

    @Test
    void theStudyFacade_readsAPreparsedTrace() throws Exception {
        long[] refs = new long[1000];
        int[] ids = new int[refs.length];
        for (int i = 0; i < refs.length; i++) {
            ids[i] = (i * i) % 53;
            refs[i] = TraceReader.encode(ids[i] * 4096L, TraceReader.LOAD);
        }
        PreparsedTrace t = PreparsedTrace.of("t", refs);
        MrcStudy.Curve c = MrcStudy.curve(t::reader, "t", Long.MAX_VALUE, true, 0, null, Progress.NONE, -1);
        assertThat(c.outcome().distinctPages()).isEqualTo((int) java.util.Arrays.stream(ids).distinct().count());
        for (MrcStudy.Result r : c.outcome().results()) {
            assertThat(r.misses()).isEqualTo(naiveLru(ids, r.frames()));
        }
    }
}
