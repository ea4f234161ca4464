package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line as a process of its own: SIGINT stops a run at its next safe point with
 * status 130 and the partial figures, and a heap too small for the machine is named.
 */
final class SigintTest {
    @TempDir
    Path dir;

    /** {@code java -cp <the test class path> io.vmsim.cli.Main args...}. */
    private static ProcessBuilder vmsim(List<String> jvm, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.vmsim.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void sigintDuringARun_stopsIt_clearsTheProgressLine_writesThePartialJson_andExits130() throws Exception {
        assumeTrue(File.separatorChar == '/', "POSIX signals");
        Path scenario = Files.writeString(dir.resolve("endless.yaml"), String.join("\n",
                "name: endless", "description: more references than anyone waits for",
                "processes:", "  - name: p", "    vmas:", "      - { name: a, size: 16M }",
                "phases:",
                "  - { name: warm, op: sequential, vma: a, stride: 4096, write: true }",
                "  - { name: forever, op: random, vma: a, count: 1000000000000 }",
                "  - { name: never reached, op: sequential, vma: a }", ""));
        Path json = dir.resolve("out.json");
        // the progress bar (drawn on a terminal after two quiet seconds) says the run is under way
        Process p = vmsim(List.of("-Dvmsim.stderr.tty=true"), "run", "--scenario", scenario.toString(),
                "--set", "machine.memory=64M", "--json", json.toString()).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        InputStream errIn = p.getErrorStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (int c; (c = errIn.read()) != -1; ) {
            err.write(c);
            if (c == '\r') {
                break;
            }
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).as("stderr before the progress bar").isEqualTo("\r");
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
        err.write(errIn.readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGINT").isTrue();

        assertThat(p.exitValue()).isEqualTo(130);
        String stderr = err.toString(StandardCharsets.UTF_8);
        // the bar's last drawing is blanked out: "\r" + spaces + "\r", and nothing follows
        assertThat(stderr).matches("(?s)\r.*\r *\r");
        String summary = out.get(60, TimeUnit.SECONDS);
        assertThat(summary).contains("interrupted  stopped by SIGINT before the end: the figures are partial")
                .contains("forever [interrupted]").doesNotContain("never reached");

        String j = Files.readString(json);
        assertThat(j).startsWith("{\n  \"workload\": \"scenario:endless\",\n  \"interrupted\": true,\n");
        Matcher refs = Pattern.compile("\"name\": \"forever \\[interrupted]\", \"time_ns\": \\d+, \"refs\": (\\d+)").matcher(j);
        assertThat(refs.find()).as(j).isTrue();
        long forever = Long.parseLong(refs.group(1));
        // stopped at a safe point, a multiple of 4096 references into the run (the warm phase made 4096)
        assertThat(forever).isPositive().isLessThan(1_000_000_000_000L);
        assertThat((4096 + forever) % 4096).isZero();
        Matcher total = Pattern.compile("\"refs\": (\\d+),\n  \"reclaim_ran\"").matcher(j);
        assertThat(total.find()).isTrue();
        assertThat(Long.parseLong(total.group(1))).isEqualTo(4096 + forever);
    }

    @Test
    void sigintDuringAnMrcStudy_keepsEveryPairOverTheReferencesReplayed_marksTheJsonInterrupted_andExits130() throws Exception {
        assumeTrue(File.separatorChar == '/', "POSIX signals");
        Path trace = dir.resolve("t.pages");
        try (java.io.BufferedWriter w = Files.newBufferedWriter(trace)) {
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < 1_000_000; i++) {
                w.write(Integer.toString(r.nextInt(5000)));
                w.write('\n');
            }
        }
        StringBuilder frames = new StringBuilder();
        for (int n = 1; n <= 2000; n++) {
            frames.append(n == 1 ? "" : ",").append(n);
        }
        Process p = vmsim(List.of("-Dvmsim.stderr.tty=true"), "mrc", "--trace", trace.toString(), "--policy", "lru",
                "--frames", frames.toString(), "--threads", "1", "--json", "-").start();
        CompletableFuture<String> out = drain(p.getInputStream());
        InputStream errIn = p.getErrorStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (int c; (c = errIn.read()) != -1; ) {
            err.write(c);
            if (c == '\r' && err.toString(StandardCharsets.UTF_8).contains("replaying")) {
                break;
            }
        }
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
        err.write(errIn.readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGINT").isTrue();
        assertThat(p.exitValue()).isEqualTo(130);
        String stderr = err.toString(StandardCharsets.UTF_8);
        // The pairs advance in lockstep: all of them hold the misses of the same prefix of the trace.
        Matcher said = Pattern.compile("interrupted after (\\d+) references").matcher(stderr);
        assertThat(said.find()).as(stderr).isTrue();
        long replayed = Long.parseLong(said.group(1));
        assertThat(replayed).isBetween(1L, 999_999L);
        String j = out.get(60, TimeUnit.SECONDS);
        assertThat(j).contains("\"interrupted\": true").contains("\"refs\": " + replayed + ",");
        Matcher rows = Pattern.compile("\"frames\": (\\d+), \"misses\": (\\d+)").matcher(j);
        int expect = 1;
        long previous = Long.MAX_VALUE;
        while (rows.find()) {
            assertThat(Integer.parseInt(rows.group(1))).isEqualTo(expect++);
            long misses = Long.parseLong(rows.group(2));
            assertThat(misses).isBetween(1L, replayed).isLessThanOrEqualTo(previous); // LRU: more frames, no more misses
            previous = misses;
        }
        assertThat(expect - 1).isEqualTo(2000);
    }

    @Test
    void aMachineLargerThanTheHeap_exits2SayingHowMuchHeapItNeedsAndHowToGiveIt() throws Exception {
        Process p = vmsim(List.of("-Xmx64m"), "run", "--scenario", "sample", "--set", "machine.memory=1T").start();
        CompletableFuture<String> out = drain(p.getInputStream());
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        // untouched: 2^13 sections x 64 bytes + 2^28 / 512 pageblock bytes + 2^28 memcg owner bytes;
        // 64 MiB fixed; the first 2^20 frames touched at 56 bytes: 377 MiB, with a quarter to spare 472 MiB
        long need = (1L << 13) * 64 + (1L << 28) / 512 + (1L << 28) + (64L << 20) + (1L << 20) * 56;
        assertThat(err.lines()).singleElement().asString()
                .startsWith("vmsim: 'machine.memory' = '1T' (in --set): a machine of 268,435,456 frames needs about "
                        + ((need + (1L << 20) - 1) >> 20) + " MiB of Java heap before its workload touches more than 4G, more than the ")
                .contains("VMSIM_JAVA_OPTS=-Xmx" + ((need + need / 4 + (1L << 20) - 1) >> 20) + "m");
        assertThat(out.get(60, TimeUnit.SECONDS)).isEmpty();
    }
}
