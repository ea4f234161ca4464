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
 * The working-set acceptance, end to end with the real policies and Linux's defaults (kswapd,
 * watermarks, readahead on): in the built-in {@code workingset} scenario (a hot file re-read
 * while a use-once stream larger than memory goes by) every scan-resistant policy keeps the
 * hot set (ARC, LIRS, S3-FIFO, CLOCK-Pro, the two-list LRU, MGLRU and the {@code 2q} example
 * plugin); exact LRU and FIFO lose it every time. Scan resistance depends on the SPI contract:
 * a readahead page is not a use, and the reference that brought a page in is reported once. The hit
 * ratio compared is the warm one: cold misses of the first read are the same for every policy.
 */
final class WorkingsetAcceptanceTest {
    @TempDir
    Path dir;

    private String json;

    private double hotWarmRatio(String policy) throws Exception {
        Path out = dir.resolve(policy + ".json");
        Path plugins = dir.resolve("plugins");
        if (!Files.exists(plugins)) {
            Files.createDirectories(plugins);
            Path jar = PluginJars.example("two-q");
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        int code = Main.execute(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                "run", "--scenario", "workingset", "--plugins", plugins.toString(), "--set", "policy.reclaim=" + policy,
                "--json", out.toString());
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
        // Linux 6.18's lru_gen_refault() counts workingset_activate only for a refault in a page
        // fault (lru_gen_in_fault()); these refaults are read()s
        assertThat(counter("workingset_activate_file")).as("mglru's read() refaults").isZero();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"arc", "lirs", "s3fifo", "clock-pro", "linux-2list", "mglru", "2q"})
    void scanResistantPolicies_keepTheHotSet(String policy) throws Exception {
        assertThat(hotWarmRatio(policy)).as(policy).isGreaterThanOrEqualTo(0.9);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lru", "fifo"})
    void recencyAndArrivalOrder_loseTheHotSet(String policy) throws Exception {
        assertThat(hotWarmRatio(policy)).as(policy).isLessThanOrEqualTo(0.1);
    }

    private long counter(String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }
}
