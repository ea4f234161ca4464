package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3's working-set acceptance, end to end with the real policies: in the built-in
 * {@code workingset} scenario (a hot file re-read while a use-once stream larger than memory
 * goes by) the two-list LRU and MGLRU keep the hot set; exact LRU loses it every time. The hit
 * ratio compared is the warm one: cold misses of the first read are the same for every policy.
 */
final class WorkingsetAcceptanceTest {
    @TempDir
    Path dir;

    private String json;

    private double hotWarmRatio(String policy) throws Exception {
        Path out = dir.resolve(policy + ".json");
        int code = Main.execute(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                "run", "--scenario", "workingset", "--set", "policy.reclaim=" + policy, "--json", out.toString());
        assertThat(code).isZero();
        json = Files.readString(out);
        Matcher m = Pattern.compile("\\{\"name\": \"hot\",[^}]*\"warm_hit_ratio\": ([0-9.E-]+)").matcher(json);
        assertThat(m.find()).as("hot file in the page-cache table").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void twoListAndMglru_keepTheHotSetAbove90Percent_whereExactLruFallsBelow10() throws Exception {
        assertThat(hotWarmRatio("lru")).isLessThan(0.10);
        assertThat(hotWarmRatio("linux-2list")).isGreaterThan(0.90);
        assertThat(counter("pgactivate")).as("the hot pages were activated").isGreaterThanOrEqualTo(1024);
        assertThat(hotWarmRatio("mglru")).isGreaterThan(0.90);
        assertThat(counter("workingset_refault_file")).isPositive();
        assertThat(counter("workingset_activate_file")).as("mglru's recent refaults").isPositive();
    }

    private long counter(String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }
}
