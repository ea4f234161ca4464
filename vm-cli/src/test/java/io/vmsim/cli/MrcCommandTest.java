package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vmsim mrc} in-process, with captured streams. */
final class MrcCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path trace() throws IOException {
        Path t = dir.resolve("t.pages");
        Files.writeString(t, "1\n2\n3\n1\n4\n1\n2\n5\n");
        return t;
    }

    @Test
    void jsonToStdout_listsEveryPolicyAndSize_tableGoesToStderr() throws IOException {
        Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru,fifo,opt", "--frames", "2,3", "--json", "-");
        assertThat(o.code()).isEqualTo(0);
        assertThat(o.out()).contains("\"refs\": 8", "\"distinct_pages\": 5", "\"policy\": \"opt\"", "\"frames\": 3");
        assertThat(o.err()).contains("POLICY", "lru");
    }

    @Test
    void unknownPolicy_listsTheAvailableOnes() throws IOException {
        Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lruu", "--frames", "4");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).hasSize(1);
        assertThat(o.err()).contains("lruu", "available", "arc", "s3fifo");
    }

    @Test
    void frameCountThatIsNotAPositiveInteger_isRejectedShowingTheValue() throws IOException {
        for (String bad : new String[] {"0", "-3", "12k", "1.5"}) {
            Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "4," + bad);
            assertThat(o.code()).as(bad).isEqualTo(2);
            assertThat(o.err().strip()).isEqualTo("vmsim: --frames: '" + bad + "' is not a positive integer");
        }
    }

    @Test
    void svgAndHtmlPlots_areWritten_pngIsRefusedClearly() throws IOException {
        Path svg = dir.resolve("c.svg");
        Path html = dir.resolve("c.html");
        assertThat(run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "1,2,4", "--plot",
                svg.toString()).code()).isZero();
        assertThat(Files.readString(svg)).startsWith("<svg");
        assertThat(run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "2", "--plot",
                html.toString()).code()).isZero();
        assertThat(Files.readString(html)).contains("<svg");
        Outcome png = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "2", "--plot",
                dir.resolve("c.png").toString());
        assertThat(png.code()).isEqualTo(2);
        assertThat(png.err()).contains("PNG output is not implemented");
    }

    @Test
    void policySetting_forAnUnknownKey_isAConfigurationError() throws IOException {
        Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "clock", "--frames", "2",
                "--set", "policy.reclaim.clock.insert_refrenced=false");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("insert_referenced");
    }
}
