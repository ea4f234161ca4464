package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** Input that passes each key's own rule but cannot make a machine or a run: one line, exit 2, before any work. */
final class SetupErrorsTest {
    @TempDir
    Path dir;



    @Test
    void lackeyTraceOfInstructionFetchesOnly_exits2NamingTheFile() throws Exception {
        Path t = dir.resolve("fetches.lackey");
        Files.writeString(t, "I  0400d7d4,8\nI  0400d7dc,3\n");
        Cli.Outcome o = run("run", "--trace", t.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString()
                .startsWith("vmsim: " + t + ": only instruction fetches ('I' lines, 2 of them)");
        assertThat(o.out()).isEmpty();
    }

    @Test
    void minFreeKbytesLargerThanTheMachineCanKeepFree_exits2InOneLineSayingWhatFits() {
        Cli.Outcome o = run("run", "--scenario", "sample", "--set", "machine.memory=64M", "--set", "vm.min_free_kbytes=100000000");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString()
                .startsWith("vmsim: 'vm.min_free_kbytes' = '100000000' (in --set): too large for machine.memory = 64M")
                .containsPattern("at most \\d+ fits");
        assertThat(o.out()).isEmpty();
    }

    @Test
    void swapLargerThanItsDevicesCanHold_exits2NamingTheKeyAndWhatFits() {
        Cli.Outcome o = run("run", "--scenario", "sample", "--set", "swap.size=256G");
        assertThat(o.code()).isEqualTo(2);
        // the heap this JVM has may also be too small for 2^26 swap slots: that is a second line, not an internal error
        assertThat(o.errLines()[0])
                .startsWith("vmsim: 'swap.size' = '256G' (in --set): a swap device holds less than 256 GiB")
                .contains("set swap.devices=2");
        assertThat(o.err()).doesNotContain("internal error").doesNotContain("injector");
    }
}
