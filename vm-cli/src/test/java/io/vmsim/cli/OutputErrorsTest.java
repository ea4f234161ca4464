package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --json paths are checked before a run; output that cannot be written is a failure, not success. */
final class OutputErrorsTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
        String[] errLines() {
            return err.lines().toArray(String[]::new);
        }
    }

    private static Outcome run(PrintStream stdout, ByteArrayOutputStream captured, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(stdout, new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Outcome(code, captured.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return run(new PrintStream(out, true, StandardCharsets.UTF_8), out, args);
    }

    @Test
    void jsonInAFolderThatDoesNotExist_exits2NamingIt_beforeTheRun() {
        Path json = dir.resolve("no-such-folder").resolve("out.json");
        Outcome o = run("run", "--scenario", "sample", "--json", json.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString()
                .isEqualTo("vmsim: --json '" + json + "': folder '" + json.getParent() + "' does not exist");
        // no summary: the run did not start
        assertThat(o.out()).isEmpty();
    }

    @Test
    void jsonUnderARegularFile_orAtAFolder_exits2NamingThePath() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        Outcome under = run("run", "--scenario", "sample", "--json", file.resolve("out.json").toString());
        assertThat(under.code()).isEqualTo(2);
        assertThat(under.err()).contains("--json '" + file.resolve("out.json") + "'").contains("does not exist");
        Outcome folder = run("run", "--scenario", "sample", "--json", dir.toString());
        assertThat(folder.code()).isEqualTo(2);
        assertThat(folder.errLines()).singleElement().asString()
                .isEqualTo("vmsim: --json '" + dir + "': is a folder; name a file in it");
        assertThat(folder.out()).isEmpty();
    }

    @Test
    void aSummaryThatCannotBeWritten_exits1WithAMessageOnStderr() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream failing = new PrintStream(sink, true, StandardCharsets.UTF_8) {
            @Override
            public boolean checkError() {
                return true; // as after a write to a full device
            }
        };
        Outcome o = run(failing, sink, "run", "--scenario", "sample");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.errLines()).singleElement().asString().startsWith("vmsim: cannot write to standard output");
    }

    @Test
    void jsonToAFullDevice_exits1NamingIt() {
        assumeTrue(Files.isWritable(Path.of("/dev/full")), "Linux's /dev/full");
        Outcome o = run("run", "--scenario", "sample", "--json", "/dev/full");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.errLines()).singleElement().asString().startsWith("vmsim: cannot write --json '/dev/full': ");
    }
}
