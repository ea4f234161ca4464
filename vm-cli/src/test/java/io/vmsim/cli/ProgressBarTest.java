package io.vmsim.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

final class ProgressBarTest {
    @Test
    void shortRun_drawsNothing() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw));
        bar.update("memset", 1, 2);
        bar.clear();
        assertThat(sw.toString()).isEmpty();
    }

    @Test
    void bar_isRedrawnInPlaceAndErased() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), 0);
        bar.update("memset", 1, 2);
        bar.update("memset", 2, 2); // within the redraw interval: throttled
        assertThat(sw.toString()).isEqualTo("\r[###############               ]  50%  memset");
        bar.clear();
        assertThat(sw.toString()).endsWith("\r" + " ".repeat("[###############               ]  50%  memset".length()) + "\r").doesNotContain("\n");
    }
}
