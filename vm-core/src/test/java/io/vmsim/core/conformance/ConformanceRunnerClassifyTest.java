package io.vmsim.core.conformance;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Cases the runner cannot replay, or the kernel did not record, get a verdict rather than a crash. */
final class ConformanceRunnerClassifyTest {
    private static final Path DIR = Path.of("..", "conformance", "expected");
    private final ConformanceRunner runner = new ConformanceRunner(null); // no machine is built for these

    @Test
    void aCaseWithAnOpVmsimLacksIsUnsupported_namingTheOp() throws Exception {
        CaseResult r = runner.run(DIR.resolve("mremap-maymove.json"));
        assertThat(r.id()).isEqualTo("mremap-maymove");
        assertThat(r.verdict()).isEqualTo(Verdict.UNSUPPORTED);
        assertThat(r.reason()).isEqualTo("unsupported: mremap");
        assertThat(r.checks()).isEmpty();
        assertThat(runner.run(DIR.resolve("madv-free-anon.json")).reason()).isEqualTo("unsupported: madvise free");
    }

    @Test
    void aCaseTheKernelSkippedIsSkipped_withItsReason() throws Exception {
        CaseResult r = runner.run(DIR.resolve("memcg-anon-swap.json"));
        assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED);
        assertThat(r.reason()).contains("no swap configured");
    }
}
