package io.vmsim.core.sweep;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of a sweep that need no machine: value lists, seeds, JSON, the heap budget, the output files. */
final class SweepPartsTest {
    private static SweepJob job(Map<String, List<String>> vary, boolean zip) {
        return new SweepJob(List.of(new SweepJob.Workload(false, "sample")), vary, zip, 1, List.of(), null, null, null);
    }

    @Test
    void theProductVariesTheLastKeyFastest() {
        Map<String, List<String>> vary = SweepJob.parseVary(List.of("a=1,2,3", "b=x,y"));
        List<List<String>> c = SweepPlan.combinations(job(vary, false));
        // brute force: nested loops over the lists as given
        List<List<String>> expected = new ArrayList<>();
        for (String a : List.of("1", "2", "3")) {
            for (String b : List.of("x", "y")) {
                expected.add(List.of(a, b));
            }
        }
        assertThat(c).isEqualTo(expected);
    }

    @Test
    void zipPairsTheListsAndRefusesUnequalLengthsNamingThem() {
        assertThat(SweepPlan.combinations(job(SweepJob.parseVary(List.of("a=1,2", "b=x,y")), true)))
                .containsExactly(List.of("1", "x"), List.of("2", "y"));
        assertThatThrownBy(() -> SweepPlan.combinations(job(SweepJob.parseVary(List.of("policy.reclaim=lru,fifo,clock",
                "machine.memory=64M,128M")), true)))
                .hasMessageContaining("policy.reclaim: 3").hasMessageContaining("machine.memory: 2");
    }

    @Test
    void varyKeepsBracketedVariantsWholeAndRefusesEmptyValuesAndRepeatedKeys() {
        assertThat(SweepJob.parseVary(List.of("policy.reclaim=clock,clock[a=1,b=2]")).get("policy.reclaim"))
                .containsExactly("clock", "clock[a=1,b=2]");
        assertThatThrownBy(() -> SweepJob.parseVary(List.of("a=1,,2"))).hasMessageContaining("empty value");
        assertThatThrownBy(() -> SweepJob.parseVary(List.of("a=1", "a=2"))).hasMessageContaining("'a' is given twice");
        assertThatThrownBy(() -> SweepJob.parseVary(List.of("=1"))).hasMessageContaining("expected KEY=V1,V2");
    }

    @Test
    void theDerivedSeedIsTheDocumentedHash() throws Exception {
        Map<String, String> vary = new LinkedHashMap<>();
        vary.put("policy.reclaim", "lru");
        vary.put("machine.memory", "64M");
        byte[] d = MessageDigest.getInstance("SHA-256").digest(
                "workload=scenario:workingset\npolicy.reclaim=lru\nmachine.memory=64M\nrepeat=1\n".getBytes(StandardCharsets.UTF_8));
        long expected = java.nio.ByteBuffer.wrap(d, 0, 8).getLong() & Long.MAX_VALUE;
        assertThat(SweepPlan.derivedSeed("scenario:workingset", vary, 1)).isEqualTo(expected);
        assertThat(SweepPlan.derivedSeed("scenario:workingset", vary, 0)).isNotEqualTo(expected);
    }

    @Test
    void theProgressLineSaysPointsRateAndEta() {
        assertThat(Sweep.status(0, 80, System.nanoTime())).isEqualTo("points 0/80");
        // 10 points in about 20 s: 0.50/s, 70 left, about 140 s
        assertThat(Sweep.status(10, 80, System.nanoTime() - 20_000_000_000L)).matches("points 10/80, 0\\.50/s, ETA 2m(19|20)s");
        assertThat(Sweep.duration(59)).isEqualTo("59s");
        assertThat(Sweep.duration(3 * 3600 + 7 * 60 + 5)).isEqualTo("3h07m");
    }

    @Test
    void jsonReadBackRendersTheSameLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1L);
        m.put("r", 0.07142857142857142);
        m.put("one", 1.0);
        m.put("s", "q\"uo\\te,\n\u0001");
        m.put("l", List.of(1L, "x", Map.of()));
        m.put("n", null);
        m.put("t", true);
        String line = Json.line(m);
        assertThat(line).doesNotContain("\n");
        assertThat(Json.parse(line)).isEqualTo(m);
        assertThat(Json.line(Json.parse(line))).isEqualTo(line);
        assertThatThrownBy(() -> Json.parse("{\"a\": 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPointThatDoesNotFitBesideTheRunningOnesWaits() throws Exception {
        LocalEngine.HeapBudget budget = new LocalEngine.HeapBudget(100);
        budget.acquire(60);
        AtomicBoolean second = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                budget.acquire(60);
                second.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        started.await();
        t.join(300);
        assertThat(second).isFalse(); // 60 + 60 > 100: it waits
        budget.release(60);
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(second).isTrue();
        // one point always runs, however large
        budget.release(60);
        budget.acquire(1000);
        assertThat(budget.used()).isEqualTo(1000);
    }

    @Test
    void resultsAreWrittenInPointOrderAndCsvFieldsQuoted(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SweepOutput out = new SweepOutput(dir);
        out.prepare();
        Map<String, String> v1 = Map.of("policy.reclaim", "lru");
        Map<String, String> v2 = Map.of("policy.reclaim", "opt");
        SweepJob.Workload w = new SweepJob.Workload(false, "sample");
        SweepPoint p0 = new SweepPoint(0, w, 0, 5, v1, "aaa");
        SweepPoint p1 = new SweepPoint(1, w, 0, 6, v2, "bbb");
        Map<String, Object> metrics = new java.util.TreeMap<>(Map.of("pgfault", 3L, "file.hot.hit_ratio", 0.5));
        PointResult r0 = new PointResult(0, "aaa", true, null, metrics, "{}\n");
        PointResult r1 = new PointResult(1, "bbb", false, "policy failed: no, \"never\"", Map.of(), "{\"error\": \"x\"}\n");
        out.write(r1);
        out.write(r0);
        out.writeResults(List.of(p0, p1), List.of(r0, r1), List.of("policy.reclaim"));
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).containsExactly(
                "point,index,workload,repeat,seed,policy.reclaim,status,error,file.hot.hit_ratio,pgfault",
                "aaa,0,scenario:sample,0,5,lru,ok,,0.5,3",
                "bbb,1,scenario:sample,0,6,opt,failed,\"policy failed: no, \"\"never\"\"\",,");
        List<String> jsonl = Files.readAllLines(dir.resolve("results.jsonl"));
        assertThat(jsonl).hasSize(2);
        assertThat(Json.parse(jsonl.get(1))).isEqualTo(Json.parse("{\"point\": \"bbb\", \"index\": 1, \"workload\": \"scenario:sample\","
                + " \"repeat\": 0, \"seed\": 6, \"vary\": {\"policy.reclaim\": \"opt\"}, \"status\": \"failed\","
                + " \"error\": \"policy failed: no, \\\"never\\\"\", \"metrics\": {}}"));
        assertThat(Files.exists(dir.resolve("points/aaa.json"))).isTrue();
        assertThat(Files.exists(dir.resolve("points/bbb.error.json"))).isTrue();
        try (var s = Files.list(dir.resolve("points"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
        // a point read back from its file has the error it was written with
        assertThat(out.finished(p1, false).error()).isEqualTo("x");
    }
}
