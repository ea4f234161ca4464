package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 8's acceptance: a plugin that bundles Jackson data binding in its folder and uses the
 * JDK's XML parser loads from a fresh plugin folder and runs for more than a million policy
 * calls, on the running JDK and on the newest JDK installed under {@code /usr/lib/jvm}.
 *
 * <p>The plugin ({@code plugins-examples/jackson-fixture}) sees every access and, every
 * {@code every} accesses, reads its JSON rules with Jackson and its XML report element with
 * JAXP, then counts the rules' event {@code count} times; it throws if a call does not run with
 * its own context class loader. Every reference of the trace below is a store to a resident,
 * evictable anonymous page, so the plugin is called once per reference: the count it reports is
 * known from the trace alone.
 */
final class BundledLibraryPluginTest {
    /** References in the trace, each one call of ReclaimPolicy.pageAccessed. */
    private static final int REFS = 1 << 20;
    private static final int PAGES = 4096;
    private static final int EVERY = 250;
    private static final int COUNT = 3;
    /**
     * Reports made over the run, each counting {@link #COUNT} events: the fixture reports every
     * {@link #EVERY} hits ({@code pageAccessed}); the first reference to each page is a miss,
     * reported once by {@code pageAdded} (one reference, one report).
     */
    private static final long EXPECTED = (long) ((REFS - PAGES) / EVERY) * COUNT;

    @TempDir
    Path dir;

    /** The plugin's folder as its build lays it out, copied into a fresh plugin folder. */
    private Path plugins() throws IOException {
        Path built = Path.of(System.getProperty("vmsim.examples.dir", "../plugins-examples"))
                .resolve("jackson-fixture/target/plugin/jackson-fixture");
        assertThat(built).as("the jackson-fixture plugin folder (build plugins-examples/jackson-fixture first)").isDirectory();
        Path plugin = Files.createDirectories(dir.resolve("plugins/jackson-fixture"));
        try (Stream<Path> s = Files.list(built)) {
            for (Path f : s.toList()) {
                Files.copy(f, plugin.resolve(f.getFileName()));
            }
        }
        try (Stream<Path> s = Files.list(plugin)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("plugin-jackson-fixture-"))
                    .anyMatch(n -> n.startsWith("jackson-databind-"));
        }
        return plugin.getParent();
    }

    /** A lackey trace of {@link #REFS} stores cycling over {@link #PAGES} pages above the first 64 KiB. */
    private Path trace() throws IOException {
        Path t = dir.resolve("stores.lackey");
        try (BufferedWriter w = Files.newBufferedWriter(t, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < REFS; i++) {
                w.write(" S " + Long.toHexString((16L + i % PAGES) << 12) + ",8\n");
            }
        }
        return t;
    }

    private List<String> args(Path plugins, Path trace) {
        return List.of("run", "--plugins", plugins.toString(), "--trace", trace.toString(),
                "--set", "policy.reclaim=jackson-fixture",
                "--set", "policy.reclaim.jackson-fixture.rules={\"every\": " + EVERY + ", \"event\": \"pgdeactivate\"}",
                "--set", "policy.reclaim.jackson-fixture.report=<report count=\"" + COUNT + "\"/>",
                // with swap, anonymous pages are evictable, so they are on the LRU and every access reaches the policy
                "--set", "swap.size=64M",
                "--json", "-");
    }

    private static long counter(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aPluginBundlingJackson_runsAMillionCalls_onTheRunningJdk() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args(plugins(), trace()).toArray(String[]::new));
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(counter(json, "refs")).isEqualTo(REFS);
        assertThat(counter(json, "pgfault")).as("one fault per page, then hits").isEqualTo(PAGES);
        assertThat(counter(json, "pgdeactivate")).isEqualTo(EXPECTED);
    }

    @Test
    void aPluginBundlingJackson_runsAMillionCalls_onTheNewestJdkInstalled() throws Exception {
        int running = Runtime.version().feature();
        Optional<Jdk> newest = newestJdk(Path.of("/usr/lib/jvm"));
        assumeTrue(newest.isPresent() && newest.get().feature() > running,
                "no JDK newer than the running " + running + " under /usr/lib/jvm" + newest.map(j -> " (newest: " + j + ")").orElse(""));
        Jdk jdk = newest.get();
        List<String> command = new ArrayList<>(List.of(jdk.home().resolve("bin/java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args(plugins(), trace()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile())
                .redirectOutput(dir.resolve("stdout.json").toFile());
        pb.environment().put("JAVA_HOME", jdk.home().toString());
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished within 5 minutes").isTrue();
        String json = Files.readString(dir.resolve("stdout.json"));
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
        assertThat(counter(json, "refs")).isEqualTo(REFS);
        assertThat(counter(json, "pgdeactivate")).isEqualTo(EXPECTED);
    }

    /** An installed JDK: its folder and the feature release its {@code release} file states. */
    record Jdk(Path home, int feature) {
    }

    /** The installed JDK with the highest feature release: a folder with {@code bin/java} and a {@code release} file. */
    static Optional<Jdk> newestJdk(Path jvms) throws IOException {
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        Pattern version = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");
        List<Jdk> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(jvms)) {
            for (Path home : s.toList()) {
                Path release = home.resolve("release");
                if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))) {
                    Matcher m = version.matcher(Files.readString(release));
                    if (m.find()) {
                        found.add(new Jdk(home, Integer.parseInt(m.group(1))));
                    }
                }
            }
        }
        return found.stream().max(Comparator.comparingInt(Jdk::feature));
    }
}
