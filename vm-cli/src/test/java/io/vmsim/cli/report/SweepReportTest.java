package io.vmsim.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sweep report from a {@code results.jsonl} in the format the sweep writes (docs/reports.md):
 * one chart per varied key, each line the mean over repeats of the points that finished.
 */
final class SweepReportTest {
    @TempDir
    Path dir;

    static final String[] POLICIES = {"lru", "linux-2list"};
    static final String[] MEMORY = {"64M", "128M"};

    /** A metric made up so every point differs: policy, memory and repeat each change it. */
    static long majfaults(int policy, int memory, int repeat) {
        return 1000L * (policy + 1) + 100L * (memory + 1) + 7L * repeat;
    }

    /**
     * Writes a results.jsonl: workingset over policy.reclaim x machine.memory x 2 repeats; the point
     * (linux-2list, 128M, repeat 1) failed.
     */
    static Path writeResults(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        int index = 0;
        for (int p = 0; p < POLICIES.length; p++) {
            for (int m = 0; m < MEMORY.length; m++) {
                for (int r = 0; r < 2; r++) {
                    boolean failed = p == 1 && m == 1 && r == 1;
                    lines.add(String.format(Locale.ROOT, "{\"point\": \"%08x\", \"index\": %d, \"workload\": \"scenario:workingset\","
                                    + " \"repeat\": %d, \"seed\": %d, \"vary\": {\"policy.reclaim\": \"%s\", \"machine.memory\": \"%s\"},"
                                    + " \"status\": \"%s\", \"error\": %s, \"metrics\": %s}", 0x1000 + index, index, r, 42 + r,
                            POLICIES[p], MEMORY[m], failed ? "failed" : "ok", failed ? "\"policy <threw> \\\"x\\\"\"" : "null",
                            failed ? "{}" : "{\"pgfault\": " + (5 * majfaults(p, m, r)) + ", \"pgmajfault\": " + majfaults(p, m, r)
                                    + ", \"time_ns\": 1.5e9}"));
                    index++;
                }
            }
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("results.jsonl"), lines);
        return dir;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(String html) {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"vmsim-data\">(.*?)</script>", Pattern.DOTALL)
                .matcher(html);
        assertThat(m.find()).isTrue();
        return (Map<String, Object>) Json.parse(m.group(1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneChartPerVariedKey_eachPointTheMeanOverTheRepeatsThatFinished() throws Exception {
        Path d = writeResults(dir.resolve("sweep"));
        String html = SweepReport.render(d);
        Map<String, Object> data = data(html);
        List<Map<String, Object>> charts = (List<Map<String, Object>>) data.get("charts");
        assertThat(charts).hasSize(2);
        assertThat(SweepReport.chartCount(SweepReport.read(d.resolve("results.jsonl")))).isEqualTo(2);
        assertThat(data.get("defaultMetric")).isEqualTo("pgmajfault");
        Map<String, Object> byPolicy = charts.get(0);
        assertThat(byPolicy.get("title")).isEqualTo("by policy.reclaim");
        assertThat(((Map<String, Object>) byPolicy.get("x")).get("categories")).isEqualTo(List.of("lru", "linux-2list"));
        List<Map<String, Object>> series = (List<Map<String, Object>>) ((Map<String, Object>) byPolicy.get("byMetric")).get("pgmajfault");
        assertThat(series).extracting(s -> s.get("name")).containsExactly("machine.memory=64M", "machine.memory=128M");
        for (int m = 0; m < MEMORY.length; m++) {
            List<Object> ys = (List<Object>) series.get(m).get("data");
            for (int p = 0; p < POLICIES.length; p++) {
                boolean oneFailed = p == 1 && m == 1;
                double expected = oneFailed ? majfaults(p, m, 0) : (majfaults(p, m, 0) + majfaults(p, m, 1)) / 2.0;
                assertThat(((Number) ys.get(p)).doubleValue()).as(POLICIES[p] + " " + MEMORY[m]).isEqualTo(expected);
            }
        }
        Map<String, Object> byMemory = charts.get(1);
        assertThat(((Map<String, Object>) byMemory.get("x")).get("categories")).isEqualTo(List.of("64M", "128M"));
        assertThat((List<Map<String, Object>>) ((Map<String, Object>) byMemory.get("byMetric")).get("time_ns"))
                .extracting(s -> s.get("name")).containsExactly("policy.reclaim=lru", "policy.reclaim=linux-2list");
        // the table: every point, the failed one with its error, escaped
        assertThat(html).contains("<td>policy &lt;threw&gt; &quot;x&quot;</td>").contains("<option value=\"pgfault\">");
        assertThat(html.split("<tr>", -1)).hasSize(1 + 1 + 8);
    }

    @Test
    void theReport_isSelfContained_andDeterministic() throws Exception {
        Path d = writeResults(dir.resolve("sweep"));
        Path a = dir.resolve("a.html");
        Path b = dir.resolve("b.html");
        SweepReport.write(d, a);
        SweepReport.write(d, b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(Files.readString(a)).find()).isFalse();
    }

    @Test
    void aMalformedLine_isNamedWithItsNumber() throws Exception {
        Path d = writeResults(dir.resolve("sweep"));
        Files.writeString(d.resolve("results.jsonl"), "{\"point\": \"a\"}\n{\"point\": \n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> SweepReport.render(d)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("results.jsonl:10:");
        assertThatThrownBy(() -> SweepReport.render(dir.resolve("nothing"))).hasMessageContaining("not a sweep's output folder");
    }

    @Test
    void json_roundTrips() {
        Object v = Json.parse("{\"a\": [1, -2.5e3, true, null, \"x\\\"\\u00e9</\"], \"b\": {}}");
        assertThat(Json.write(v)).isEqualTo("{\"a\":[1,-2500,true,null,\"x\\\"\u00e9\\u003c/\"],\"b\":{}}");
        assertThat(Json.write(Json.parse(Json.write(v)))).isEqualTo(Json.write(v));
    }
    @Test
    void theFirstMetricShown_isOneThatVaries() {
        java.util.function.BiFunction<Double, Double, Map<String, Object>> point = (maj, hit) -> {
            Map<String, Object> p = new java.util.LinkedHashMap<>();
            p.put("status", "ok");
            Map<String, Object> ms = new java.util.LinkedHashMap<>();
            ms.put("allocstall", 7.0);
            ms.put("file.hot.hit_ratio", hit);
            ms.put("pgmajfault", maj);
            p.put("metrics", ms);
            return p;
        };
        List<String> names = List.of("allocstall", "file.hot.hit_ratio", "pgmajfault");
        // pgmajfault is preferred, but every point has 0 of it: the first by name that varies
        assertThat(SweepReport.defaultMetric(List.of(point.apply(0.0, 0.1), point.apply(0.0, 0.9)), names))
                .isEqualTo("file.hot.hit_ratio");
        assertThat(SweepReport.defaultMetric(List.of(point.apply(3.0, 0.1), point.apply(0.0, 0.9)), names))
                .isEqualTo("pgmajfault");
        // nothing varies: the preferred one present
        assertThat(SweepReport.defaultMetric(List.of(point.apply(0.0, 0.5), point.apply(0.0, 0.5)), names))
                .isEqualTo("pgmajfault");
    }
}
