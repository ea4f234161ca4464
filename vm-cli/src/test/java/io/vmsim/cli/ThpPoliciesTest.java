package io.vmsim.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The research THP policy against Linux's on {@code thp-sparse}, end to end with the real
 * policies: far less memory for the same TLB behaviour once khugepaged has promoted the hot array.
 */
final class ThpPoliciesTest {
    private static String runJson(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static long number(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        assertThat(m.find()).as(regex).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void coverage_usesAFractionOfLinuxsMemory_atTheSameHotPhaseTlbCost() {
        String linux = runJson("run", "--scenario", "thp-sparse", "--set", "policy.thp=linux", "--json", "-");
        String coverage = runJson("run", "--scenario", "thp-sparse", "--set", "policy.thp=coverage", "--json", "-");
        long linuxRss = number(linux, "\"AnonPages\": (\\d+)");
        long coverageRss = number(coverage, "\"AnonPages\": (\\d+)");
        assertThat(coverageRss).isLessThan(linuxRss / 4);
        assertThat(number(coverage, "\"thp_collapse_alloc\": (\\d+)")).isEqualTo(32);
        String hot = "\"name\": \"hot reads\", \"time_ns\": (\\d+)";
        assertThat((double) number(coverage, hot)).isLessThanOrEqualTo(number(linux, hot) * 1.05);
    }
}
